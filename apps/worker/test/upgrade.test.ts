import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { CONTRACT_REFUSED, LEGACY_DIGESTS_QUEUE, QUEUE_NAMES, createRedis, summarizeStorm, type Alert } from '@ng/core';
import { dropPrefix, startFakeWecom, type FakeWecom } from '@ng/testkit';
import { REDIS_URL, startHarness, uniquePrefix, waitFor, type Harness } from './support/harness';
import { criticalAlert } from './support/alerts';

/** Jobs exactly as the first release queued them (apps/ingest/src/enqueue.ts and digest-processor.ts of 688134a). */
const RELEASE_1_OPTIONS = { attempts: 12, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 }, removeOnComplete: { age: 86400, count: 100_000 }, removeOnFail: false };

describe('upgrading from the first release', () => {
  let wecom: FakeWecom;
  let h: Harness | undefined;
  const prefix = uniquePrefix('upgrade');
  const connection = createRedis(REDIS_URL, 'worker');
  const legacy = new Queue(LEGACY_DIGESTS_QUEUE, { connection, prefix });

  beforeEach(async () => {
    wecom = await startFakeWecom();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await wecom.close();
    await dropPrefix(prefix);
  });
  afterAll(async () => {
    await legacy.close();
    connection.disconnect();
  });

  it('delivers alert jobs, digest sends, storm flushes and digest flushes queued by the first release', async () => {
    const alerts = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
    const old = (n: number, overrides: Partial<Alert> = {}) => criticalAlert(n, { title: `Release1Problem${n}`, labels: { alertname: `Release1Problem${n}` }, ...overrides });
    // The alerts queue: the format is unchanged.
    await alerts.add('alertmanager', { alert: old(1) }, { ...RELEASE_1_OPTIONS, jobId: old(1).idempotencyKey });
    await alerts.close();
    // The first release's digests queue: a digest with its contents, a storm flush with its contents, a flush tick, its schedulers.
    await legacy.add('send-digest', { destinationId: 'robot-1', schedule: 'hourly', heading: '每小时汇总 2026-12-04 10:00', alerts: [old(2, { severity: 'warning' }), old(3, { severity: 'warning' })] }, RELEASE_1_OPTIONS);
    await legacy.add('flush-storm', { destinationId: 'robot-1', alerts: [old(4), old(5)] }, RELEASE_1_OPTIONS);
    await legacy.add('flush', { schedule: 'daily' }, RELEASE_1_OPTIONS);
    await legacy.upsertJobScheduler('release-silences', { every: 30_000 }, { name: 'release-silences', data: {} });
    // A problem left pending in the daily digest by the first release (same keys as today).
    await connection.hset(`${prefix}:digest:daily:robot-1`, 'am:problem-6', JSON.stringify(old(6, { key: 'am:problem-6', severity: 'info' })));
    await connection.sadd(`${prefix}:digest:daily:destinations`, 'robot-1');

    h = await startHarness({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'robot-key-one-secret' }, { prefix });
    await h.clock.add('sweep', {});
    await waitFor(() => wecom.messages.length === 4, 'the card, the digest, the storm summary and the daily digest');
    const text = wecom.messages.map((m) => m.content).join('\n');
    for (let n = 1; n <= 6; n++) expect(text).toContain(`Release1Problem${n}`);
    expect(text).toContain('每小时汇总 2026-12-04 10:00');
    expect(text).toContain('风暴合并: 2 条告警');
    expect(text).toContain('每日汇总');
    expect(await legacy.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(0);
    expect(await legacy.getJobSchedulers()).toEqual([]);
  });

  it('a digest or storm summary refused by a worker of the release before is retried by the sweep and delivered; a job no release reads stays failed', async () => {
    const deliveries = new Queue(QUEUE_NAMES.deliveries, { connection, prefix });
    const storm = { kind: 'storm', ...summarizeStorm([criticalAlert(7, { title: 'RefusedStorm7' }), criticalAlert(8)].map((alert) => ({ alert, totals: { count: 1 } }))), windowStart: '2026-12-04T06:00:00.000Z', windowEnd: '2026-12-04T06:00:10.000Z' };
    await deliveries.add('storm → robot-1', { destinationId: 'robot-1', message: storm }, { jobId: 'refused-storm', attempts: 3 });
    await deliveries.add('bogus → robot-1', { destinationId: 'robot-1', message: { kind: 'bogus' } }, { jobId: 'refused-bogus', attempts: 3 });
    // The worker of the release before: its contract has no storm groups, so it refuses both.
    const olderConnection = createRedis(REDIS_URL, 'worker');
    const older = new Worker(QUEUE_NAMES.deliveries, async () => {
      throw new UnrecoverableError(`${CONTRACT_REFUSED}: "message.groups" is not allowed`);
    }, { connection: olderConnection, prefix });
    await waitFor(async () => (await deliveries.getJobCounts('failed')).failed === 2, 'the older worker to refuse both');
    await older.close();
    olderConnection.disconnect();

    h = await startHarness({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'robot-key-one-secret' }, { prefix });
    await h.clock.add('sweep', {});
    await waitFor(() => wecom.messages.length === 1, 'the refused storm summary');
    expect(wecom.messages[0].content).toContain('风暴合并: 2 条告警');
    expect(wecom.messages[0].content).toContain('RefusedStorm7');
    expect(await (await deliveries.getJob('refused-bogus'))?.getState()).toBe('failed');
    await deliveries.close();
  });
});
