import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsRefused, startFakeWecom, type FakeWecom } from '../src/fake-wecom';
import { call, testClock, tokenOf } from './support';

describe('the fake WeCom: members (user/get)', () => {
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom();
  });
  afterAll(() => fake.close());

  const userGet = async (userid: string, token?: string) => (await call(fake, `/cgi-bin/user/get?access_token=${token ?? (await tokenOf(fake))}&userid=${encodeURIComponent(userid)}`)).body;

  it('answers a member in the visible range with the name and department; 60111 for an unknown userid', async () => {
    expect(await userGet('zhangsan')).toEqual({ errcode: 0, errmsg: 'ok', userid: 'zhangsan', name: '张三', department: [1], main_department: 1, status: 1 });
    expect(await userGet('LiSi')).toMatchObject({ errcode: 0, userid: 'lisi', name: '李四' });
    expect(await userGet('wangwu')).toMatchObject({ errcode: 60111 });
    expect(await userGet('')).toMatchObject({ errcode: 60111 });
    expect(await userGet('zhangsan', 'not-a-token')).toMatchObject({ errcode: 40014 });
    expect(fake.userCalls).toBe(5);
  });

  it('answers 60011 for a member outside the visible range, and takes its members from the settings', async () => {
    fake.settings({ visibleRange: { parties: [], users: ['lisi'] } });
    expect(await userGet('zhangsan')).toMatchObject({ errcode: 60011 });
    expect(await userGet('lisi')).toMatchObject({ errcode: 0 });
    fake.settings({ visibleRange: { parties: [1], users: [] } });
    expect((await call(fake, '/__fake/settings', { members: [{ userid: 'wangwu', name: '王五', mobile: '13800000003' }] })).status).toBe(200);
    expect(await userGet('wangwu')).toMatchObject({ errcode: 0, name: '王五' });
    expect(await userGet('zhangsan')).toMatchObject({ errcode: 60111 });
    fake.settings({ untrustedIp: true });
    expect(await userGet('wangwu')).toMatchObject({ errcode: 60020 });
  });
});

describe('the fake WeCom: OAuth2 inside WeCom', () => {
  const clock = testClock();
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ now: clock.now, tokenTtlSec: 24 * 3600 });
  });
  afterAll(() => fake.close());

  const authorize = (redirect: string, over: Record<string, string> = {}) =>
    call(fake, `/connect/oauth2/authorize?${new URLSearchParams({ appid: fake.corpId, redirect_uri: redirect, response_type: 'code', scope: 'snsapi_base', state: 'console42', agentid: String(fake.agentId), ...over })}#wechat_redirect`);
  const codeFrom = async (redirect: string) => {
    const answer = await authorize(redirect);
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get('location')!).searchParams.get('code')!;
  };
  const userinfo = async (code: string) => (await call(fake, `/cgi-bin/auth/getuserinfo?access_token=${await tokenOf(fake)}&code=${encodeURIComponent(code)}`)).body;

  it('redirects to redirect_uri with a code and the state, and gives the member for the code once', async () => {
    const answer = await authorize('https://gateway.example.com/console?from=card');
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://gateway.example.com/console');
    expect(Object.fromEntries(location.searchParams)).toEqual({ from: 'card', code: expect.any(String), state: 'console42' });
    const code = location.searchParams.get('code')!;
    expect(await userinfo(code)).toEqual({ errcode: 0, errmsg: 'ok', userid: 'zhangsan' });
    expect(await userinfo(code)).toMatchObject({ errcode: 40029 });
    expect(await userinfo('never-issued')).toMatchObject({ errcode: 40029 });
    expect((await call(fake, `/cgi-bin/auth/getuserinfo?access_token=${await tokenOf(fake)}`)).body).toMatchObject({ errcode: 41008 });
    expect((await call(fake, `/cgi-bin/auth/getuserinfo?code=${await codeFrom('https://gateway.example.com/')}`)).body).toMatchObject({ errcode: 41001 });
  });

  it('signs in the member the settings name', async () => {
    expect((await call(fake, '/__fake/settings', { oauthUser: 'lisi' })).status).toBe(200);
    expect(await userinfo(await codeFrom('https://gateway.example.com/'))).toMatchObject({ userid: 'lisi' });
    expect(await call(fake, '/__fake/settings', { oauthUser: 'wangwu' })).toEqual({ status: 400, headers: expect.anything(), body: { error: '"oauthUser" wangwu is not a member (members: zhangsan, lisi)' } });
    expect(() => fake.settings({ oauthUser: 'wangwu' })).toThrow(SettingsRefused);
    // snsapi_privateinfo also gives a user_ticket to a member in the visible range.
    const answer = await authorize('https://gateway.example.com/', { scope: 'snsapi_privateinfo' });
    expect(await userinfo(new URL(answer.headers.get('location')!).searchParams.get('code')!)).toMatchObject({ userid: 'lisi', user_ticket: expect.any(String), expires_in: 1800 });
    fake.settings({ oauthUser: 'zhangsan' });
  });

  it('lets a code expire 5 minutes after it was issued, by the fake clock', async () => {
    const early = await codeFrom('https://gateway.example.com/');
    const late = await codeFrom('https://gateway.example.com/');
    clock.advance(5 * 60 * 1000 - 1);
    expect(await userinfo(early)).toMatchObject({ errcode: 0 });
    clock.advance(1);
    expect(await userinfo(late)).toMatchObject({ errcode: 40029 });
  });

  it('answers 50001 when the redirect went to a host other than the trusted domain, port included', async () => {
    fake.settings({ trustedDomain: 'gateway.example.com' });
    const elsewhere = await codeFrom('https://evil.example.com/console');
    const otherPort = await codeFrom('https://gateway.example.com:8443/console');
    expect(await userinfo(elsewhere)).toMatchObject({ errcode: 50001 });
    expect(await userinfo(otherPort)).toMatchObject({ errcode: 50001 });
    expect(await userinfo(await codeFrom('https://Gateway.Example.com/console'))).toMatchObject({ errcode: 0, userid: 'zhangsan' });
    fake.settings({ trustedDomain: null });
    expect(await userinfo(elsewhere)).toMatchObject({ errcode: 0 });
  });

  it("refuses to authorize for another company's appid or a malformed request", async () => {
    expect(await authorize('https://gateway.example.com/', { appid: 'ww-other-corp' })).toMatchObject({ status: 400, body: expect.stringContaining('is not this company') });
    expect((await authorize('https://gateway.example.com/', { response_type: 'token' })).status).toBe(400);
    expect((await authorize('https://gateway.example.com/', { scope: 'snsapi_userinfo' })).status).toBe(400);
    expect((await authorize('https://gateway.example.com/', { agentid: '1' })).status).toBe(400);
    expect((await authorize('https://gateway.example.com/', { state: 'not ok!' })).status).toBe(400);
    expect((await authorize('/relative')).status).toBe(400);
  });
});

