import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHistoryWriter, createRedis, type Alert } from '@ng/core';
import { REDIS_URL, startTestIngest } from './support';

/** /api/alerts, /api/alerts/:id, /api/problems over a history written as the worker writes it. */
describe('history API', () => {
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  const redis = createRedis(REDIS_URL, 'worker');
  const auth = { authorization: `Basic ${Buffer.from('ops:history-pass').toString('base64')}` };
  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${ingest.base}${path}`, { headers });
  const alert = (n: number, overrides: Partial<Alert> = {}): Alert => ({
    source: 'sentry', kind: 'issue.created', key: `sentry:${n}`, idempotencyKey: `${n}`.padStart(32, 'a'), status: 'firing', severity: n === 2 ? 'info' : 'critical',
    title: n === 3 ? 'TimeoutError in checkout' : `ValueError ${n}`, service: 'shop', labels: {}, receivedAt: new Date(Date.UTC(2026, 11, 4, 2, n)).toISOString(), ...overrides,
  });

  beforeAll(async () => {
    ingest = await startTestIngest({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'history-pass' });
    const writer = createHistoryWriter({ redis, prefix: ingest.config.queuePrefix, retentionMs: 86_400_000 * 30, maxAlerts: 1000 });
    for (const n of [1, 2, 3]) await writer.recordDecision(alert(n).idempotencyKey, { alert: alert(n), fate: n === 2 ? 'digested' : 'queued', reason: n === 2 ? 'digested into 09:00 (app)' : 'to app', plan: [], decidedAtMs: Date.UTC(2026, 11, 4, 2, n) });
  });
  afterAll(async () => {
    await ingest.close();
    redis.disconnect();
  });

  it('lists newest first, filters, searches, pages with a cursor', async () => {
    const all = await (await get('/api/alerts')).json();
    expect(all.alerts.map((a: Alert) => a.title)).toEqual(['TimeoutError in checkout', 'ValueError 2', 'ValueError 1']);
    const found = await (await get('/api/alerts?q=timeout%20checkout')).json();
    expect(found.alerts.map((a: { id: string }) => a.id)).toEqual([alert(3).idempotencyKey]);
    expect((await (await get('/api/alerts?fate=digested&severity=info')).json()).alerts).toHaveLength(1);
    expect((await (await get('/api/alerts?from=2026-12-04T02:01:30Z&to=2026-12-04T02:02:30Z')).json()).alerts.map((a: Alert) => a.title)).toEqual(['ValueError 2']);
    const page1 = await (await get('/api/alerts?limit=2')).json();
    const page2 = await (await get(`/api/alerts?limit=2&cursor=${page1.next}`)).json();
    expect([...page1.alerts, ...page2.alerts].map((a: Alert) => a.title)).toEqual(all.alerts.map((a: Alert) => a.title));
    expect(page2.next).toBeNull();
  });

  it('one alert with its decision and problem; open problems', async () => {
    const record = await (await get(`/api/alerts/${alert(1).idempotencyKey}`)).json();
    expect(record).toMatchObject({ alert: { title: 'ValueError 1' }, fate: 'queued', reason: 'to app', problem: { key: 'sentry:1', timeline: [{ id: alert(1).idempotencyKey }] } });
    expect((await get('/api/alerts/nope')).status).toBe(404);
    const { problems } = await (await get('/api/problems')).json();
    expect(problems.map((p: { key: string }) => p.key).sort()).toEqual(['sentry:1', 'sentry:2', 'sentry:3']);
  });

  it.each([
    ['a bad filter', '/api/alerts?severity=loud', 400, /severity must be one of/],
    ['a bad time', '/api/alerts?from=yesterday', 400, /from must be in ISO 8601/],
    ['too many', '/api/alerts?limit=100000', 400, /limit must be less than or equal to 500/],
  ])('%s → %i', async (_name, path, status, message) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect((await res.json()).error).toMatch(message);
  });

  it("a digest's page in the console, 200 alerts a page, its pages linked; a page that is not there is refused", async () => {
    const writer = createHistoryWriter({ redis, prefix: ingest.config.queuePrefix, retentionMs: 86_400_000 * 30, maxAlerts: 1000 });
    const listed = Array.from({ length: 450 }, (_, i) => alert(100 + i));
    for (const a of listed) await writer.recordDecision(a.idempotencyKey, { alert: a, fate: 'digested', reason: 'digested into 15:00 (app)', plan: [], decidedAtMs: Date.parse(a.receivedAt) });
    const list = await writer.startList('digest-busy');
    await list.append(listed.map((a) => a.idempotencyKey));
    await list.finish({ kind: 'digest', destinationId: 'app', heading: '每小时汇总 14:00', atMs: Date.UTC(2026, 11, 4, 7) });
    const titles = async (query: string) => {
      const res = await get(`/console/lists/digest-busy${query}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('共 450 条');
      return { text, titles: [...text.matchAll(/<a href="\/console\/alerts\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]) };
    };
    const first = await titles('');
    expect(first.titles).toEqual(listed.slice(0, 200).map((a) => a.title));
    expect(first.text).toContain('第 1 / 3 页');
    expect(first.text).toContain('<a href="?page=2">下一页 →</a>');
    const last = await titles('?page=3');
    expect(last.titles).toEqual(listed.slice(400).map((a) => a.title));
    expect(last.text).toContain('<a href="?page=2">← 上一页</a>');
    expect(last.text).not.toContain('下一页');
    expect((await get('/console/lists/digest-busy?page=4')).status).toBe(404);
    for (const bad of ['0', '-1', '1.5', 'two']) expect((await get(`/console/lists/digest-busy?page=${bad}`)).status).toBe(400);
  });

  it('needs the admin', async () => {
    for (const path of ['/api/alerts', `/api/alerts/${alert(1).idempotencyKey}`, '/api/problems']) expect((await get(path, {})).status).toBe(401);
  });
});
