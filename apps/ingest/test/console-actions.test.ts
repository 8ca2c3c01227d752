import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAckStore, createLinks, createRedis } from '@ng/core';
import { startFakeWecom, type FakeWecom } from '@ng/testkit';
import { REDIS_URL, startTestIngest } from './support';
import { actionForm, actionsQueue, browser, seedAlert, wecomEnv } from './console-client';

const ADMIN = 'ops:actions-pass';
const LINK_SECRET = 'console-actions-link-secret-0123456789';
const PUBLIC_URL = 'http://gw.test';

/**
 * 认领 · 静默 1 小时 · 已处理 from the console: the admin or a WeCom member signed in through
 * OAuth acts (one job on the real actions queue, whatever the double submits); a link holder
 * is sent to say who they are; a member cannot administer.
 */
describe('console actions', () => {
  let wecom: FakeWecom;
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  let plain: Awaited<ReturnType<typeof startTestIngest>>;
  let queue: ReturnType<typeof actionsQueue>;
  let alertId: string;
  const links = createLinks({ publicUrl: PUBLIC_URL, secret: async () => LINK_SECRET, ttlMs: 3600_000 });
  /** The link a card carries, on this test's ingest. */
  const cardLink = async (base: string, id = alertId) => (await links.to({ kind: 'alert', id }))!.replace(PUBLIC_URL, base);

  beforeAll(async () => {
    wecom = await startFakeWecom();
    const env = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'actions-pass', LINK_SECRET, PUBLIC_URL };
    ingest = await startTestIngest({ ...env, ...wecomEnv(wecom) });
    // No WeCom app: the admin's login is the only way to say who you are.
    plain = await startTestIngest(env);
    alertId = (await seedAlert(ingest.config.queuePrefix)).idempotencyKey;
    await seedAlert(plain.config.queuePrefix);
    await seedAlert(ingest.config.queuePrefix, { idempotencyKey: 'e'.repeat(32), key: 'am:cpu', title: 'CpuHigh', status: 'resolved' });
    queue = actionsQueue(ingest.config.queuePrefix);
  });
  afterEach(async () => {
    await queue.clear();
  });
  afterAll(async () => {
    await queue?.close();
    await ingest?.close();
    await plain?.close();
    await wecom?.close();
  });

  it('the admin claims: one job on the actions queue with the console action, and the page says it is queued; a double submit is still one', async () => {
    const admin = browser(ingest.base, { admin: ADMIN });
    const page = await (await admin.get(`/console/alerts/${alertId}`)).text();
    for (const word of ['认领', '静默 1 小时', '已处理']) expect(page).toContain(`>${word}</button>`);
    const form = actionForm(page, 'claim')!;
    expect(form._csrf).toBeTruthy();
    expect(form.nonce).toMatch(/^[a-f0-9]{32}$/);
    const before = Date.now();
    const first = await admin.post(`/console/alerts/${alertId}/actions`, form);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/console/alerts/${alertId}?queued=claim`);
    const again = await admin.post(`/console/alerts/${alertId}/actions`, form);
    expect(again.status).toBe(303);
    const jobs = await queue.jobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0].data).toEqual({ via: 'console', userId: 'ops', name: 'ops', eventKey: 'claim', alertId, atMs: expect.any(Number) });
    expect(jobs[0].data.atMs).toBeGreaterThanOrEqual(before);
    expect(jobs[0].opts.attempts).toBeGreaterThan(1);
    const shown = await (await admin.get(first.headers.get('location')!)).text();
    expect(shown).toContain('已提交「认领」');
    // Silence from another page load: its own nonce, its own action.
    const silence = actionForm(await (await admin.get(`/console/alerts/${alertId}`)).text(), 'silence')!;
    expect((await admin.post(`/console/alerts/${alertId}/actions`, silence)).status).toBe(303);
    const after = await queue.jobs();
    expect(after).toHaveLength(2);
    expect(after.map((j) => j.data.eventKey).sort()).toEqual(['claim', 'silence_1h']);
  });

  it('a GET never acts: ?do=claim shows a confirm button that POSTs', async () => {
    const admin = browser(ingest.base, { admin: ADMIN });
    const res = await admin.get(`/console/alerts/${alertId}?do=claim`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('认领这个问题？');
    expect(page).toContain('>确认认领</button>');
    expect(actionForm(page, 'claim')).toBeDefined();
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('a change without the form’s token, with another’s, or sent from another site is refused (CSRF)', async () => {
    const admin = browser(ingest.base, { admin: ADMIN });
    const form = actionForm(await (await admin.get(`/console/alerts/${alertId}`)).text(), 'claim')!;
    const { _csrf, ...bare } = form;
    expect((await admin.post(`/console/alerts/${alertId}/actions`, bare)).status).toBe(403);
    expect((await admin.post(`/console/alerts/${alertId}/actions`, { ...form, _csrf: `${_csrf.slice(0, -1)}x` })).status).toBe(403);
    expect((await admin.post(`/console/alerts/${alertId}/actions`, form, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('a bad form, an unknown alert: refused, nothing queued', async () => {
    const admin = browser(ingest.base, { admin: ADMIN });
    const form = actionForm(await (await admin.get(`/console/alerts/${alertId}`)).text(), 'claim')!;
    expect((await admin.post(`/console/alerts/${alertId}/actions`, { ...form, action: 'delete' })).status).toBe(400);
    expect((await admin.post(`/console/alerts/${alertId}/actions`, { ...form, nonce: 'x' })).status).toBe(400);
    expect((await admin.post(`/console/alerts/${'f'.repeat(32)}/actions`, form)).status).toBe(404);
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('shows who claimed and who handled the problem; a claimed one offers no 认领', async () => {
    const claimed = await seedAlert(ingest.config.queuePrefix, { idempotencyKey: 'c'.repeat(32), key: 'am:mem', title: 'MemoryHigh' });
    const redis = createRedis(REDIS_URL, 'worker');
    const acks = createAckStore({ redis, prefix: ingest.config.queuePrefix, retentionMs: 86_400_000 });
    await acks.claim(claimed.key, { id: 'lisi', name: '李四' }, Date.parse('2026-12-04T02:32:00Z'));
    await acks.handled(claimed.key, { id: 'zhangsan', name: '张三' }, Date.parse('2026-12-04T02:40:00Z'));
    redis.disconnect();
    const admin = browser(ingest.base, { admin: ADMIN });
    const page = await (await admin.get(`/console/alerts/${claimed.idempotencyKey}`)).text();
    expect(page).toMatch(/✋ 已认领: <b>李四<\/b> <span class="muted">(2026-)?12-04 10:32:00<\/span>/);
    expect(page).toMatch(/✅ 已处理: <b>张三<\/b> <span class="muted">(2026-)?12-04 10:40:00<\/span>/);
    expect(actionForm(page, 'claim')).toBeUndefined();
    expect(actionForm(page, 'silence')).toBeDefined();
    expect(await (await admin.get(`/console/alerts/${claimed.idempotencyKey}?do=claim`)).text()).toContain('这个问题已被认领');
    // Back from 认领 once the worker has done it: the claim line says so, not "queued".
    expect(await (await admin.get(`/console/alerts/${claimed.idempotencyKey}?queued=claim`)).text()).not.toContain('已提交');
  });

  it('a resolved problem offers no actions', async () => {
    const page = await (await browser(ingest.base, { admin: ADMIN }).get(`/console/alerts/${'e'.repeat(32)}?do=claim`)).text();
    expect(page).toContain('问题已恢复');
    expect(page).not.toContain('/actions"');
  });

  it('a card link opens the page read-only: its buttons lead to the WeCom sign-in, and a POST without identity acts on nothing', async () => {
    const stranger = browser(ingest.base);
    const link = await cardLink(ingest.base);
    const page = await (await stranger.get(link.slice(ingest.base.length))).text();
    expect(page).toContain('通过消息中的链接只读打开');
    expect(page).not.toContain('<form');
    const next = encodeURIComponent(`/console/alerts/${alertId}?do=claim`);
    expect(page).toContain(`href="/console/login/wecom?next=${next}"`);
    const asked = await (await stranger.get(`${link.slice(ingest.base.length)}&do=claim`)).text();
    expect(asked).toContain('「认领」前请先确认身份');
    expect(asked).not.toContain('<form');
    const posted = await stranger.post(`/console/alerts/${alertId}/actions`, { action: 'claim', nonce: 'a'.repeat(32), _csrf: 'x' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/console/login/wecom?next=${next}`);
    expect(await queue.jobs()).toHaveLength(0);
  });

  it('without a WeCom app, a link holder says who they are with the admin login, then comes back', async () => {
    const page = await (await browser(plain.base).get((await cardLink(plain.base)).slice(plain.base.length))).text();
    const next = encodeURIComponent(`/console/alerts/${alertId}?do=silence`);
    expect(page).toContain(`href="/console/login/admin?next=${next}"`);
    expect((await browser(plain.base).get(`/console/login/admin?next=${next}`)).status).toBe(401);
    const back = await browser(plain.base, { admin: ADMIN }).get(`/console/login/admin?next=${next}`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(decodeURIComponent(next));
    expect((await browser(plain.base).get(`/console/login/wecom?next=${next}`)).status).toBe(404);
  });

  it('a member signed in through WeCom acts under their own name, but gets 401 on every admin page', async () => {
    const member = browser(ingest.base);
    const next = `/console/alerts/${alertId}?do=resolve`;
    const started = await member.get(`/console/login/wecom?next=${encodeURIComponent(next)}`);
    const back = await fetch(started.headers.get('location')!.replace(/#.*$/, ''), { redirect: 'manual' });
    const signedIn = await member.get(back.headers.get('location')!.replace(PUBLIC_URL, ''));
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(next);
    const page = await (await member.get(next)).text();
    expect(page).toContain('👤 张三');
    expect(page).not.toContain('通过消息中的链接只读打开');
    const form = actionForm(page, 'resolve')!;
    expect((await member.post(`/console/alerts/${alertId}/actions`, form)).status).toBe(303);
    const jobs = await queue.jobs();
    expect(jobs.map((j) => j.data)).toEqual([{ via: 'console', userId: 'zhangsan', name: '张三', eventKey: 'resolve', alertId, atMs: expect.any(Number) }]);
    await queue.clear();

    for (const path of ['/console', '/console/problems', '/console/oncall', '/console/silences', '/console/failed', '/console/noise', '/admin/queues', '/api/alerts', '/api/oncall', '/api/silences']) {
      expect((await member.get(path)).status, path).toBe(401);
    }
    // Nor may a member's own CSRF token make a silence or retry a delivery.
    expect((await member.post('/console/silences', { _csrf: form._csrf, name: 'service', op: '=', value: 'db', duration: '1h' })).status).toBe(401);
    expect((await member.post('/console/failed/x/retry', { _csrf: form._csrf })).status).toBe(401);
    // A forged session is nobody.
    const forged = browser(ingest.base);
    const [expiry, , name, mac] = member.jar.get('ng_member')!.split('.');
    forged.jar.set('ng_member', [expiry, Buffer.from('lisi').toString('base64url'), name, mac].join('.'));
    expect((await forged.get(`/console/alerts/${alertId}`)).status).toBe(401);
    expect((await forged.post(`/console/alerts/${alertId}/actions`, form)).status).toBe(303);
    expect(await queue.jobs()).toHaveLength(0);
  });
});
