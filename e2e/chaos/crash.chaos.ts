import { afterAll, describe, expect, it } from 'vitest';
import { alertmanagerWebhook, appEnv, ledger, report, sleep, startFakeWecomProc, startGateway, startRedisCluster, startRedisSentinel } from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Scenario 1: while 2,000 alerts flow, kill -9 two of three workers, again and again.
 * At-least-once: nothing lost; duplicate sends are counted (a send is recorded before the job
 * is acknowledged, so only a crash between the two can repeat one).
 */
async function crashScenario(name: string, redisUrl: string, total: number) {
  const wecom = await startFakeWecomProc({ FAKE_WECOM_ROBOT_PER_MINUTE: '100000000' });
  const gw = await startGateway({ redisUrl, workers: 3, name, env: { ...appEnv(wecom.url), APP_RATE_LIMIT_PER_MIN: '100000000', LOG_LEVEL: 'warn' } });
  try {
    const accepted: string[] = [];
    let kills = 0;
    const killer = (async () => {
      for (let round = 0; round < 5; round++) {
        await sleep(1200);
        const alive = gw.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
        for (const victim of alive.slice(0, 2)) {
          victim.child.kill('SIGKILL');
          kills++;
        }
        await sleep(300);
        await gw.startWorker();
        await gw.startWorker();
      }
    })();
    for (let i = 0; i < total; i += 20) {
      const batch = Array.from({ length: Math.min(20, total - i) }, (_, j) => i + j);
      const codes = await Promise.all(batch.map((n) => gw.post('/webhook/alertmanager', alertmanagerWebhook(n, { tag: name }))));
      codes.forEach((code, j) => code === 202 && accepted.push(`Chaos${name}${batch[j]}x`));
      await sleep(50);
    }
    await killer;
    const drainMs = await gw.drained();
    const failed = [...(await gw.queue.getFailed()), ...(await gw.deliveries.getFailed())];
    const stats = await wecom.stats();
    const row = { ...ledger({ accepted, messages: stats.messages, failedNames: failed.map((j) => j.data.alert?.title ?? j.data.message?.alert?.title) }), kills, drainAfterLastMs: drainMs };
    report(`1. kill -9 workers (${name})`, row);
    expect(accepted).toHaveLength(total);
    expect(row.lost).toBe(0);
    expect(row.failed).toBe(0);
  } finally {
    await gw.stop();
    await wecom.proc.stop();
  }
}

describe('chaos: crashing workers', () => {
  it('single Redis: 2,000 alerts, 2 of 3 workers killed -9 five times → lost 0', async () => {
    await crashScenario('single', REDIS_URL, 2000);
  });

  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
  let sentinel: Awaited<ReturnType<typeof startRedisSentinel>> | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await sentinel?.stop();
  });
  it('Redis Cluster (3 masters, hash-tagged prefix): the same, lost 0', async () => {
    cluster = await startRedisCluster();
    await crashScenario('cluster', cluster.url, 1000);
  });
  it('Redis Sentinel (the master found through a Sentinel): the same, lost 0', async () => {
    sentinel = await startRedisSentinel();
    await crashScenario('sentinel', sentinel.url, 1000);
  });
});
