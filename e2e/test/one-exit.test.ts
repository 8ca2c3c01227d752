import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createLogger, createMetrics, createRedis, loadConfig, secretsOf } from '@ng/core';
import { startIngest, type RunningIngest } from '@ng/ingest';
import { startWorker, type RunningWorker } from '@ng/worker';
import { REDIS_URL, dropPrefix, sleep, startFakeWecom, type FakeWecom } from '@ng/testkit';
import { alertmanagerWebhook, uniquePrefix } from '../chaos/support';

const MINUTE = 60_000;

/** A clock the test moves; the worker's budget and the fake WeCom's timestamps both read it. */
function manualClock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** The most messages any one 60 s window holds. */
function busiestMinute(times: number[]): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + MINUTE).length));
}

/**
 * ingest and a worker in one process (as `pnpm start` runs them), against real Redis and a fake
 * WeCom: every kind of message — cards, a digest flushed by hand, a storm, the test card —
 * leaves through the one delivery processor and shares the recipients' WeCom budget.
 */
describe('one exit to WeCom', () => {
  let wecom: FakeWecom | undefined;
  let ingest: RunningIngest | undefined;
  let worker: RunningWorker | undefined;
  let prefix = '';
  afterEach(async () => {
    await ingest?.close();
    await worker?.close();
    await wecom?.close();
    await dropPrefix(prefix);
  });

  async function start(env: Record<string, string>) {
    const clock = manualClock(Date.parse('2026-12-04T02:00:00Z'));
    wecom = await startFakeWecom({ now: clock.now });
    prefix = uniquePrefix('one-exit');
    const config = loadConfig({
      REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', ADMIN_ALLOW_OPEN: 'true', BACKOFF_BASE_MS: '50',
      WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: wecom.corpId, WEIXIN_CORP_SECRET: wecom.corpSecret, WEIXIN_AGENT_ID: String(wecom.agentId), WEIXIN_TO_USER: 'zhangsan|lisi',
      ...env,
    });
    const logs = new PassThrough();
    let log = '';
    logs.on('data', (d) => (log += d));
    const logger = createLogger({ service: 'gateway', secrets: secretsOf(config), stream: logs });
    const metrics = createMetrics('all-in-one');
    worker = await startWorker({ config, logger, metrics, clock });
    ingest = await startIngest({ config, logger, metrics });
    const base = `http://127.0.0.1:${ingest.port}`;
    const connection = createRedis(REDIS_URL, 'worker');
    const queues = [QUEUE_NAMES.alerts, QUEUE_NAMES.deliveries, QUEUE_NAMES.clock].map((name) => new Queue(name, { connection, prefix }));
    const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return {
      clock,
      wecom: wecom!,
      log: () => log,
      post,
      alert: async (n: number, severity = 'critical') => expect((await post('/webhook/alertmanager', alertmanagerWebhook(n, { severity, tag: 'exit' }))).status).toBe(202),
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
        await Promise.all(queues.map((q) => q.close()));
        connection.disconnect();
      },
    };
  }

  const named = (messages: Array<{ content: string }>, n: number) => messages.some((m) => new RegExp(`Chaosexit${n}x\\b`).test(m.content));

  it.each([
    ['storms summarized (STORM_THRESHOLD 10, the default)', {}],
    ['no storm summaries (STORM_THRESHOLD 1000): the budget alone holds the line', { STORM_THRESHOLD: '1000' }],
  ])('2 criticals, a digest flushed by hand and a 30-alert storm within a minute: at most 30 app messages a minute to the recipients, every alert accounted for (%s)', async (_name, env) => {
    const gw = await start(env);
    await gw.alert(100, 'warning');
    await gw.alert(1);
    await gw.alert(2);
    await gw.settled();
    const flush = await gw.post('/api/digests/flush', '');
    expect(await flush.json()).toEqual({ status: 'flushed', digests: 1, alerts: 1 });
    for (let n = 3; n <= 32; n++) await gw.alert(n);
    await gw.settled();
    await gw.nextMinute();
    await gw.settled();
    await gw.nextMinute();
    await gw.settled();

    const messages = gw.wecom.messages;
    expect(messages.every((m) => m.api === 'app' && m.body.touser === 'zhangsan|lisi')).toBe(true);
    expect(busiestMinute(messages.map((m) => m.at))).toBeLessThanOrEqual(30);
    // Every alert named in a card or a digest, or counted in a storm summary's "+N more".
    const missing = Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => !named(messages, n));
    const summarizedUnnamed = messages.reduce((sum, m) => sum + Number(/\+(\d+) more/.exec(m.content)?.[1] ?? 0), 0);
    expect(missing.length).toBeLessThanOrEqual(summarizedUnnamed);
    expect(named(messages, 100)).toBe(true);
    expect(messages.filter((m) => m.content.includes('每小时汇总'))).toHaveLength(1);
    await gw.close();
  });

  it('ng_deliveries_total counts alert, digest, storm and test messages alike', async () => {
    const gw = await start({ STORM_THRESHOLD: '2' });
    await gw.alert(100, 'warning');
    for (let n = 1; n <= 4; n++) await gw.alert(n);
    expect((await gw.post('/test', '')).status).toBe(202);
    await gw.settled();
    await gw.post('/api/digests/flush', '');
    await gw.nextMinute();
    await gw.settled();
    const text = await gw.metrics();
    for (const kind of ['alert', 'digest', 'storm', 'test']) {
      expect(text, kind).toMatch(new RegExp(`ng_deliveries_total\\{kind="${kind}",channel="wecom-app",outcome="success",errcode="0",app="all-in-one"\\} [1-9]`));
    }
    expect(gw.log()).toContain('"kind":"storm"');
    await gw.close();
  });
});
