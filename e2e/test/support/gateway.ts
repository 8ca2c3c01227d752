import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createLogger, createMetrics, createRedis, loadConfig, secretsOf } from '@ng/core';
import { startIngest } from '@ng/ingest';
import { startWorker } from '@ng/worker';
import { REDIS_URL, dropPrefix, freePort, sleep, startFakeWecom, uniquePrefix } from '@ng/testkit';
import { alertmanagerWebhook } from '../../chaos/support';

export const MINUTE = 60_000;

/** A clock the test moves; the worker's budget and storm windows and the fake WeCom's timestamps all read it. */
export function manualClock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** The most messages any one 60 s window holds. */
export function busiestMinute(times: number[]): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + MINUTE).length));
}

/**
 * ingest and a worker in one process (as `pnpm start` runs them) on a port of their own,
 * against real Redis and a fake WeCom app, all on a clock the test moves (BullMQ's own delays
 * are real time: nextMinute() runs what waits).
 */
export async function startInProcessGateway(env: Record<string, string>, opts: { linked?: boolean } = {}) {
  const clock = manualClock(Date.parse('2026-12-04T02:00:00Z'));
  const wecom = await startFakeWecom({ now: clock.now });
  const prefix = uniquePrefix('gateway');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), BACKOFF_BASE_MS: '50',
    WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: wecom.corpId, WEIXIN_CORP_SECRET: wecom.corpSecret, WEIXIN_AGENT_ID: String(wecom.agentId), WEIXIN_TO_USER: 'zhangsan|lisi',
    // linked: cards carry links to this gateway's console, as PUBLIC_URL makes them.
    ...(opts.linked ? { PUBLIC_URL: base } : {}),
    ...env,
  });
  const logs = new PassThrough();
  let log = '';
  logs.on('data', (d) => (log += d));
  const logger = createLogger({ service: 'gateway', secrets: secretsOf(config), stream: logs });
  const metrics = createMetrics('all-in-one');
  const worker = await startWorker({ config, logger, metrics, clock });
  const ingest = await startIngest({ config, logger, metrics });
  const connection = createRedis(REDIS_URL, 'worker');
  const queues = [QUEUE_NAMES.alerts, QUEUE_NAMES.deliveries, QUEUE_NAMES.clock].map((name) => new Queue(name, { connection, prefix }));
  const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return {
    base,
    clock,
    wecom,
    log: () => log,
    post,
    /** One distinct Alertmanager alert, answered 202. */
    alert: async (n: number, severity = 'critical', tag = 'exit') => expect((await post('/webhook/alertmanager', alertmanagerWebhook(n, { severity, tag }))).status).toBe(202),
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    /** Waits until nothing is left to do now (delayed jobs wait for the clock). */
    async settled() {
      for (;;) {
        const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'prioritized')));
        if (counts.every((c) => c.waiting + c.active + c.prioritized === 0)) return;
        await sleep(50);
      }
    },
    /** The minute has passed: what waited for budget or for the storm interval runs now. */
    async nextMinute() {
      clock.advance(MINUTE + 1000);
      for (const q of queues) for (const job of await q.getDelayed()) if (!job.repeatJobKey) await job.promote();
    },
    async close() {
      await ingest.close();
      await worker.close();
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
      await wecom.close();
      await dropPrefix(prefix);
    },
  };
}

export type InProcessGateway = Awaited<ReturnType<typeof startInProcessGateway>>;
