import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '@ng/testkit';
import { startTestIngest } from './support';
import { browser, seedAlert, wecomEnv } from './console-client';

const PUBLIC_URL = 'http://gw.test';

/**
 * Signing in inside WeCom (reference/wecom-callbacks.md §6): the redirect to WeCom's authorize
 * page with a state bound to the browser, the code exchanged for the member, a signed session
 * cookie, and back to a console page only. Every refusal sets no session.
 */
describe('console sign-in through WeCom OAuth', () => {
  let wecom: FakeWecom;
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  let alertId: string;
  const next = () => `/console/alerts/${alertId}?do=claim`;

  beforeAll(async () => {
    wecom = await startFakeWecom();
    ingest = await startTestIngest({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'oauth-pass', PUBLIC_URL, ...wecomEnv(wecom) });
    alertId = (await seedAlert(ingest.config.queuePrefix)).idempotencyKey;
  });
  afterEach(() => {
    wecom.settings({ trustedDomain: null, untrustedIp: false, visibleRange: { parties: [1] } });
  });
  afterAll(async () => {
    await ingest?.close();
    await wecom?.close();
  });

  /** Leaves for WeCom's page: the browser, the authorize URL it was sent to, the state. */
  async function begin(target = next()) {
    const member = browser(ingest.base);
    const res = await member.get(`/console/login/wecom?next=${encodeURIComponent(target)}`);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    const state = new URL(location).searchParams.get('state')!;
    return { member, location, state, setCookie: res.headers.getSetCookie() };
  }
  /** WeCom's page sends the browser back with a code: the URL it lands on, on this test's ingest. */
  async function authorize(location: string) {
    const res = await fetch(location.replace(/#.*$/, ''), { redirect: 'manual' });
    expect(res.status).toBe(302);
    return res.headers.get('location')!.replace(PUBLIC_URL, '');
  }

  it('redirects to WeCom with the app, the callback, snsapi_base and a state bound to this browser; comes back signed in', async () => {
    const { member, location, state, setCookie } = await begin();
    expect(location).toBe(
      `${wecom.url}/connect/oauth2/authorize?appid=${wecom.corpId}&redirect_uri=${encodeURIComponent(`${PUBLIC_URL}/console/oauth/wecom`)}&response_type=code&scope=snsapi_base&state=${state}&agentid=${wecom.agentId}#wechat_redirect`,
    );
    expect(state).toMatch(/^[a-zA-Z0-9]{16,128}$/);
    const stateCookie = setCookie.find((c) => c.startsWith('ng_oauth='))!;
    expect(stateCookie).toMatch(/; Path=\/console\/oauth/);
    expect(stateCookie).toMatch(/; HttpOnly/);
    expect(stateCookie).toMatch(/; SameSite=Lax/);
    const back = await member.get(await authorize(location));
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(next());
    const session = back.headers.getSetCookie().find((c) => c.startsWith('ng_member='))!;
    expect(session).toMatch(/; Max-Age=43200/);
    expect(session).toMatch(/; Path=\/console/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/; Secure/); // PUBLIC_URL is http here
    expect(member.jar.has('ng_oauth')).toBe(false); // used once
    const page = await (await member.get(next())).text();
    expect(page).toContain('👤 张三');
    expect(page).toContain('>确认认领</button>');
  });

  it('a state that is not this browser’s (changed, or no cookie: another browser) is refused, and nobody is signed in', async () => {
    const { member, location } = await begin();
    const landing = await authorize(location);
    const changed = await member.get(landing.replace(/state=(\w)/, (_m, c) => `state=${c === 'A' ? 'B' : 'A'}`));
    expect(changed.status).toBe(400);
    expect(await changed.text()).toContain('state');
    expect(member.jar.has('ng_member')).toBe(false);
    const other = await begin();
    const elsewhere = browser(ingest.base);
    const res = await elsewhere.get(await authorize(other.location));
    expect(res.status).toBe(400);
    expect(elsewhere.jar.has('ng_member')).toBe(false);
  });

  it.each([
    ['another site', 'https://evil.example/console'],
    ['a scheme-relative URL', '//evil.example/console'],
    ['a backslash', '/\\evil.example/console'],
    ['a path out of the console', '/console/../admin/queues'],
    ['a look-alike path', '/consolex'],
    ['an encoded slash', '/%2F%2Fevil.example'],
  ])('next pointing to %s is refused: no redirect, no state', async (_name, target) => {
    const res = await browser(ingest.base).get(`/console/login/wecom?next=${encodeURIComponent(target)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
    const admin = await browser(ingest.base, { admin: 'ops:oauth-pass' }).get(`/console/login/admin?next=${encodeURIComponent(target)}`);
    expect(admin.status).toBe(400);
    expect(admin.headers.get('location')).toBeNull();
  });

  it.each([
    ['40029: a code used twice', 40029, 400, /40029[\s\S]*重新点开链接/],
    ['50001: the gateway is not the trusted domain', 50001, 502, /50001[\s\S]*可信域名[\s\S]*gw\.test/],
    ['60020: the IP is not trusted', 60020, 502, /60020[\s\S]*企业可信IP/],
  ])('%s → a page naming the cause and the fix', async (_name, errcode, status, words) => {
    const { member, location } = await begin();
    const landing = await authorize(location);
    if (errcode === 40029) {
      // The code is spent by a first exchange (e.g. a double tap); a second browser step brings it again.
      const first = await begin();
      await first.member.get(landing.replace(/state=\w+/, `state=${first.state}`));
    }
    if (errcode === 50001) wecom.settings({ trustedDomain: 'alerts.example.com' });
    if (errcode === 60020) wecom.settings({ untrustedIp: true });
    const res = await member.get(landing);
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(words);
    expect(member.jar.has('ng_member')).toBe(false);
  });

  it('gettoken refused (a wrong secret) names WEIXIN_CORP_SECRET, and the secret stays out of the log', async () => {
    // A fresh ingest: the other one holds a token already.
    const fresh = await startTestIngest({ PUBLIC_URL, ...wecomEnv(wecom), WEIXIN_CORP_SECRET: 'not-the-secret' });
    try {
      const member = browser(fresh.base);
      const started = await member.get(`/console/login/wecom?next=${encodeURIComponent('/console/oncall')}`);
      const res = await member.get(await authorize(started.headers.get('location')!));
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/40001[\s\S]*WEIXIN_CORP_SECRET/);
      expect(fresh.log()).toContain('console sign-in failed');
      expect(fresh.log()).not.toContain('not-the-secret');
      expect(member.jar.has('ng_member')).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('the name is best effort: when user/get is refused the member is signed in by user id', async () => {
    // The member is outside the app's visible range: user/get answers 60011.
    wecom.settings({ visibleRange: { parties: [] } });
    const { member, location } = await begin();
    expect((await member.get(await authorize(location))).status).toBe(303);
    expect(await (await member.get(next())).text()).toContain('👤 zhangsan');
    expect(ingest.log()).toContain('WeCom member name unavailable');
  });
});
