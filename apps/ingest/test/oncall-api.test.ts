import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { when } from '../src/console/format';
import { startTestIngest } from './support';

/** A weekly rotation with a holiday swap, and a daily one whose second member has only a phone. */
export const ONCALL_POLICY = `
rotations:
  - id: sre
    members: [zhangsan, lisi, { userid: wangwu, name: 王五, mobile: "13800001111" }]
    handoff: "09:00"
    every: 7d
    start: 2026-11-30
    overrides:
      - { from: "2026-12-24 09:00", to: "2026-12-26 09:00", userid: lisi }
  - id: dba
    members: [{ userid: zhaoliu, name: 赵六 }, { mobile: "13900002222", name: 钱七 }]
    handoff: "10:00"
    every: 1d
    start: 2026-12-01
`;

/** GET /api/oncall over the policy in force: now and next of each rotation, at a given time. */
describe('GET /api/oncall', () => {
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  const auth = { authorization: `Basic ${Buffer.from('ops:oncall-pass').toString('base64')}` };
  const get = (query = '', headers: Record<string, string> = auth) => fetch(`${ingest.base}/api/oncall${query}`, { headers });

  beforeAll(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oncall-api-')), 'policy.yaml');
    fs.writeFileSync(file, ONCALL_POLICY);
    ingest = await startTestIngest({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'oncall-pass', POLICY_FILE: file, DISPLAY_TZ: 'Asia/Shanghai' });
  });
  afterAll(async () => {
    await ingest.close();
  });

  it('names who is on call and who is next, in UTC and in DISPLAY_TZ, the phone masked', async () => {
    const res = await get('?at=2026-12-16T12:00:00%2B08:00');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('13800001111');
    expect(text).not.toContain('13900002222');
    const body = JSON.parse(text);
    expect(body.at).toBe('2026-12-16T04:00:00.000Z');
    expect(body.tz).toBe('Asia/Shanghai');
    expect(body.rotations.map((r: { id: string }) => r.id)).toEqual(['sre', 'dba']);
    const [sre, dba] = body.rotations;
    expect(sre).toEqual({
      id: 'sre',
      every: '7d',
      handoff: '09:00',
      now: { member: { userid: 'wangwu', name: '王五', mobile: '138****1111' }, from: '2026-12-14T01:00:00.000Z', fromLocal: '2026-12-14T09:00:00+08:00', until: '2026-12-21T01:00:00.000Z', untilLocal: '2026-12-21T09:00:00+08:00', override: false },
      // The holiday swap (lisi from the 24th) cuts zhangsan's coming turn short.
      next: { member: { userid: 'zhangsan' }, from: '2026-12-21T01:00:00.000Z', fromLocal: '2026-12-21T09:00:00+08:00', until: '2026-12-24T01:00:00.000Z', untilLocal: '2026-12-24T09:00:00+08:00', override: false },
    });
    // 12-16 10:00 local began turn 15 counting from 12-01's turn 0: odd, 钱七 (only a phone), then 赵六 from the 17th at 10:00.
    expect(dba.now.member).toEqual({ name: '钱七', mobile: '139****2222' });
    expect(dba.next).toMatchObject({ member: { userid: 'zhaoliu', name: '赵六' }, fromLocal: '2026-12-17T10:00:00+08:00' });
  });

  it('an override is marked, cuts the turn short, and the turn resumes after it', async () => {
    const [sre] = (await (await get('?at=2026-12-24T03:00:00Z')).json()).rotations;
    expect(sre.now).toMatchObject({ member: { userid: 'lisi' }, override: true, fromLocal: '2026-12-24T09:00:00+08:00', untilLocal: '2026-12-26T09:00:00+08:00' });
    expect(sre.next).toMatchObject({ member: { userid: 'zhangsan' }, override: false, fromLocal: '2026-12-26T09:00:00+08:00', untilLocal: '2026-12-28T09:00:00+08:00' });
    const [before] = (await (await get('?at=2026-12-23T12:00:00Z')).json()).rotations;
    expect(before.now).toMatchObject({ member: { userid: 'zhangsan' }, override: false, until: '2026-12-24T01:00:00.000Z' });
    expect(before.next).toMatchObject({ member: { userid: 'lisi' }, override: true });
  });

  it('without ?at= answers for now', async () => {
    const body = await (await get()).json();
    expect(Math.abs(Date.parse(body.at) - Date.now())).toBeLessThan(10_000);
    expect(body.rotations).toHaveLength(2);
  });

  it.each([
    ['not a time', '?at=yesterday'],
    ['a date in words', '?at=Dec%2024'],
    ['an unknown parameter', '?when=2026-12-24T00:00:00Z'],
  ])('400 with a clear message for %s', async (_name, query) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/at must be an ISO 8601 time|when is not allowed/);
  });

  it('needs the admin', async () => {
    expect((await get('', {})).status).toBe(401);
    expect((await get('', { authorization: `Basic ${Buffer.from('ops:wrong').toString('base64')}` })).status).toBe(401);
  });
});

