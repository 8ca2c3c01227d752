import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryReader, createHistoryWriter, createRedis, type Alert, type HistoryWriter, type ListWriter } from '../src';

/** The alert history against real Redis, under a prefix of its own that is deleted afterwards. */
const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'worker');
const prefix = `{t-history-${randomBytes(4).toString('hex')}}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  redis.disconnect();
});

const T0 = Date.parse('2026-12-04T02:00:00Z');
function alert(n: number, overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'alertmanager', kind: 'alertmanager', key: `am:p${n % 10}`, idempotencyKey: `${n}`.padStart(32, '0'), status: 'firing', severity: n % 3 === 0 ? 'critical' : 'warning',
    title: `DiskFull${n}`, service: n % 2 ? 'api' : 'db', environment: 'production', labels: { alertname: `DiskFull${n}` }, receivedAt: new Date(T0 + n * 1000).toISOString(), ...overrides,
  };
}

/** A list as a flush writes it: its ids in slices of 1,000, then what it is. */
async function recordList(writer: HistoryWriter, id: string, meta: Omit<Parameters<ListWriter['finish']>[0], 'first'>, ids: string[], first?: string[]) {
  const list = await writer.startList(id);
  for (let i = 0; i < ids.length; i += 1000) await list.append(ids.slice(i, i + 1000));
  await list.finish({ ...meta, first });
}

describe('alert history', () => {
  const writer = createHistoryWriter({ redis, prefix, retentionMs: 7 * 86_400_000, maxAlerts: 1000 });
  const reader = createHistoryReader({ redis, prefix });

  it('keeps each decision, message and list, and pages through them newest first with filters', async () => {
    for (let n = 1; n <= 120; n++) {
      const a = alert(n);
      await writer.recordDecision(a.idempotencyKey, { alert: a, fate: n % 4 === 0 ? 'duplicate' : 'queued', reason: 'to app', plan: [{ destinationId: 'app', route: 'default', as: 'card' }], decidedAtMs: T0 + n * 1000 });
    }
    const first = await reader.query({}, { limit: 50 });
    expect(first.alerts.map((a) => a.title).slice(0, 3)).toEqual(['DiskFull120', 'DiskFull119', 'DiskFull118']);
    const second = await reader.query({}, { limit: 50, cursor: first.next! });
    const third = await reader.query({}, { limit: 50, cursor: second.next! });
    expect([...first.alerts, ...second.alerts, ...third.alerts].map((a) => a.title)).toEqual(Array.from({ length: 120 }, (_, i) => `DiskFull${120 - i}`));
    expect(third.next).toBeNull();

    const filtered = await reader.query({ severity: 'critical', service: 'db', fate: 'queued', q: 'diskfull1' }, { limit: 500 });
    expect(filtered.alerts.map((a) => a.title)).toEqual(['DiskFull114', 'DiskFull102', 'DiskFull18']);
    const range = await reader.query({ fromMs: T0 + 10_000, toMs: T0 + 12_000 }, { limit: 500 });
    expect(range.alerts.map((a) => a.title)).toEqual(['DiskFull12', 'DiskFull11', 'DiskFull10']);

    await writer.recordAlertMessage(alert(7).idempotencyKey, 'job-7', { at: new Date(T0).toISOString(), destinationId: 'app', channel: 'app', kind: 'alert', outcome: 'sent', attempt: 1, errcode: 0, msgid: 'm7' });
    await recordList(writer, 'list-1', { kind: 'storm', destinationId: 'app', heading: '风暴合并: 2 条告警', atMs: T0 }, [alert(7).idempotencyKey, alert(8).idempotencyKey]);
    await writer.recordListMessage('list-1', 'job-l', { at: new Date(T0 + 1).toISOString(), destinationId: 'app', channel: 'app', kind: 'storm', outcome: 'sent', attempt: 1 });
    const record = await reader.get(alert(7).idempotencyKey);
    expect(record).toMatchObject({ fate: 'queued', reason: 'to app', plan: [{ as: 'card' }], messages: [{ outcome: 'sent', msgid: 'm7' }], lists: [{ id: 'list-1', kind: 'storm', messages: [{ outcome: 'sent' }] }] });
    expect((await reader.list('list-1', { offset: 0, limit: 200 }))?.alerts.map((a) => a.title)).toEqual(['DiskFull7', 'DiskFull8']);
    expect((await reader.list('list-1', { offset: 1, limit: 200 }))?.alerts.map((a) => a.title)).toEqual(['DiskFull8']);
    // The digest of a busy hour: 150,000 alerts in one list (one call for all their summaries overflowed the stack).
    const busy = [alert(9).idempotencyKey, ...Array.from({ length: 150_000 }, (_, n) => `gone-${n}`), alert(10).idempotencyKey];
    await recordList(writer, 'list-busy', { kind: 'digest', destinationId: 'app', heading: '每小时汇总', atMs: T0 }, busy);
    expect((await reader.list('list-busy', { offset: 0, limit: busy.length }))?.alerts.map((a) => a.title)).toEqual(['DiskFull9', 'DiskFull10']);
    expect(await reader.list('list-busy', { offset: 150_001, limit: 200 })).toMatchObject({ total: 150_002, alerts: [{ title: 'DiskFull10' }] });
    // What its card showed opens its page, in the card's order, each once; a list written again starts from nothing.
    await recordList(writer, 'list-busy', { kind: 'digest', destinationId: 'app', heading: '每小时汇总', atMs: T0 }, busy, [alert(10).idempotencyKey, 'gone-77', alert(9).idempotencyKey]);
    const ids = await redis.lrange(`${prefix}:h:l:list-busy:ids`, 0, -1);
    expect(ids.slice(0, 5)).toEqual([alert(10).idempotencyKey, 'gone-77', alert(9).idempotencyKey, 'gone-0', 'gone-1']);
    expect(ids).toHaveLength(busy.length);
    expect(new Set(ids)).toEqual(new Set(busy));
    expect((await reader.list('list-busy', { offset: 0, limit: 3 }))?.alerts.map((a) => a.title)).toEqual(['DiskFull10', 'DiskFull9']);
    // A list written by the release before kept its ids in one field of its hash: still read.
    await redis.hset(`${prefix}:h:l:list-old`, 'meta', JSON.stringify({ id: 'list-old', kind: 'digest', destinationId: 'app', heading: '每小时汇总', at: new Date(T0).toISOString() }), 'ids', JSON.stringify([alert(7).idempotencyKey, alert(8).idempotencyKey, alert(9).idempotencyKey]));
    expect(await reader.list('list-old', { offset: 1, limit: 200 })).toMatchObject({ id: 'list-old', total: 3, alerts: [{ title: 'DiskFull8' }, { title: 'DiskFull9' }] });
    // The alerts it lists that the history no longer holds are not brought back as records without an expiry.
    expect(await redis.exists(`${prefix}:h:a:gone-7`)).toBe(0);
    expect(await reader.get(alert(9).idempotencyKey)).toMatchObject({ lists: [{ id: 'list-busy' }] });

    const problem = await reader.problem('am:p7');
    expect(problem?.timeline.map((t) => t.id)).toEqual([117, 107, 97, 87, 77, 67, 57, 47, 37, 27, 17, 7].map((n) => alert(n).idempotencyKey));
    expect((await reader.openProblems()).map((p) => p.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `am:p${i}`));
    const resolved = alert(121, { key: 'am:p1', status: 'resolved' });
    await writer.recordDecision(resolved.idempotencyKey, { alert: resolved, fate: 'queued', reason: '', plan: [], decidedAtMs: T0 + 121_000 });
    expect((await reader.openProblems()).map((p) => p.key)).not.toContain('am:p1');
  });

  it('is bounded: older than the retention, or beyond the cap, the oldest go', async () => {
    const small = createHistoryWriter({ redis, prefix: `${prefix}-cap`, retentionMs: 60_000, maxAlerts: 5 });
    const read = createHistoryReader({ redis, prefix: `${prefix}-cap` });
    for (let n = 1; n <= 8; n++) await small.recordDecision(alert(n).idempotencyKey, { alert: alert(n), fate: 'queued', reason: '', plan: [], decidedAtMs: T0 + n * 1000 });
    // Problems p1 … p8, one alert each: past the cap, the first three alerts go, and their problems' timelines and open marks with them.
    expect(await small.trim(T0 + 10_000)).toEqual({ alerts: 3, lists: 0, timelines: 3 });
    expect((await read.query({})).alerts.map((a) => a.title)).toEqual(['DiskFull8', 'DiskFull7', 'DiskFull6', 'DiskFull5', 'DiskFull4']);
    expect(await read.get(alert(1).idempotencyKey)).toBeUndefined();
    expect(await read.problem('am:p1')).toBeUndefined();
    expect((await read.problem('am:p4'))?.timeline).toHaveLength(1);
    expect((await read.openProblems()).map((p) => p.key).sort()).toEqual(['am:p4', 'am:p5', 'am:p6', 'am:p7', 'am:p8']);
    // A worker away for days finds thousands of lists past the retention: taken in slices.
    for (let n = 0; n < 2500; n++) await recordList(small, `digest-${n}`, { kind: 'digest', destinationId: 'app', heading: '每小时汇总', atMs: T0 }, [alert(8).idempotencyKey]);
    expect(await small.trim(T0 + 67_500)).toEqual({ alerts: 4, lists: 2500, timelines: 4 });
    expect(await redis.exists(`${prefix}-cap:h:l:digest-7`, `${prefix}-cap:h:l:digest-7:ids`)).toBe(0);
    expect((await read.query({})).alerts.map((a) => a.title)).toEqual(['DiskFull8']);
    expect((await read.openProblems()).map((p) => p.key)).toEqual(['am:p8']);
    expect(await redis.keys(`${prefix}-cap:h:p:*`)).toEqual([`${prefix}-cap:h:p:am:p8`]);
    const keys = await redis.keys(`${prefix}-cap*`);
    if (keys.length) await redis.unlink(...keys);
  });

  it('HISTORY_MAX_ALERTS=0 keeps nothing', async () => {
    const off = createHistoryWriter({ redis, prefix: `${prefix}-off`, retentionMs: 60_000, maxAlerts: 0 });
    await off.recordDecision('x', { alert: alert(1), fate: 'queued', reason: '', plan: [], decidedAtMs: T0 });
    expect(await redis.keys(`${prefix}-off*`)).toEqual([]);
  });
});
