import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, createRedis, createSilenceStore, matcherProblems, matchersFor, PayloadError, type Alert, type Matcher } from '../src';

const alert: Alert = {
  source: 'alertmanager', kind: 'alertmanager', key: 'am:1', idempotencyKey: '1'.repeat(32), status: 'firing', severity: 'critical', title: 'DiskFull',
  service: 'payments-api', environment: 'production', labels: { alertname: 'DiskFull', instance: 'db-3:9100', team: 'dba' }, receivedAt: '2026-12-04T02:00:00Z',
};

describe('silence matchers (=, !=, =~, !~ as in Alertmanager, regexes anchored)', () => {
  const table: Array<[Matcher, boolean]> = [
    [{ name: 'service', op: '=', value: 'payments-api' }, true],
    [{ name: 'service', op: '=', value: 'payments' }, false],
    [{ name: 'service', op: '!=', value: 'search' }, true],
    [{ name: 'service', op: '=~', value: 'payments-.*' }, true],
    [{ name: 'service', op: '=~', value: 'payments' }, false],
    [{ name: 'instance', op: '!~', value: 'db-[0-9]+:9100' }, false],
    [{ name: 'team', op: '=', value: 'dba' }, true],
    [{ name: 'missing', op: '=', value: '' }, true],
    [{ name: 'severity', op: '=~', value: 'critical|warning' }, true],
    [{ name: 'key', op: '=', value: 'am:1' }, true],
  ];
  it.each(table)('%o → %s', (m, expected) => {
    expect(compile([m])(alert)).toBe(expected);
  });

  it('refuses a bad regex and a silence that would cover every alert', () => {
    expect(matcherProblems([{ name: 'service', op: '=~', value: '(' }])[0]).toMatch(/matchers\[0\] \(service=~\(\): not a valid regex/);
    expect(matcherProblems([{ name: 'service', op: '!=', value: 'x' }])[0]).toMatch(/must not match an empty value/);
    expect(matcherProblems([{ name: 'service', op: '=~', value: '.*' }])[0]).toMatch(/must not match an empty value/);
    expect(matcherProblems([{ name: 'service', op: '=', value: 'x' }, { name: 'team', op: '!=', value: 'y' }])).toEqual([]);
  });

  it('an alert gives the matchers of its problem', () => {
    expect(matchersFor(alert)).toEqual([
      { name: 'source', op: '=', value: 'alertmanager' },
      { name: 'environment', op: '=', value: 'production' },
      { name: 'alertname', op: '=', value: 'DiskFull' },
      { name: 'service', op: '=', value: 'payments-api' },
    ]);
    expect(matchersFor({ ...alert, labels: {} }).at(-1)).toEqual({ name: 'key', op: '=', value: 'am:1' });
  });
});

describe('silence store', () => {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'worker');
  const prefix = `{t-silences-${randomBytes(4).toString('hex')}}`;
  const store = createSilenceStore({ redis, prefix, cacheMs: 0 });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
  });
  const now = new Date('2026-12-04T02:00:00Z');

  it('creates from matchers or the first release form, refuses bad ones in words, and keeps ended and deleted ones with who', async () => {
    const regex = await store.create({ matchers: [{ name: 'service', op: '=~', value: 'pay.*' }], duration: '1h' }, now, 'ops');
    const legacy = await store.create({ matchers: { environment: 'staging', labels: { team: 'dba' } }, duration: '2h' }, now, 'ops');
    expect(legacy.matchers).toEqual([{ name: 'environment', op: '=', value: 'staging' }, { name: 'team', op: '=', value: 'dba' }]);
    await expect(store.create({ matchers: [{ name: 'service', op: '=~', value: '[' }], duration: '1h' }, now)).rejects.toThrow(PayloadError);
    await expect(store.create({ matchers: [{ name: 'service', op: '~', value: 'x' }], duration: '1h' }, now)).rejects.toThrow(/op/);
    expect((await store.match(alert, now.getTime()))?.id).toBe(regex.id);

    expect(await store.remove(regex.id, new Date(now.getTime() + 60_000), 'lisi')).toBe(true);
    expect(await store.remove(regex.id, new Date(now.getTime() + 60_000), 'lisi')).toBe(false);
    expect(await store.match(alert, now.getTime() + 61_000)).toBeUndefined();
    expect((await store.list(new Date(now.getTime() + 61_000))).map((s) => s.id)).toEqual([legacy.id]);
    const all = await store.list(new Date(now.getTime() + 61_000), { all: true });
    expect(all.find((s) => s.id === regex.id)).toMatchObject({ createdBy: 'ops', deletedBy: 'lisi', endsAt: '2026-12-04T02:01:00.000Z' });

    // Released once, kept for keepMs after its end, then forgotten.
    await store.hold(regex.id, alert);
    const released = await store.releaseEnded(now.getTime() + 120_000, 3_600_000);
    expect(released.map((r) => [r.silence.id, r.alerts.length])).toEqual([[regex.id, 1]]);
    expect(await store.releaseEnded(now.getTime() + 120_000, 3_600_000)).toEqual([]);
    await store.releaseEnded(now.getTime() + 8 * 3_600_000, 3_600_000);
    expect(await store.list(new Date(now.getTime() + 8 * 3_600_000), { all: true })).toEqual([]);
  });
});