/** The console's 值班 page over the same policy: now and next, the handovers of 14 days, overrides marked. */
describe('console 值班 /console/oncall', () => {
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  let empty: Awaited<ReturnType<typeof startTestIngest>>;
  const auth = { authorization: `Basic ${Buffer.from('ops:oncall-pass').toString('base64')}` };
  const page = async (base: string, query = '', headers: Record<string, string> = auth) => fetch(`${base}/console/oncall${query}`, { headers });

  beforeAll(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oncall-page-')), 'policy.yaml');
    fs.writeFileSync(file, ONCALL_POLICY);
    const env = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'oncall-pass', DISPLAY_TZ: 'Asia/Shanghai' };
    ingest = await startTestIngest({ ...env, POLICY_FILE: file });
    empty = await startTestIngest(env);
  });
  afterAll(async () => {
    await ingest.close();
    await empty.close();
  });

  it('lists each rotation from ?at= for 14 days: the override marked, the phone masked', async () => {
    const res = await page(ingest.base, '?at=2026-12-24T12:00');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('13800001111');
    expect(html).toContain('138****1111');
    const [, sre, dba] = html.split('<h2>');
    // The swap (lisi until the 26th), zhangsan's turn resumed, lisi's own week, wangwu's from 01-04.
    const rows = (section: string) => [...section.matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td><b>([^<]+)<\/b>(.*?)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3], m[4].includes('临时调班') ? 'override' : '']);
    // The console writes times as when() does (the year only when it is not this year's).
    const local = (wall: string) => when(Date.parse(`${wall}:00+08:00`), 'Asia/Shanghai');
    expect(rows(sre)).toEqual([
      [local('2026-12-24T09:00'), local('2026-12-26T09:00'), 'lisi', 'override'],
      [local('2026-12-26T09:00'), local('2026-12-28T09:00'), 'zhangsan', ''],
      [local('2026-12-28T09:00'), local('2027-01-04T09:00'), 'lisi', ''],
      [local('2027-01-04T09:00'), local('2027-01-11T09:00'), '王五', ''],
    ]);
    expect(sre).toMatch(/当前值班<\/dt><dd><b>lisi<\/b> <span class="badge override">临时调班<\/span>/);
    expect(sre).toMatch(/下一班<\/dt><dd><b>zhangsan<\/b>/);
    expect(rows(dba)).toHaveLength(15);
  });

  it('a time it cannot read says so and shows now; the page is in the navigation; no rotations says how to add them', async () => {
    expect(await (await page(ingest.base, '?at=christmas')).text()).toContain('无法识别的时间');
    const problems = await (await fetch(`${ingest.base}/console/problems`, { headers: auth })).text();
    expect(problems).toContain('<a href="/console/oncall" class="">值班</a>');
    expect(await (await page(empty.base)).text()).toContain('当前策略没有值班表');
  });

  it('needs the admin', async () => {
    expect((await page(ingest.base, '', {})).status).toBe(401);
  });
});
