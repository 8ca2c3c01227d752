import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '@ng/testkit';
import { startHarness, waitFor, type Harness } from './support/harness';
import { criticalAlert } from './support/alerts';

/** One destination failing for good must not delay or block any other destination of the same alert. */
describe('destinations fail alone', () => {
  let wecom: FakeWecom;
  let h: Harness | undefined;
  const both = (overrides: Record<string, string>) => ({
    WEIXIN_API_BASE: wecom.url,
    WEIXIN_CORP_ID: wecom.corpId,
    WEIXIN_CORP_SECRET: wecom.corpSecret,
    WEIXIN_AGENT_ID: String(wecom.agentId),
    WEIXIN_ROBOT_KEY: 'robot-key-one-secret',
    ...overrides,
  });

  beforeEach(async () => {
    wecom = await startFakeWecom();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await wecom.close();
  });

  const cases: Array<[string, Record<string, string>, 'app' | 'robot', number]> = [
    ['app with a wrong corp id (40013), robot healthy', { WEIXIN_CORP_ID: 'ww-wrong-corp' }, 'robot', 40013],
    ['app from an untrusted IP (60020), robot healthy', {}, 'robot', 60020],
    ['robot key removed (93000), app healthy', { WEIXIN_ROBOT_KEY: 'removed-robot-key' }, 'app', 93000],
  ];
  it.each(cases)('%s', async (_name, overrides, healthy, errcode) => {
    // Both cards may wait for one token fetch or make one each: script enough answers for either.
    if (errcode === 60020) wecom.script('gettoken', [1, 2].map(() => ({ errcode: 60020, errmsg: 'not allow to access from your ip' })));
    h = await startHarness(both(overrides));
    await h.add(criticalAlert(1), criticalAlert(2));
    await waitFor(() => wecom.messages.filter((m) => m.api === healthy).length === 2, `both cards at the ${healthy}`);
    await waitFor(async () => (await h!.deliveries.getFailedCount()) === 2, 'the broken destination in the failed set');
    const failed = await h.deliveries.getFailed();
    expect(failed.every((j) => j.attemptsMade === 1 && j.failedReason.includes(`errcode ${errcode}`))).toBe(true);
    expect(h.logs.lines.filter((l) => l.message === '消息发送失败').every((l) => l.errcode === errcode && typeof l.hint === 'string')).toBe(true);
  });

  it('a digest that fails says so like any message: 消息发送失败 with errcode and hint, counted by kind', async () => {
    h = await startHarness({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'removed-robot-key' });
    await h.add(criticalAlert(1, { severity: 'warning' }));
    await waitFor(() => h!.fates('digested').length === 1, 'digested');
    await h.clock.add('digest', { schedule: 'hourly' });
    await waitFor(() => h!.logs.lines.some((l) => l.message === '消息发送失败'), 'the failure line');
    const failure = h.logs.lines.find((l) => l.message === '消息发送失败');
    expect(failure).toMatchObject({ kind: 'digest', errcode: 93000, action: 'permanent', level: 'error' });
    expect(String(failure?.hint)).toContain('WEIXIN_ROBOT_KEY');
    await waitFor(async () => (await h!.deliveries.getFailedCount()) === 1, 'the digest in the failed set');
  });

  it('a policy whose destination cannot work stops start-up, naming the destination', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'policy-')), 'policy.yaml');
    fs.writeFileSync(file, 'destinations:\n  - { id: oncall, type: app }\n  - { id: ops, type: robot, key: "${OPS_KEY}" }\n');
    await expect(startHarness({ WEIXIN_API_BASE: wecom.url, POLICY_FILE: file, OPS_KEY: 'k' })).rejects.toThrow(/destinations\[0\] \(oncall\) is an app destination/);
    expect(wecom.requests).toEqual([]);
  });
});
