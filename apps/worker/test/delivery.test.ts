import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '@ng/testkit';
import { startHarness, waitFor, type Harness } from './support/harness';
import { criticalAlert, seedAlertmanagerAlert, seedSentryAlert } from './support/alerts';
import { seedCards } from './support/seed';
import { DRY_RUN_LINE } from '../src/deliver/processor';

/** The worker delivering to a fake WeCom that speaks the real errcodes and limits. */
describe('delivery to WeCom', () => {
  let wecom: FakeWecom;
  let h: Harness;
  const appEnv = () => ({
    WEIXIN_API_BASE: wecom.url,
    WEIXIN_CORP_ID: wecom.corpId,
    WEIXIN_CORP_SECRET: wecom.corpSecret,
    WEIXIN_AGENT_ID: String(wecom.agentId),
    WEIXIN_TO_USER: 'zhangsan|lisi',
    APP_RATE_LIMIT_PER_MIN: '1000',
    // These tests are about delivery, not noise: no storm summaries.
    STORM_THRESHOLD: '1000',
  });
  const robotEnv = () => ({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'robot-key-one-secret' });

  beforeEach(async () => {
    wecom = await startFakeWecom();
  });
  afterEach(async () => {
    await h?.close();
    await wecom.close();
  });

  it('sends the seed cards byte for byte through the app channel', async () => {
    h = await startHarness(appEnv());
    const seed = seedCards();
    await h.add(seedSentryAlert(), seedAlertmanagerAlert());
    await waitFor(() => wecom.messages.length === 2, 'two app messages');
    const contents = wecom.messages.map((m) => m.content).sort();
    expect(contents).toEqual([seed.sentry, seed.alertmanager].sort());
    expect(wecom.messages.every((m) => m.msgtype === 'text' && m.body.touser === 'zhangsan|lisi')).toBe(true);
    await waitFor(() => h.logs.lines.filter((l) => l.message === '消息发送成功').length === 2, 'two 消息发送成功 log lines');
  });

  it('sends the seed cards as coloured markdown through the robot', async () => {
    h = await startHarness(robotEnv());
    await h.add(seedAlertmanagerAlert());
    await waitFor(() => wecom.messages.length === 1, 'a robot message');
    const [message] = wecom.messages;
    expect(message.msgtype).toBe('markdown');
    expect(message.content.split('\n')[0]).toBe('<font color="warning">**🔥 [FIRING] RedisConnectionFailed**</font>');
    for (const line of seedCards().alertmanager.split('\n').slice(2, 7)) expect(message.content).toContain(`> ${line}`);
  });

  it('writes the seed card to the log when no WeCom is configured', async () => {
    h = await startHarness({});
    await h.add(seedSentryAlert());
    await waitFor(() => h.logs.lines.some((l) => l.message === DRY_RUN_LINE), 'a log delivery');
    // Nothing reached WeCom: the seed's grep for 消息发送成功 finds nothing.
    expect(h.logs.raw.some((l) => l.includes('消息发送成功'))).toBe(false);
    const card = h.logs.lines.find((l) => l.dryRun === true && l.card !== undefined);
    expect(card?.card).toBe(seedCards().sentry);
    // Then the card as text, for people: every line of it, indented under its JSON line.
    const at = h.logs.raw.findIndex((l) => l.includes('"card":'));
    expect(h.logs.raw.slice(at + 1, at + 1 + seedCards().sentry.split('\n').length)).toEqual(seedCards().sentry.split('\n').map((l) => `    ${l}`));
    expect(h.logs.lines.some((l) => l.level === 'warn' && String(l.message).startsWith('DRY RUN: nothing will reach WeCom'))).toBe(true);
    expect(wecom.sendCalls + wecom.robotCalls).toBe(0);
  });

  it('fetches one token for 100 sends and refreshes it once when WeCom drops it', async () => {
    h = await startHarness(appEnv());
    await h.add(...Array.from({ length: 100 }, (_, i) => criticalAlert(i)));
    await waitFor(() => wecom.messages.length === 100, '100 messages');
    expect(wecom.gettokenCalls).toBe(1);

    wecom.expireTokens();
    await h.add(criticalAlert(1000));
    await waitFor(() => wecom.messages.length === 101, 'the message after the token expired');
    await h.idle();
    expect(wecom.gettokenCalls).toBe(2);
    expect(wecom.messages.filter((m) => m.content.includes('Problem1000'))).toHaveLength(1);
  });

  it('retries 5xx with backoff and delivers once', async () => {
    h = await startHarness(appEnv());
    wecom.script('app', [{ httpStatus: 502 }, { httpStatus: 500 }, { httpStatus: 503 }]);
    await h.add(criticalAlert(1));
    await waitFor(() => wecom.messages.length === 1, 'the delivery after three 5xx');
    await h.idle();
    expect(wecom.sendCalls).toBe(4);
    expect(wecom.messages).toHaveLength(1);
    expect(h.logs.lines.filter((l) => l.message === '消息发送失败' && l.reason === 'http_5xx')).toHaveLength(3);
  });

  it('defers on 45009 without spending an attempt, no sooner than the configured minimum', async () => {
    h = await startHarness({ ...robotEnv(), FREQ_LIMIT_DELAY_MS: '1500', DELIVERY_ATTEMPTS: '1' });
    wecom.script('robot', [{ errcode: 45009, errmsg: 'api freq out of limit' }]);
    const queuedAt = Date.now();
    await h.add(criticalAlert(1));
    await waitFor(() => wecom.messages.length === 1, 'the delivery after 45009');
    // One attempt allowed, yet delivered: the deferral did not use it up.
    expect(wecom.messages[0].at - queuedAt).toBeGreaterThanOrEqual(1500);
  });

  it('fails 93000 at once, keeps the job in the failed set and says what to fix', async () => {
    h = await startHarness({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'removed-robot-key' });
    await h.add(criticalAlert(1));
    await waitFor(async () => (await h.deliveries.getFailedCount()) === 1, 'the job in the failed set');
    expect(wecom.robotCalls).toBe(1);
    const failure = h.logs.lines.find((l) => l.message === '消息发送失败');
    expect(failure).toMatchObject({ level: 'error', errcode: 93000, action: 'permanent' });
    expect(String(failure?.hint)).toContain('WEIXIN_ROBOT_KEY');
    const [job] = await h.deliveries.getFailed();
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('robot_invalid');
  });

  it('renders shorter after 40058 instead of resending the same body', async () => {
    h = await startHarness(robotEnv());
    wecom.script('robot', [{ errcode: 40058, errmsg: 'markdown.content exceed max length 4096. invalid Request Parameter' }]);
    await h.add(criticalAlert(1, { description: '磁盘空间不足，'.repeat(150) }));
    await waitFor(() => wecom.messages.length >= 1, 'the shorter delivery');
    await h.idle();
    expect(wecom.messages.every((m) => Buffer.byteLength(m.content) <= 2048)).toBe(true);
    expect(wecom.robotCalls).toBe(wecom.messages.length + 1);
  });

  it('splits a 10 KB Chinese description into numbered parts that each fit', async () => {
    h = await startHarness(appEnv());
    const description = '数据库连接池耗尽，请求排队超时。'.repeat(220); // ≈ 10.5 KB
    await h.add(criticalAlert(1, { description }));
    await waitFor(() => wecom.messages.length >= 2, 'the parts');
    await h.idle();
    const parts = wecom.messages.map((m) => m.content);
    expect(parts.every((p) => Buffer.byteLength(p) <= 2048)).toBe(true);
    parts.forEach((p, i) => expect(p.split('\n')[0]).toBe(`🔥 [FIRING] Problem1 (${i + 1}/${parts.length})`));
  });

  it('a delivery job that breaks the queue contract, or names a destination the policy lacks, fails for good with the reason', async () => {
    h = await startHarness(robotEnv());
    const card = { kind: 'alert', alert: criticalAlert(1), repeat: false, mentions: [], claimant: 'x' };
    await h.deliveries.add('bad', { destinationId: 'robot-1', message: { kind: 'fax' } }, { jobId: 'bad-kind' });
    await h.deliveries.add('gone', { destinationId: 'removed-group', message: card }, { jobId: 'gone' });
    await waitFor(async () => (await h.deliveries.getFailedCount()) === 2, 'both in the failed set');
    const reasons = Object.fromEntries((await h.deliveries.getFailed()).map((j) => [j.id, j.failedReason]));
    expect(reasons['bad-kind']).toMatch(/does not match the queue contract: .*message\.kind must be alert, card-update, digest or storm/);
    expect(reasons.gone).toMatch(/destination "removed-group" is not in the policy/);
    expect(wecom.robotCalls).toBe(0);
  });

  it('reports who was missed on a partial success and never logs a secret', async () => {
    h = await startHarness({ ...appEnv(), WEIXIN_TO_USER: 'zhangsan|ghost1' });
    await h.add(criticalAlert(1));
    await waitFor(() => h.logs.lines.some((l) => String(l.message).startsWith('部分接收人')), 'the partial-success warning');
    const warning = h.logs.lines.find((l) => String(l.message).startsWith('部分接收人'));
    expect(warning?.missed).toEqual({ users: ['ghost1'] });
    const everything = h.logs.raw.join('\n');
    expect(everything).not.toContain(wecom.corpSecret);
    expect(everything).not.toContain('fake-access-token');
  });
});
