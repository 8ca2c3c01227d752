import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, sleep } from '@ng/testkit';
import { fixture, startTestIngest } from './support';

/**
 * A Redis of our own with a tiny maxmemory and noeviction (as compose and the Kubernetes note
 * set it up): once full, webhooks get 503 + Retry-After, /ready says Redis is full and why, the
 * log names the cause and the metrics show it; with room again, 202 without a restart.
 */
describe('Redis full (maxmemory, noeviction)', () => {
  let redis: ChildProcess;
  let port = 0;
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        if (cli('ping') === 'PONG') break;
      } catch {
        await sleep(50);
      }
    }
    ingest = await startTestIngest({ REDIS_URL: `redis://127.0.0.1:${port}` });
  });

  afterAll(async () => {
    await ingest?.close();
    redis?.kill('SIGKILL');
  });

  const webhook = (n: number) => {
    const body = fixture('alertmanager/firing-critical.json');
    body.alerts[0].fingerprint = `full${String(n).padStart(12, '0')}`;
    return ingest.post('/webhook/alertmanager', JSON.stringify(body));
  };

  it('with room: 202 and ready', async () => {
    expect((await webhook(0)).status).toBe(202);
    expect(await (await fetch(`${ingest.base}/ready`)).json()).toEqual({ status: 'ready' });
  });

  it('full: 503 + Retry-After, /ready 503 naming maxmemory, the log names Redis OOM, the metrics show it', async () => {
    // Far below what Redis already uses (its use moves by more than 100 KB on a busy machine):
    // every write is refused from now on.
    const max = Math.floor(Number(/used_memory:(\d+)/.exec(cli('info', 'memory'))![1]) / 2);
    cli('config', 'set', 'maxmemory', String(max));

    const res = await webhook(1);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect((await res.json()).error).toMatch(/Redis is full \(maxmemory reached, policy noeviction\)/);

    const ready = await fetch(`${ingest.base}/ready`);
    expect(ready.status).toBe(503);
    const body = await ready.json();
    expect(body.status).toBe('full');
    expect(body.error).toMatch(/^Redis is full: used_memory [\d.]+ MB of maxmemory [\d.]+ MB \(policy noeviction\)/);

    expect(ingest.log()).toMatch(/"reason":"redis_full"/);
    expect(ingest.log()).toMatch(/OOM command not allowed/);

    const metrics = await (await fetch(`${ingest.base}/metrics`)).text();
    expect(metrics).toMatch(/ng_webhooks_rejected_total\{source="alertmanager",reason="redis_full",app="ingest"\} 1/);
    expect(metrics).toMatch(new RegExp(`ng_redis_memory_bytes\\{kind="max",app="ingest"\\} ${max}`));
    expect(metrics).toMatch(/ng_redis_memory_bytes\{kind="used",app="ingest"\} [1-9]/);
  });

  it('room again: 202 and ready, without a restart', async () => {
    cli('config', 'set', 'maxmemory', '0');
    expect((await webhook(2)).status).toBe(202);
    expect((await fetch(`${ingest.base}/ready`)).status).toBe(200);
    expect(await ingest.queue.getWaitingCount()).toBe(2);
  });
});