describe('the fake WeCom: who a robot message @-mentions', () => {
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ robotPerMinute: 100 });
  });
  afterAll(() => fake.close());
  const robot = async (body: unknown) => (await call(fake, '/cgi-bin/webhook/send?key=robot-key-one-secret', body)).body;

  it('records mentioned_list, mentioned_mobile_list and <@userid> of a text message', async () => {
    expect(await robot({ msgtype: 'text', text: { content: '数据库告警 <@wangwu>', mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800000002'] } })).toMatchObject({ errcode: 0 });
    expect(fake.messages.at(-1)).toMatchObject({ api: 'robot', mentions: { userids: ['zhangsan', '@all', 'wangwu'], mobiles: ['13800000002'] }, warnings: [] });
    expect((await call(fake, '/__fake/messages')).body).toContain('数据库告警 <@wangwu>\n@ zhangsan @all wangwu 13800000002\n');
  });

  it('records the <@userid> of a markdown card, and warns that markdown ignores mentioned_list', async () => {
    expect(await robot({ msgtype: 'markdown', markdown: { content: '**P1** CPU 95%\n> 负责人: <@zhangsan> <@lisi>' } })).toMatchObject({ errcode: 0 });
    expect(fake.messages.at(-1)).toMatchObject({ mentions: { userids: ['zhangsan', 'lisi'], mobiles: [] }, warnings: [] });
    expect(await robot({ msgtype: 'markdown', markdown: { content: '无人', mentioned_list: ['zhangsan'] } })).toMatchObject({ errcode: 0 });
    expect(fake.messages.at(-1)).toMatchObject({ mentions: { userids: [], mobiles: [] }, warnings: ['markdown.mentioned_list is ignored: only text messages take it (markdown mentions with <@userid>)'] });
  });

  it('refuses mention lists that are not lists of strings', async () => {
    const before = fake.messages.length;
    expect(await robot({ msgtype: 'text', text: { content: 'x', mentioned_list: 'zhangsan' } })).toMatchObject({ errcode: 40058 });
    expect(await robot({ msgtype: 'text', text: { content: 'x', mentioned_mobile_list: [13800000001] } })).toMatchObject({ errcode: 40058 });
    expect(fake.messages.length).toBe(before);
  });
});

describe("the fake WeCom's control API checks the new settings", () => {
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom();
  });
  afterAll(() => fake.close());

  it.each([
    [{ callback: { url: 'http://127.0.0.1:9000/webhook/wecom', token: 'tok', aesKey: 'short' } }, '"callback.aesKey" (the EncodingAESKey) is 43 letters and digits'],
    [{ callback: { url: 'http://127.0.0.1:9000/webhook/wecom', token: 'has-dash', aesKey: 'a'.repeat(43) } }, '"callback.token" is letters and digits, at most 32'],
    [{ callback: { url: 'ftp://x', token: 'tok', aesKey: 'a'.repeat(43) } }, '"callback.url" must be a valid uri with a scheme matching the http|https pattern'],
    [{ callback: { url: 'http://127.0.0.1:9000/webhook/wecom' } }, '"callback.token" is required'],
    [{ members: [{ userid: 'a', name: 'A' }, { userid: 'A', name: 'B' }] }, '"members[1]" contains a duplicate value'],
    [{ members: [{ userid: 'has space', name: 'A' }] }, '"members[0].userid" may hold 1 to 64 letters, digits and _-.@'],
    [{ trustedDomain: 'https://gateway.example.com/' }, '"trustedDomain" is a host, with its port if not the default'],
    [{ callbackConfigured: 'yes' }, '"callbackConfigured" must be a boolean'],
  ])('refuses %j', async (body, error) => {
    expect(await call(fake, '/__fake/settings', body)).toMatchObject({ status: 400, body: { error } });
  });

  it('lists the new routes and answers the cards as JSON', async () => {
    const wrong = await call(fake, '/__fake/nothing');
    expect(wrong.status).toBe(404);
    expect(wrong.body.routes).toEqual(expect.arrayContaining(['GET /__fake/cards', 'POST /__fake/click']));
    expect(await call(fake, '/__fake/cards')).toMatchObject({ status: 200, body: {} });
    expect(await call(fake, '/__fake/script', { api: 'user', answers: [{ errcode: -1 }] })).toMatchObject({ status: 200 });
    expect((await call(fake, `/cgi-bin/user/get?access_token=${await tokenOf(fake)}&userid=zhangsan`)).body.errcode).toBe(-1);
  });
});
