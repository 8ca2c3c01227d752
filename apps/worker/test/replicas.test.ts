import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, retryingJobOptions, createRedis, jobIdFor } from '@ng/core';
import { dropPrefix, startFakeWecom, type FakeWecom, type Proc } from '@ng/testkit';
import { REDIS_URL, startWorkerProcesses, uniquePrefix, waitFor } from './support/harness';
import { criticalAlert } from './support/alerts';

/** Three real worker processes sharing one Redis. */
describe('worker replicas', () => {
  let wecom: FakeWecom;
  let workers: Proc[] = [];
  const prefix = uniquePrefix('replicas');
  let ports: number[] = [];

  beforeAll(async () => {
    wecom = await startFakeWecom();
    ({ workers, ports } = await startWorkerProcesses(3, { prefix, wecomUrl: wecom.url, env: { SHUTDOWN_GRACE_MS: '5000' } }));
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await wecom.close();
    await dropPrefix(prefix);
  });

  it('delivers 300 distinct criticals exactly once each, with one gettoken between them, counted on /metrics', async () => {
    const connection = createRedis(REDIS_URL, 'worker');
    const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
    const deliveries = new Queue(QUEUE_NAMES.deliveries, { connection, prefix });
    const opts = retryingJobOptions({ attempts: 5, backoffBaseMs: 50 });
    const alerts = Array.from({ length: 300 }, (_, i) => criticalAlert(i));
    await queue.addBulk(alerts.map((alert) => ({ name: alert.kind, data: { alert }, opts: { ...opts, jobId: jobIdFor(alert) } })));
    await waitFor(() => wecom.messages.length >= 300, '300 messages', 30_000);
    await waitFor(async () => (await queue.getCompletedCount()) === 300, 'all alert jobs completed');
    await waitFor(async () => (await deliveries.getCompletedCount()) === 300, 'all deliveries completed');
    const perTitle = new Map<string, number>();
    for (const m of wecom.messages) {
      const title = /Problem\d+/.exec(m.content)?.[0] ?? '?';
      perTitle.set(title, (perTitle.get(title) ?? 0) + 1);
    }
    expect(perTitle.size).toBe(300);
    expect([...perTitle.values()].every((n) => n === 1)).toBe(true);
    expect(wecom.gettokenCalls).toBe(1);
    // Every replica took part.
    expect(workers.filter((w) => w.output().includes('消息发送成功')).length).toBeGreaterThan(1);
    // Every replica serves /health and /metrics; their counters add up to the traffic.
    const health = await fetch(`http://127.0.0.1:${ports[0]}/health`);
    expect(health.status).toBe(200);
    const texts = await Promise.all(ports.map(async (p) => (await fetch(`http://127.0.0.1:${p}/metrics`)).text()));
    const delivered = texts
      .map((t) => /ng_deliveries_total\{kind="alert",channel="wecom-app",outcome="success",errcode="0",app="worker"\} (\d+)/.exec(t)?.[1])
      .reduce((sum, n) => sum + Number(n ?? 0), 0);
    expect(delivered).toBe(300);
    expect(texts[0]).toMatch(/ng_queue_jobs\{queue="alerts",state="completed",app="worker"\} 300/);
    expect(texts.join('\n')).toMatch(/ng_token_refreshes_total\{outcome="success",app="worker"\} 1/);
    await Promise.all([queue.close(), deliveries.close()]);
    connection.disconnect();
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const [first, ...rest] = workers;
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(first.output()).toContain('worker stopped');
    workers = rest;
  });
});
