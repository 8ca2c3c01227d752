import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis } from '@ng/core';
import { startRedisServer } from '@ng/testkit';
import { createRedisMemoryWatch } from '../src/clock/redis-memory-watch';

/** The sweep's memory watch against a Redis of its own whose maxmemory we set and fill. */
describe('Redis memory watch', () => {
  const cleanup: Array<() => unknown> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('quiet below 80 % of maxmemory, a warning with what to do above it (not at every sweep), an error once full', async () => {
    const server = await startRedisServer();
    cleanup.push(() => server.kill());
    const redis = createRedis(server.url, 'worker');
    cleanup.push(() => redis.disconnect());
    const lines: Array<{ level: string; message: string }> = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
    let now = 0;
    const watch = createRedisMemoryWatch({ redis, logger: createLogger({ service: 'worker', stream }), now: () => now });
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const settle = () => new Promise((r) => setTimeout(r, 20));

    expect(await watch()).toBe('no maxmemory');
    await redis.config('SET', 'maxmemory', String((await used()) * 2));
    expect(await watch()).toMatch(/^\d+ % of maxmemory$/);
    await settle();
    expect(lines).toEqual([]);

    // Fill to about 90 %: one warning, then silence for ten minutes, then a reminder.
    const max = Number(await redis.config('GET', 'maxmemory').then((r) => (r as string[])[1]));
    for (let i = 0; (await used()) < max * 0.9; i++) await redis.set(`junk:${i}`, 'x'.repeat(10_000));
    await watch();
    now += 60_000;
    await watch();
    await settle();
    expect(lines.map((l) => l.level)).toEqual(['warn']);
    expect(lines[0].message).toMatch(/^Redis memory at (8\d|9\d) % of maxmemory \(\d+ MB of \d+ MB\): at 100 % every webhook gets 503; raise maxmemory/);
    now += 10 * 60_000;
    await watch();

    // Full: writes are refused, and the log says so.
    await redis.config('SET', 'maxmemory', String(Math.floor((await used()) * 0.9)));
    now += 10 * 60_000;
    await watch();
    await settle();
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn', 'error']);
    expect(lines[2].message).toMatch(/^Redis is full: used_memory/);
  });
});
