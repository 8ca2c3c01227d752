import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createReloadBus } from '@ng/core';
import { startRedisServer } from '@ng/testkit';

const logger = createLogger({ service: 'worker', secrets: [], stream: new PassThrough() });
const reloadOk = () => ({ ok: true as const, hash: 'h', changed: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The commands in a chunk of RESP from a client (arrays of bulk strings; enough for ioredis). */
function commandsIn(chunk: string): string[][] {
  const lines = chunk.split('\r\n');
  const commands: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('*')) continue;
    const args: string[] = [];
    for (let n = Number(lines[i].slice(1)); n > 0; n--) args.push(lines[(i += 2)]);
    commands.push(args);
  }
  return commands;
}

/**
 * Just enough of a Redis to catch the bus between reconnecting and hearing its channels: the
 * first SUBSCRIBE is answered and its connection dropped a moment later; the next SUBSCRIBE
 * (ioredis resubscribing on the new connection) is never answered.
 */
async function redisThatStallsResubscribe() {
  const INFO = 'loading:0\r\n';
  const stalled: string[][] = [];
  let subscribedOnce = false;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const [name, ...args] of commandsIn(chunk.toString('latin1'))) {
        const command = name.toLowerCase();
        if (command === 'info') socket.write(`$${INFO.length}\r\n${INFO}\r\n`);
        else if (command !== 'subscribe') socket.write('+OK\r\n');
        else if (subscribedOnce) stalled.push(args);
        else {
          subscribedOnce = true;
          args.forEach((channel, i) => socket.write(`*3\r\n$9\r\nsubscribe\r\n$${channel.length}\r\n${channel}\r\n:${i + 1}\r\n`));
          setTimeout(() => socket.destroy(), 50);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`, stalled, close: () => server.close() };
}

/** The pub/sub that carries "reload the policy" to every process, across a Redis restart. */
describe('reload bus', () => {
  const servers: Array<{ kill(): void }> = [];
  afterAll(() => servers.forEach((s) => s.kill()));

  it('hears reloads again after Redis restarts', async () => {
    const redis = await startRedisServer();
    servers.push(redis);
    const bus = createReloadBus({ redisUrl: redis.url, prefix: '{bus}', process: 'p1', logger, reload: reloadOk });
    expect((await bus.reloadEverywhere()).map((r) => r.process)).toEqual(['p1']);

    redis.kill();
    await sleep(300);
    await redis.start();
    // The answer comes only once the bus has subscribed again on the new connection.
    let replies: string[] = [];
    for (let i = 0; i < 50 && replies.length === 0; i++) {
      replies = await bus.reloadEverywhere().then((list) => list.map((r) => r.process), () => []);
      if (replies.length === 0) await sleep(100);
    }
    expect(replies).toEqual(['p1']);
    await bus.close();
  });

  it('closing it while it resubscribes after a reconnect leaves no unhandled rejection (vitest fails the run on one)', async () => {
    const redis = await redisThatStallsResubscribe();
    const bus = createReloadBus({ redisUrl: redis.url, prefix: '{bus}', process: 'p1', logger, reload: reloadOk });
    for (let i = 0; i < 100 && redis.stalled.length === 0; i++) await sleep(50);
    expect(redis.stalled).toEqual([['{bus}:policy:reload', '{bus}:policy:reloaded']]);
    await bus.close();
    await sleep(100);
    redis.close();
  });
});
