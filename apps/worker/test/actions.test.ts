import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARD_BUTTONS, QUEUE_NAMES, createAckStore, createRedis, createSilenceStore, type Alert } from '@ng/core';
import { startFakeSentry, startFakeWecom, type FakeSentry, type FakeWecom } from '@ng/testkit';
import { REDIS_URL, startHarness, waitFor, type Harness } from './support/harness';
import { seedAlertmanagerAlert, seedSentryAlert } from './support/alerts';

/** 已处理 from the console (the same job a WeCom click makes), against a fake Sentry API. */
describe('已处理 (handled)', () => {
  let wecom: FakeWecom;
  let sentry: FakeSentry;
  let h: Harness;
  let actions: Queue;
  const redis = createRedis(REDIS_URL, 'worker');

  const start = async (env: Record<string, string> = {}) => {
    h = await startHarness({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'robot-key-one-secret', SENTRY_AUTH_TOKEN: sentry.token, SENTRY_ORG: 'acme', SENTRY_API_URL: sentry.url, ...env }, { name: 'actions' });
    actions = new Queue(QUEUE_NAMES.actions, { connection: redis, prefix: h.prefix });
  };
  const handled = async (alert: Alert, userId: string, name: string) => {
    const job = await actions.add('act', { via: 'console', userId, name, eventKey: CARD_BUTTONS.resolve.key, alertId: alert.idempotencyKey, atMs: Date.now() });
    await waitFor(async () => (await job.getState()) === 'completed' || (await job.getState()) === 'failed', 'the action');
    return job;
  };
  const delivered = async (alert: Alert) => {
    await h.add(alert);
    await waitFor(() => h.sent('alert').length > 0 && h.fates().some((f) => f.key === alert.key), 'the card');
  };

  beforeEach(async () => {
    wecom = await startFakeWecom();
    sentry = await startFakeSentry({ issues: ['12345'] });
  });
  afterEach(async () => {
    await actions?.close();
    await h?.close();
    await Promise.all([wecom.close(), sentry.close()]);
  });

  it('a Sentry problem is resolved in Sentry: one call, however many times it is clicked', async () => {
    await start();
    const alert = seedSentryAlert();
    await delivered(alert);
    await handled(alert, 'zhangsan', '张三');
    await handled(alert, 'lisi', '李四');
    expect(sentry.calls).toEqual([{ method: 'PUT', path: '/api/0/organizations/acme/issues/12345/', authorization: `Bearer ${sentry.token}`, body: { status: 'resolved' } }]);
    expect(sentry.statusOf('12345')).toBe('resolved');
    const ack = await createAckStore({ redis, prefix: h.prefix, retentionMs: 60_000 }).get(alert.key);
    expect(ack).toMatchObject({ handledBy: 'zhangsan', handledName: '张三' });
    // Sentry's own issue.resolved webhook brings the resolution: no silence is needed.
    expect(await createSilenceStore({ redis, prefix: h.prefix }).list(new Date(), { all: true })).toEqual([]);
  });

  it('a token Sentry refuses: no retry storm, reminders stop until the problem resolves, the log says why', async () => {
    await start({ SENTRY_AUTH_TOKEN: 'revoked-token' });
    const alert = seedSentryAlert();
    await delivered(alert);
    const job = await handled(alert, 'zhangsan', '张三');
    expect(await job.getState()).toBe('completed');
    expect(sentry.calls).toHaveLength(1);
    expect(h.logs.lines).toContainEqual(expect.objectContaining({ message: 'Sentry refused to resolve the issue: reminders stop until it resolves instead', status: 401, hint: 'SENTRY_AUTH_TOKEN is not valid (revoked or mistyped)' }));
    const [silence] = await createSilenceStore({ redis, prefix: h.prefix }).list(new Date());
    expect(silence).toMatchObject({ untilResolved: alert.key, comment: '控制台: 张三 已处理，恢复后自动解除' });
  });

  it('an Alertmanager problem (which cannot be told) is silenced until Alertmanager reports it resolved', async () => {
    await start();
    const alert = seedAlertmanagerAlert();
    await delivered(alert);
    await handled(alert, 'zhangsan', '张三');
    expect(sentry.calls).toEqual([]);
    const silences = createSilenceStore({ redis, prefix: h.prefix });
    expect(await silences.list(new Date())).toEqual([expect.objectContaining({ untilResolved: alert.key })]);
    await h.add(seedAlertmanagerAlert({ status: 'resolved' }));
    await waitFor(async () => (await silences.list(new Date())).length === 0, 'the silence to end with the resolution');
    // …and the resolution went out, through the silence that held the reminders.
    await waitFor(() => wecom.messages.some((m) => m.content.includes('RESOLVED')), 'the resolution card');
  });
});
