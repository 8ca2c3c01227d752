import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis, createSilenceStore, normalizeAlertmanager, normalizeSentry, type Alert } from '@ng/core';
import { startFakeWecom, type FakeWecom } from '@ng/testkit';
import { REDIS_URL, startHarness, waitFor, type Harness } from './support/harness';
import { criticalAlert, seedAlertmanagerAlert } from './support/alerts';
import { manualClock } from '../src/clock';

const fixtures = path.resolve(__dirname, '../../../packages/core/test/fixtures');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

/** The alert a Sentry webhook body becomes. */
function sentryAlert(resource: string, body: unknown): Alert {
  const outcome = normalizeSentry({ resource, body, receivedAt: new Date() });
  if (!outcome.handled) throw new Error('fixture not handled');
  return outcome.alerts[0];
}

/** error.created for one Sentry issue, as a distinct event each time. */
function sentryError(n: number): Alert {
  const body = fixture('sentry/error.created.json');
  body.data.error.event_id = `event-${n}`;
  return sentryAlert('error', body);
}

describe('noise control', () => {
  let wecom: FakeWecom;
  let h: Harness;
  const robotEnv = () => ({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'robot-key-one-secret' });

  beforeEach(async () => {
    wecom = await startFakeWecom();
  });
  afterEach(async () => {
    await h?.close();
    await wecom.close();
  });

  it('500 error.created for one issue: one immediate card, and the next message says 发生次数 500', async () => {
    h = await startHarness(robotEnv());
    await h.add(...Array.from({ length: 500 }, (_, i) => sentryError(i)));
    await waitFor(() => h.fates().length === 500, '500 fates');
    await h.idle();
    expect(wecom.messages).toHaveLength(1);
    expect(wecom.messages[0].content).toContain('🆕 [Sentry 应用告警] ReferenceError: blooopy is not defined');
    expect(h.fates('duplicate')).toHaveLength(499);

    const resolved = fixture('sentry/issue.created.json');
    resolved.action = 'resolved';
    // The resolution of a problem that was paged goes out at once.
    await h.add(sentryAlert('issue', resolved));
    await waitFor(() => wecom.messages.length === 2, 'the resolution');
    expect(wecom.messages[1].content).toContain('✅ [Sentry 已解决]');
    expect(wecom.messages[1].content).toContain('发生次数: 500');
  });

  it('a replayed Alertmanager notification sends nothing new', async () => {
    h = await startHarness(robotEnv());
    const body = fixture('alertmanager/firing-critical.json');
    const [first] = normalizeAlertmanager(body, new Date());
    await h.add(first);
    await h.add(first); // same job id: BullMQ keeps one job
    await waitFor(() => wecom.messages.length === 1, 'the first card');
    // The same notification as a new job (after the job id expired): the dedup window holds.
    const [again] = normalizeAlertmanager(body, new Date());
    await h.add({ ...again, idempotencyKey: 'f'.repeat(32) });
    await waitFor(() => h.fates('duplicate').length === 1, 'the replay counted as a duplicate');
    await h.idle();
    expect(wecom.messages).toHaveLength(1);
  });

  it('warning waits for the hourly digest, info for the daily one; both clock-aligned schedulers exist', async () => {
    h = await startHarness({ ...robotEnv(), DAILY_DIGEST_AT: '09:00' });
    await h.add(criticalAlert(1, { severity: 'warning', title: 'DiskFilling', service: 'storage' }));
    await h.add(criticalAlert(2, { severity: 'info', title: 'SlowQuery', service: 'db' }));
    await waitFor(() => h.fates('digested').length === 2, 'both digested');
    expect(wecom.messages).toHaveLength(0);
    expect(String(h.fates('digested')[0].reason)).toMatch(/digested into/);

    const schedulers = await h.clock.getJobSchedulers();
    expect(schedulers.filter((s) => s.key.startsWith('digest-')).map((s) => [s.key, s.pattern, s.tz]).sort()).toEqual(
      [
        ['digest-daily', '0 9 * * *', 'Asia/Shanghai'],
        ['digest-hourly', '0 * * * *', 'Asia/Shanghai'],
      ],
    );

    await h.clock.add('digest', { schedule: 'hourly' });
    await waitFor(() => wecom.messages.length === 1, 'the hourly digest');
    expect(wecom.messages[0].content).toContain('每小时汇总');
    expect(wecom.messages[0].content).toContain('DiskFilling');
    expect(wecom.messages[0].content).not.toContain('SlowQuery');

    await h.clock.add('digest', { schedule: 'daily' });
    await waitFor(() => wecom.messages.length === 2, 'the daily digest');
    expect(wecom.messages[1].content).toContain('每日汇总');
    expect(wecom.messages[1].content).toContain('SlowQuery');

    // Empty digests are skipped.
    const empty = await h.clock.add('digest', { schedule: 'hourly' });
    await waitFor(async () => (await empty.isCompleted()), 'the empty flush');
    await h.idle();
    expect(wecom.messages).toHaveLength(2);
  });

  it('a digested problem that escalates to critical goes out at once and leaves the digest', async () => {
    h = await startHarness(robotEnv());
    await h.add(criticalAlert(7, { severity: 'warning' }));
    await waitFor(() => h.fates('digested').length === 1, 'digested');
    await h.add(criticalAlert(7, { severity: 'critical' }));
    await waitFor(() => wecom.messages.length === 1, 'the escalation');
    const flush = await h.clock.add('digest', { schedule: 'hourly' });
    await waitFor(async () => (await flush.isCompleted()), 'the flush');
    await h.idle();
    expect(wecom.messages).toHaveLength(1);
  });

  it('development is not sent; testing is sent at once whatever the severity', async () => {
    h = await startHarness(robotEnv());
    await h.add(criticalAlert(1, { environment: 'development', title: 'DevThing' }));
    await h.add(criticalAlert(2, { environment: 'testing', severity: 'info', title: 'TestingThing' }));
    await waitFor(() => h.fates().length === 2, 'both fates');
    await h.idle();
    expect(h.fates('dropped')).toHaveLength(1);
    await waitFor(() => wecom.messages.length === 1, 'the delivery'); // a fate is decided before its delivery is sent
    expect(wecom.messages.map((m) => m.content.split('\n')[0])).toEqual(['<font color="comment">**🔥 [FIRING] TestingThing**</font>']);
  });

  it('200 criticals to one robot in a minute: the first STORM_THRESHOLD go at once, the rest in summaries, every alert accounted for', async () => {
    const clock = manualClock(Date.parse('2026-11-25T06:00:00Z'));
    await wecom.close();
    wecom = await startFakeWecom({ now: clock.now });
    h = await startHarness(robotEnv(), { clock });
    const alerts = Array.from({ length: 200 }, (_, i) => criticalAlert(i));
    await h.add(...alerts);
    await waitFor(() => h.fates().length === 200, '200 fates');
    await h.idle();
    expect(wecom.messages).toHaveLength(10);
    expect(h.fates('queued')).toHaveLength(10);
    expect(h.fates('merged')).toHaveLength(190);

    clock.advance(61_000);
    await h.promoteDelayed();
    await waitFor(() => wecom.messages.length === 11, 'the storm summary');
    const summary = wecom.messages[10].content;
    expect(summary).toContain('风暴合并: 190 条告警');
    const named = alerts.filter((a) => wecom.messages.some((m) => new RegExp(`${a.title}(?!\\d)`).test(m.content))).length;
    const more = Number(/\+(\d+) more/.exec(summary)?.[1] ?? 0);
    expect(named + more).toBe(200);
  });

  it('a Sentry metric alert that paged resolves at once; one that waited for a digest resolves in the digest', async () => {
    h = await startHarness(robotEnv());
    const metric = (file: string, ruleId: number) => {
      const body = fixture(`sentry/${file}`);
      body.data.metric_alert.alert_rule.id = ruleId;
      body.data.metric_alert.id = `${ruleId}-${body.data.metric_alert.id}`;
      return sentryAlert('metric_alert', body);
    };
    await h.add(metric('metric_alert.critical.json', 1));
    await waitFor(() => wecom.messages.length === 1, 'the critical');
    await h.add(metric('metric_alert.resolved.json', 1));
    await waitFor(() => wecom.messages.length === 2, 'its resolution, at once');
    expect(wecom.messages[1].content).toContain('✅ [Sentry 已解决]');

    await h.add(metric('metric_alert.warning.json', 2));
    await h.add(metric('metric_alert.resolved.json', 2));
    await waitFor(() => h!.fates('digested').length === 2, 'the warning and its resolution digested');
    await h.idle();
    expect(wecom.messages).toHaveLength(2);
  });

  it('a Sentry performance issue waits for the daily digest, saying which kind; an error of the same project pages at once', async () => {
    h = await startHarness(robotEnv());
    const issue = (file: string) => {
      const body = fixture(`sentry/${file}`);
      body.data.issue.project.slug = 'shop-api';
      return sentryAlert('issue', body);
    };
    await h.add(issue('issue.created.performance.json'));
    await h.add(issue('issue.created.json'));
    await waitFor(() => h!.fates().length === 2, 'both fates');
    expect(h.fates('digested').map((l) => l.title)).toEqual(['N+1 Query']);
    expect(String(h.fates('digested')[0].reason)).toMatch(/^digested into \d{4}-\d\d-\d\d 09:00 \(robot-1\)$/);
    await waitFor(() => wecom.messages.length === 1, 'the error card');
    expect(wecom.messages[0].content).toContain('ReferenceError: blooopy is not defined');

    await h.clock.add('digest', { schedule: 'daily' });
    await waitFor(() => wecom.messages.length === 2, 'the daily digest');
    expect(wecom.messages[1].content).toContain('N+1 Query · 🐢 N+1 数据库查询');
  });

  it('a silence holds matching alerts until it ends, then they are sent', async () => {
    const clock = manualClock(Date.now());
    h = await startHarness(robotEnv(), { clock });
    const redis = createRedis(REDIS_URL, 'worker');
    const silences = createSilenceStore({ redis, prefix: h.prefix, cacheMs: 0 });
    const silence = await silences.create({ matchers: { service: 'payments' }, duration: '1h' }, new Date(clock.now()));
    await h.add(criticalAlert(1, { service: 'payments', title: 'PaymentsDown' }));
    await h.add(criticalAlert(2, { service: 'search', title: 'SearchDown' }));
    await waitFor(() => h.fates().length === 2, 'both fates');
    await h.idle();
    expect(h.fates('silenced')[0].reason).toBe(`silenced by ${silence.id}`);
    await waitFor(() => wecom.messages.length === 1, 'the delivery');
    expect(wecom.messages.map((m) => m.content)).toEqual([expect.stringContaining('SearchDown')]);

    clock.advance(3_600_001);
    await h.clock.add('sweep', {});
    await waitFor(() => wecom.messages.length === 2, 'the held alert after the silence');
    expect(wecom.messages[1].content).toContain('PaymentsDown');
    redis.disconnect();
  });
});
