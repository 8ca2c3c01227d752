import { afterAll, describe, expect, it } from 'vitest';
import { createAckStore, createRedis, createSilenceStore, defaultPolicy, loadConfig, type ActivePolicy, type Alert, type Decision, type Policy } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { manualClock } from '../src/clock';
import { createDecider } from '../src/decide';
import { createRouter } from '../src/decide/route';
import { createDedup } from '../src/decide/dedup';
import { createDigestSplit } from '../src/decide/digest';
import { createStormSplit } from '../src/decide/storm';
import { createSilenceGate } from '../src/decide/silence';
import { createProblemStore, SEEN_KEPT } from '../src/store/problems';
import { createDigestStore } from '../src/store/digests';
import { createStormStore } from '../src/store/storm';
import { createEscalationStore } from '../src/store/escalations';
import { collect, REDIS_URL, uniquePrefix } from './support/harness';
import { criticalAlert, seedSentryAlert } from './support/alerts';

/** A policy that no reload replaces. */
const fixed = (policy: Policy): ActivePolicy => ({ current: { policy, built: undefined, loadedAt: 0 }, reload: () => ({ ok: true, hash: policy.hash, changed: false }) });

/** Each decision stage on its own: plain values in, plain values out; real Redis where a stage keeps state. */
const redis = createRedis(REDIS_URL, 'worker');
const prefixes: string[] = [];
afterAll(async () => {
  redis.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

function stores(dedupWindowMs = 600_000, maxProblems = 1000) {
  const prefix = uniquePrefix('decide');
  prefixes.push(prefix);
  const clock = manualClock(Date.parse('2026-12-04T06:00:00Z'));
  return {
    prefix,
    clock,
    problems: createProblemStore({ redis, prefix, dedupWindowMs: () => dedupWindowMs, clock, maxProblems }),
    digests: createDigestStore({ redis, prefix }),
    storm: createStormStore({ redis, prefix, clock }),
    silences: createSilenceStore({ redis, prefix, cacheMs: 0 }),
    acks: createAckStore({ redis, prefix, retentionMs: 86_400_000 }),
    escalations: createEscalationStore({ redis, prefix, retentionMs: 86_400_000 }),
    tz: 'Asia/Shanghai',
  };
}
const decision = (destinationId: string, delivery: Decision['delivery']): Decision => ({ destinationId, delivery, mentions: [], route: 'default' });

describe('route (no state)', () => {
  const route = createRouter({ active: fixed(defaultPolicy(loadConfig({ WEIXIN_ROBOT_KEY: 'k' }))), clock: manualClock(0), tz: 'Asia/Shanghai' });
  it.each([
    [{ severity: 'critical' }, ['robot-1:immediate'], undefined],
    [{ severity: 'info' }, ['robot-1:daily'], undefined],
    [{ environment: 'development' }, [], 'development-not-sent'],
  ] as Array<[Partial<Alert>, string[], string | undefined]>)('%o → %o', (overrides, expected, droppedBy) => {
    const out = route(criticalAlert(1, overrides));
    expect(out.decisions.map((d) => `${d.destinationId}:${d.delivery}`)).toEqual(expected);
    expect(out.droppedBy).toBe(droppedBy);
  });
});

describe('route: a rotation mentioned by a route', () => {
  const policy: Policy = {
    ...defaultPolicy(loadConfig({ WEIXIN_ROBOT_KEY: 'k' })),
    rotations: [{ id: 'sre', members: [{ userid: 'zhangsan' }, { mobile: '13800001111' }], handoff: '09:00', every: '1d', start: '2026-12-01' }],
    routes: [{ name: 'paged', match: {}, destinations: ['robot-1'], delivery: 'immediate', mentions: ['boss'], mention: 'sre' }],
  };
  const clock = manualClock(Date.parse('2026-12-01T02:00:00Z')); // 10:00 in Shanghai: zhangsan's day
  const route = createRouter({ active: fixed(policy), clock, tz: 'Asia/Shanghai' });
  it.each([
    ['the first day: zhangsan, by user id, beside the route\'s own mentions', '2026-12-01T02:00:00Z', ['boss', 'zhangsan'], undefined],
    ['before 09:00 the next day: still zhangsan', '2026-12-02T00:59:00Z', ['boss', 'zhangsan'], undefined],
    ['from 09:00: the member known by phone only', '2026-12-02T01:00:00Z', ['boss'], ['13800001111']],
  ])('%s', (_name, at, mentions, mobiles) => {
    clock.set(Date.parse(at));
    const [decision] = route(criticalAlert(1)).decisions;
    expect(decision.mentions).toEqual(mentions);
    expect(decision.mentionMobiles).toEqual(mobiles);
  });
});

describe('dedup', () => {
  it('first → send (first time); same problem and status within the window → duplicate; a Sentry error repeats as warning', async () => {
    const s = stores(60_000);
    const dedup = createDedup(s);
    const first = await dedup(seedSentryAlert({ key: 'sentry:1' }), 'job-1');
    expect(first).toMatchObject({ kind: 'send', firstTime: true, alert: { severity: 'critical' } });
    expect(await dedup(seedSentryAlert({ key: 'sentry:1' }), 'job-2')).toMatchObject({ kind: 'duplicate', of: 'job-1', totals: { count: 2 } });
    s.clock.advance(61_000);
    expect(await dedup(seedSentryAlert({ key: 'sentry:1' }), 'job-3')).toMatchObject({ kind: 'send', firstTime: false, alert: { severity: 'warning' }, totals: { count: 3 } });
  });

  it("a notification seen again (a retried job, a resent webhook) counts once while it is among its problem's latest", async () => {
    const s = stores();
    const dedup = createDedup(s);
    const resent = criticalAlert(1);
    expect(await dedup(resent, 'job-1')).toMatchObject({ totals: { count: 1 } });
    expect(await dedup(resent, 'job-1')).toMatchObject({ kind: 'send', totals: { count: 1 } });
    expect(await dedup(resent, 'job-9')).toMatchObject({ kind: 'duplicate', totals: { count: 1 } });
    for (let n = 0; n < SEEN_KEPT - 1; n++) await dedup(criticalAlert(1), `job-${n + 10}`);
    expect(await dedup(resent, 'job-1')).toMatchObject({ totals: { count: SEEN_KEPT } });
    // Past SEEN_KEPT newer notifications of the same problem, it is forgotten: a resend counts again.
    await dedup(criticalAlert(1), 'job-20');
    expect(await dedup(resent, 'job-1')).toMatchObject({ totals: { count: SEEN_KEPT + 2 } });
    const problem = await redis.hgetall(`${s.prefix}:problem:${resent.key}`);
    expect(problem.seen).toHaveLength(32 * SEEN_KEPT);
    expect(await redis.keys(`${s.prefix}:seen:*`)).toEqual([]);
  });

  it('remembers at most maxProblems problems, forgetting the least recently heard of', async () => {
    const s = stores(600_000, 3);
    const dedup = createDedup(s);
    for (const n of [1, 2, 3, 4, 5, 1]) {
      await dedup(criticalAlert(n), `job-${n}`);
      s.clock.advance(1000);
    }
    expect(await s.problems.forget()).toBe(2);
    const known = async () => (await Promise.all([1, 2, 3, 4, 5].map(async (n) => ((await s.problems.totals(`am:problem-${n}`)) ? n : 0)))).filter(Boolean);
    expect(await known()).toEqual([1, 4, 5]);
    expect(await s.problems.forget()).toBe(0);
    // A forgotten problem that comes back (past its claim's window) starts over: its first time again.
    s.clock.advance(11 * 60_000);
    expect(await dedup(criticalAlert(2), 'job-6')).toMatchObject({ kind: 'send', firstTime: true, totals: { count: 1 } });
    expect(await s.problems.forget()).toBe(1);
    expect(await known()).toEqual([1, 2, 5]);
    // Problems past the retention leave the index (their state has expired on its own).
    s.clock.advance(8 * 24 * 3600 * 1000);
    expect(await s.problems.forget()).toBe(0);
    expect(await redis.zcard(`${s.prefix}:problems`)).toBe(0);
  });

  it('forgets a large excess in batches, down to the cap', async () => {
    const s = stores(600_000, 100);
    const dedup = createDedup(s);
    await Promise.all(Array.from({ length: 2600 }, (_, n) => dedup(criticalAlert(n), `job-${n}`)));
    expect(await s.problems.forget()).toBe(2500);
    expect(await redis.zcard(`${s.prefix}:problems`)).toBe(100);
    expect(await redis.keys(`${s.prefix}:problem:*`)).toHaveLength(100);
  });
});

describe('silence gate', () => {
  it('holds a matching alert and frees its claim', async () => {
    const s = stores();
    const dedup = createDedup(s);
    const gate = createSilenceGate(s);
    const silence = await s.silences.create({ matchers: { service: 'pay' }, duration: '1h' }, new Date(s.clock.now()));
    const alert = criticalAlert(1, { service: 'pay' });
    await dedup(alert, 'job-1');
    expect((await gate(alert, 'job-1'))?.id).toBe(silence.id);
    // The claim is free: the next occurrence is not a duplicate of the silenced one.
    expect((await dedup({ ...alert, idempotencyKey: 'b'.repeat(32) }, 'job-2')).kind).toBe('send');
    expect(await gate(criticalAlert(2, { service: 'search' }), 'job-3')).toBeUndefined();
  });
});

describe('digest split', () => {
  it('waits, escalates out of the digest, and lets a paged problem resolve at once', async () => {
    const s = stores();
    const split = createDigestSplit({ ...s, nextDigestLabel: (schedule) => (schedule === 'hourly' ? '15:00' : '2026-12-05 09:00') });
    const warning = criticalAlert(1, { severity: 'warning' });
    expect(await split(warning, [decision('ops', 'hourly')], true)).toEqual({ immediate: [], digested: [{ decision: decision('ops', 'hourly'), schedule: 'hourly', at: '15:00' }] });
    const pending = () => redis.hkeys(`${s.prefix}:digest:hourly:ops`);
    expect(await pending()).toEqual([warning.key]);
    // It escalated: out now, and out of the digest.
    expect((await split({ ...warning, severity: 'critical' }, [decision('ops', 'immediate')], false)).immediate).toHaveLength(1);
    expect(await pending()).toEqual([]);
    // Paged once: its resolution is not held for the digest its own severity would choose.
    await s.problems.markPaged(warning.key, 'ops');
    expect((await split({ ...warning, status: 'resolved' }, [decision('ops', 'hourly'), decision('daily-only', 'daily')], false)).immediate.map((d) => d.destinationId)).toEqual(['ops']);
  });
});

describe('storm split', () => {
  it('past the threshold the next alerts are merged, and the first merged one schedules the summary', async () => {
    const s = stores();
    const scheduled: string[] = [];
    const split = createStormSplit({ ...s, threshold: 2, scheduleSummary: async (d) => void scheduled.push(d) });
    const results = [];
    for (let n = 1; n <= 4; n++) results.push(await split(criticalAlert(n), [decision('ops', 'immediate')], `job-${n}`));
    expect(results.map((r) => (r.single.length ? 'single' : 'merged'))).toEqual(['single', 'single', 'merged', 'merged']);
    expect(scheduled).toEqual(['ops']);
    expect((await collect(s.storm.scan('ops'))).map((a) => a.title)).toEqual(['Problem3', 'Problem4']);
    // A retried decision is counted once; the gateway's own test card is never merged.
    expect((await split(criticalAlert(1), [decision('ops', 'immediate')], 'job-1')).merged).toHaveLength(1);
    expect((await split(criticalAlert(9, { source: 'test' }), [decision('ops', 'immediate')], 'job-9')).single).toHaveLength(1);
  });

  it('a worker killed between opening the storm buffer and scheduling its summary: the retry schedules it', async () => {
    const s = stores();
    const scheduled: string[] = [];
    let killed = false;
    const split = createStormSplit({
      ...s,
      threshold: 1,
      scheduleSummary: async (d) => {
        // The first attempt dies here, as under kill -9: the buffer holds the alert, no tick is queued.
        if (!killed) {
          killed = true;
          throw new Error('killed');
        }
        scheduled.push(d);
      },
    });
    const opener = criticalAlert(2);
    await split(criticalAlert(1), [decision('ops', 'immediate')], 'job-1');
    await expect(split(opener, [decision('ops', 'immediate')], 'job-2')).rejects.toThrow('killed');
    // Another alert joins the storm before the retry: it opened nothing, so it schedules nothing.
    await split(criticalAlert(3), [decision('ops', 'immediate')], 'job-3');
    expect(scheduled).toEqual([]);
    await split(opener, [decision('ops', 'immediate')], 'job-2');
    expect(scheduled).toEqual(['ops']);
    // Once a summary took the buffer, the next alert opens a new one.
    const waiting = await collect(s.storm.scan('ops'));
    expect(await s.storm.trim('ops', waiting.length)).toBe(0);
    await split(criticalAlert(4), [decision('ops', 'immediate')], 'job-4');
    expect(scheduled).toEqual(['ops', 'ops']);
  });
});

describe('the decider: fate and messages from plain values', () => {
  it.each([
    ['critical', criticalAlert(1), 'queued', 'to robot-1', 1],
    ['warning', criticalAlert(2, { severity: 'warning' }), 'digested', 'digested into 15:00 (robot-1)', 0],
    ['development', criticalAlert(3, { environment: 'development' }), 'dropped', 'dropped by policy (development-not-sent)', 0],
  ] as Array<[string, Alert, string, string, number]>)('%s → %s', async (_name, alert, fate, reason, messages) => {
    const s = stores();
    const decide = createDecider({ ...s, active: fixed(defaultPolicy(loadConfig({ WEIXIN_ROBOT_KEY: 'k' }))), stormThreshold: 10, nextDigestLabel: () => '15:00', scheduleStormSummary: async () => undefined });
    const outcome = await decide({ alert }, 'job-1');
    expect(outcome).toMatchObject({ fate, reason });
    expect(outcome.plan.map((p) => p.as)).toEqual(fate === 'queued' ? ['card'] : fate === 'digested' ? ['hourly digest'] : []);
    expect(outcome.deliveries).toHaveLength(messages);
    if (messages) expect(outcome.deliveries[0]).toEqual({ destinationId: 'robot-1', message: { kind: 'alert', alert, totals: expect.objectContaining({ count: 1 }), repeat: false, mentions: [], claimant: 'job-1' } });
    expect(await decide({ alert }, 'job-2')).toMatchObject({ fate: 'duplicate', reason: 'duplicate of job-1', deliveries: [] });
  });

  it('a job that does not match the queue contract fails for good', async () => {
    const s = stores();
    const decide = createDecider({ ...s, active: fixed(defaultPolicy(loadConfig({}))), stormThreshold: 10, nextDigestLabel: () => '', scheduleStormSummary: async () => undefined });
    await expect(decide({ alert: { title: 'no key' } }, 'job-1')).rejects.toThrow(/does not match the queue contract/);
  });
});
