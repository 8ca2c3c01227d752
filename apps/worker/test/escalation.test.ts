import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARD_BUTTONS, QUEUE_NAMES, createRedis, type Alert } from '@ng/core';
import { startFakeWecom, type FakeWecom } from '@ng/testkit';
import { REDIS_URL, startHarness, waitFor, type Harness } from './support/harness';
import { criticalAlert } from './support/alerts';
import { manualClock } from '../src/clock';

// 10:00 in Asia/Shanghai on 2026-12-01: the sre rotation (daily at 09:00 from 2026-11-30) is on its
// second turn, so lisi is on call now and the mobile-only member after him is next.
const TEN_AM = Date.parse('2026-12-01T02:00:00Z');
const POLICY = `
destinations:
  - { id: team, type: robot, key: team-key }
  - { id: leads, type: robot, key: leads-key }
rotations:
  - id: sre
    members: [zhangsan, lisi, { name: 外包值班, mobile: "13800001111" }]
    handoff: "09:00"
    every: 1d
    start: 2026-11-30
routes:
  - name: prod-critical
    match: { severity: critical }
    destinations: [team]
    delivery: immediate
    mention: sre
    escalateAfter: 10m
    escalate: [next, leads]
`;

describe('on-call mentions and escalation', () => {
  let wecom: FakeWecom;
  let h: Harness;
  let actions: Queue;
  const clock = manualClock(TEN_AM);

  const start = async (replicas = 1) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'escalation-'));
    fs.writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
    h = await startHarness({ WEIXIN_API_BASE: wecom.url, POLICY_FILE: path.join(dir, 'policy.yaml') }, { clock, name: 'escalation' });
    for (let i = 1; i < replicas; i++) await h.addReplica();
    actions = new Queue(QUEUE_NAMES.actions, { connection: createRedis(REDIS_URL, 'worker'), prefix: h.prefix });
  };
  const to = (key: string) => wecom.messages.filter((m) => m.key === key);
  const escalations = (level?: number) => h.logs.lines.filter((l) => l.message === '⏫ escalated: nobody claimed the problem' && (level === undefined || l.escalationLevel === level));
  const stopped = () => h.logs.lines.filter((l) => l.message === 'escalation stopped');
  /** The next level is due: as if escalateAfter had passed. */
  const nextLevelDue = async () => {
    clock.advance(10 * 60_000);
    await waitFor(async () => (await h.clock.getDelayed()).some((j) => j.name === 'escalate'), 'the next level to be scheduled');
    await h.promoteDelayed();
    await h.idle();
  };

  beforeEach(async () => {
    clock.set(TEN_AM);
    wecom = await startFakeWecom({ robotKeys: ['team-key', 'leads-key'] });
  });
  afterEach(async () => {
    await actions?.close();
    await h?.close();
    await wecom.close();
  });

  it('an unclaimed critical @-mentions who is on call, then escalates once per level: the next person, then the leads', async () => {
    await start(3);
    const alert: Alert = criticalAlert(1);
    await h.add(alert);
    await waitFor(() => to('team-key').length === 1, 'the first card');
    expect(to('team-key')[0].content).toContain('<@lisi>');

    await nextLevelDue();
    await waitFor(() => wecom.messages.length === 3, 'level 1: the card again and the phone mention');
    const [, again, phone] = wecom.messages;
    expect(again.key).toBe('team-key');
    expect(again.content).toContain('⏫');
    // The next member has only a phone number: a text message @-mentions it.
    expect(phone.msgtype).toBe('text');
    expect(phone.body).toMatchObject({ text: { mentioned_mobile_list: ['13800001111'] } });
    expect(phone.content).toContain('⏫ 升级 1: Problem1');

    await nextLevelDue();
    await waitFor(() => to('leads-key').length === 1, 'level 2 to the leads');
    expect(to('leads-key')[0].content).toMatch(/⏫.*升级 2/);
    // A level that names no one @-mentions whoever is on call in the route's rotation.
    expect(to('leads-key')[0].content).toContain('<@lisi>');
    // No level 3: nothing more is scheduled, and every level went out once across 3 workers.
    await h.idle();
    expect((await h.clock.getDelayed()).filter((j) => j.name === 'escalate')).toHaveLength(0);
    expect(wecom.messages).toHaveLength(4);
    expect(escalations().map((l) => l.escalationLevel)).toEqual([1, 2]);
  });

  it('a claim stops the next level', async () => {
    await start();
    const alert = criticalAlert(2);
    await h.add(alert);
    await waitFor(() => to('team-key').length === 1, 'the first card');
    await actions.add('act', { via: 'console', userId: 'lisi', name: '李四', eventKey: CARD_BUTTONS.claim.key, alertId: alert.idempotencyKey, atMs: clock.now() });
    await waitFor(() => h.logs.lines.some((l) => l.message === 'card action'), 'the claim');

    await nextLevelDue();
    expect(stopped()).toEqual([expect.objectContaining({ escalationLevel: 1, reason: 'claimed by 李四' })]);
    expect(escalations()).toHaveLength(0);
    expect(wecom.messages).toHaveLength(1);
  });

  it('the resolution stops it; the problem firing again starts a new escalation', async () => {
    await start();
    await h.add(criticalAlert(3, { key: 'am:flappy' }));
    await waitFor(() => wecom.messages.length === 1, 'the first card');
    await h.add(criticalAlert(3, { key: 'am:flappy', status: 'resolved' }));
    await waitFor(() => wecom.messages.length === 2, 'the resolution');

    await nextLevelDue();
    expect(stopped()).toEqual([expect.objectContaining({ escalationLevel: 1, reason: 'the problem resolved (or fired again since)' })]);
    expect(wecom.messages).toHaveLength(2);

    clock.advance(60 * 60_000); // past the dedup window: a new firing is news
    await h.add(criticalAlert(3, { key: 'am:flappy' }));
    await waitFor(() => wecom.messages.length === 3, 'it fires again');
    await nextLevelDue();
    await waitFor(() => escalations(1).length === 1, 'the new escalation');
  });

  it('warnings and cards from routes without levels never escalate', async () => {
    await start();
    await h.add(criticalAlert(4, { severity: 'warning', environment: 'testing' }));
    // testing: sent at once, to the default destinations (both robots), by a route without levels.
    await waitFor(() => wecom.messages.length === 2, 'the warning');
    await h.idle();
    expect((await h.clock.getDelayed()).filter((j) => j.name === 'escalate')).toHaveLength(0);
  });
});
