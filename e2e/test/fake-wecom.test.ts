import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createLogger, createRedis, loadConfig } from '@ng/core';
import { startIngest } from '@ng/ingest';
import { REDIS_URL, dropPrefix, startFakeWecomProc } from '@ng/testkit';

/** `pnpm fake-wecom` as a newcomer and the test suites use it: credentials from its environment, steered over HTTP. */
describe('the fake WeCom as a program', () => {
  let wecom: Awaited<ReturnType<typeof startFakeWecomProc>>;
  const corp = { corpid: 'ww-env-corp', corpsecret: 'env-secret-value' };

  beforeAll(async () => {
    wecom = await startFakeWecomProc({ FAKE_WECOM_CORP_ID: corp.corpid, FAKE_WECOM_CORP_SECRET: corp.corpsecret, FAKE_WECOM_AGENT_ID: '1000042', FAKE_WECOM_ROBOT_KEYS: 'key-a,key-b', FAKE_WECOM_PRINT: '1' });
  });
  afterAll(() => wecom.proc.stop());

  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${wecom.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text() };
  };
  const token = async () => (await call(`/cgi-bin/gettoken?${new URLSearchParams(corp)}`)).body.access_token as string;
  const sendApp = async (content: string) => (await call(`/cgi-bin/message/send?access_token=${await token()}`, { touser: 'zhangsan', msgtype: 'text', agentid: 1000042, text: { content } })).body;
  const sendRobot = (key: string) => call(`/cgi-bin/webhook/send?key=${key}`, { msgtype: 'text', text: { content: 'hi' } }).then((r) => r.body);

  it('takes its corp id, secret, agent id and robot keys from its environment, and prints how to point the gateway at it', async () => {
    expect((await call('/cgi-bin/gettoken?corpid=ww-test-corp&corpsecret=test-corp-secret-value')).body.errcode).toBe(40013);
    expect((await call(`/cgi-bin/gettoken?corpid=${corp.corpid}&corpsecret=wrong`)).body.errcode).toBe(40001);
    expect(await sendApp('第一行\n第二行')).toMatchObject({ errcode: 0 });
    expect(await sendRobot('key-b')).toMatchObject({ errcode: 0 });
    expect(await sendRobot('robot-key-one-secret')).toMatchObject({ errcode: 93000 });
    expect(wecom.proc.output()).toContain(`export WEIXIN_API_BASE=${wecom.url} WEIXIN_CORP_ID=ww-env-corp WEIXIN_CORP_SECRET=env-secret-value WEIXIN_AGENT_ID=1000042`);
    // Each message is printed as it arrives, and listed as text by GET /__fake/messages.
    expect(wecom.proc.output()).toMatch(/app message \(text\) to touser=zhangsan\n第一行\n第二行\n/);
    expect((await call('/__fake/messages')).body).toMatch(/robot message \(text\) for key key-b\nhi\n/);
    expect(await wecom.stats()).toMatchObject({ accepted: 2, sendCalls: 1, robotCalls: 2 });
  });

  it('plays the troubles of a first hour on request: untrusted IP, disabled robot, empty visible range, expired tokens', async () => {
    const before = await token();
    expect((await call('/__fake/settings', { untrustedIp: true })).status).toBe(200);
    expect(await sendApp('x')).toMatchObject({ errcode: 60020 });
    await call('/__fake/settings', { untrustedIp: false, disabledRobotKeys: ['key-a'], visibleRange: { parties: [] } });
    expect(await sendRobot('key-a')).toMatchObject({ errcode: 93004 });
    expect(await sendApp('x')).toMatchObject({ errcode: 81013 });
    await call('/__fake/settings', { visibleRange: { parties: [1] } });
    await wecom.command('expireTokens');
    expect((await call(`/cgi-bin/message/send?access_token=${before}`, { touser: 'a', msgtype: 'text', agentid: 1000042, text: { content: 'x' } })).body.errcode).toBe(42001);
  });

  it('scripts answers and goes down and up, its control API staying reachable', async () => {
    await wecom.command('script', 'robot', [{ errcode: 45009 }, { httpStatus: 502 }]);
    expect(await sendRobot('key-b')).toMatchObject({ errcode: 45009 });
    expect(await sendRobot('key-b')).toEqual({ error: 'scripted' });
    await wecom.command('down', 'refused');
    await expect(fetch(`${wecom.url}/cgi-bin/gettoken`)).rejects.toThrow();
    expect((await wecom.stats()).accepted).toBeGreaterThan(0);
    await wecom.command('down', null);
    expect(await sendRobot('key-b')).toMatchObject({ errcode: 0 });
  });

  it('answers a wrong control call with what is wrong', async () => {
    expect(await call('/__fake/down', { mode: 'sideways' })).toEqual({ status: 400, body: { error: '"mode" must be one of [refused, 5xx, 45009]' } });
    expect(await call('/__fake/script', { api: 'app', answers: [{ errcode: 'x' }] })).toMatchObject({ status: 400 });
    expect(await call('/__fake/settings', {})).toMatchObject({ status: 400 });
    expect((await call('/__fake/nothing', {})).status).toBe(404);
  });
});

/**
 * What acting from a card needs, from the fake as a program: its callback from FAKE_WECOM_CALLBACK_*,
 * pointed at the real gateway's /webhook/wecom (ingest, in-process, on the real Redis), a card
 * sent through its API, a member's click played over its control API and taken by the gateway
 * (and a retry of it refused as a replay), the cards as each member sees them, members and OAuth.
 */
describe('the fake WeCom as a program plays a click to the real gateway', () => {
  const CORP = { WEIXIN_CORP_ID: 'ww-click-e2e', WEIXIN_CORP_SECRET: 'click-e2e-secret', WEIXIN_AGENT_ID: '1000002' };
  const TOKEN = 'clickE2eToken';
  const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  const prefix = `{fake-click-${process.pid}}`;
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecomProc>>;

  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${wecom.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    return { status: res.status, headers: res.headers, body: (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text() };
  };
  const token = async () => (await call(`/cgi-bin/gettoken?corpid=${CORP.WEIXIN_CORP_ID}&corpsecret=${CORP.WEIXIN_CORP_SECRET}`)).body.access_token as string;
  const card = {
    card_type: 'button_interaction',
    main_title: { title: 'CPU 95% on web-1', desc: '🔴 CRITICAL · 告警中' },
    horizontal_content_list: [{ keyname: '环境', value: 'production' }],
    task_id: `e2e-${process.pid}`,
    button_list: [
      { text: '认领', style: 1, key: 'claim' },
      { text: '已处理', style: 3, key: 'resolve' },
    ],
  };

  beforeAll(async () => {
    const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', ...CORP, WEIXIN_API_BASE: 'http://127.0.0.1:9', WEIXIN_CALLBACK_TOKEN: TOKEN, WEIXIN_CALLBACK_AES_KEY: AES_KEY });
    ingest = await startIngest({ config, logger: createLogger({ service: 'fake-click-e2e', stream: logs, level: 'info' }) });
    wecom = await startFakeWecomProc({
      FAKE_WECOM_CORP_ID: CORP.WEIXIN_CORP_ID,
      FAKE_WECOM_CORP_SECRET: CORP.WEIXIN_CORP_SECRET,
      FAKE_WECOM_CALLBACK_URL: `http://127.0.0.1:${ingest.port}/webhook/wecom`,
      FAKE_WECOM_CALLBACK_TOKEN: TOKEN,
      FAKE_WECOM_CALLBACK_AES_KEY: AES_KEY,
    });
  });
  afterAll(async () => {
    await wecom?.proc.stop();
    await ingest?.close();
    await dropPrefix(prefix);
  });

  it('prints the callback settings for the gateway, and takes button cards', async () => {
    expect(wecom.proc.output()).toContain(`WEIXIN_AGENT_ID=1000002 WEIXIN_CALLBACK_TOKEN=${TOKEN} WEIXIN_CALLBACK_AES_KEY=${AES_KEY}`);
    expect(wecom.proc.output()).toContain(`callback: clicks go to http://127.0.0.1:${ingest.port}/webhook/wecom`);
    const sent = (await call(`/cgi-bin/message/send?access_token=${await token()}`, { touser: 'zhangsan|lisi', msgtype: 'template_card', agentid: 1000002, template_card: card })).body;
    expect(sent).toMatchObject({ errcode: 0, response_code: expect.any(String) });
    expect((await call('/__fake/messages')).body).toContain('CPU 95% on web-1\n🔴 CRITICAL · 告警中\n环境: production\n[认领] [已处理]');
  });

  it("plays zhangsan's click to the gateway, which takes it once: a retry of the same request is a replay", async () => {
    const click = await call('/__fake/click', { userid: 'zhangsan', taskId: card.task_id, eventKey: 'claim', retries: 1 });
    expect(click).toMatchObject({ status: 200, body: { status: 200, body: '', answers: [{ status: 200 }, { status: 200 }] } });
    const lines = logText.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'WeCom card button clicked', user: 'zhangsan', button: 'claim', task: card.task_id }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'WeCom callback refused', reason: 'replay' }));
    // One action queued for the worker, carrying the click's response code.
    const connection = createRedis(REDIS_URL, 'producer');
    const actions = new Queue(QUEUE_NAMES.actions, { connection, prefix });
    try {
      const jobs = await actions.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
      expect(jobs.map((j) => j.data)).toEqual([expect.objectContaining({ userId: 'zhangsan', eventKey: 'claim', taskId: card.task_id, responseCode: click.body.event.responseCode })]);
    } finally {
      await actions.close();
      connection.disconnect();
    }
    expect((await wecom.stats()) as unknown).toMatchObject({ clicks: 1 });
  });

  it('refuses a click no member could make, and shows each member\'s card after an update', async () => {
    expect(await call('/__fake/click', { userid: 'wangwu', taskId: card.task_id, eventKey: 'claim' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('wangwu never got a card') } });
    const code = (await call('/__fake/click', { userid: 'lisi', taskId: card.task_id, eventKey: 'resolve' })).body.event.responseCode;
    expect((await call(`/cgi-bin/message/update_template_card?access_token=${await token()}`, { userids: ['lisi'], agentid: 1000002, response_code: code, button: { replace_name: '✅ 已处理: 李四' } })).body).toMatchObject({ errcode: 0 });
    const cards = (await call('/__fake/cards')).body;
    expect(cards[card.task_id].recipients.lisi.text).toMatch(/\[✅ 已处理: 李四\] \(greyed out\)$/);
    expect(cards[card.task_id].recipients.zhangsan.text).toMatch(/\[认领\] \[已处理\]$/);
  });

  it('answers user/get and OAuth for its members', async () => {
    expect((await call(`/cgi-bin/user/get?access_token=${await token()}&userid=lisi`)).body).toMatchObject({ errcode: 0, name: '李四' });
    await call('/__fake/settings', { oauthUser: 'lisi', trustedDomain: '127.0.0.1:9000' });
    const redirect = await call(`/connect/oauth2/authorize?appid=${CORP.WEIXIN_CORP_ID}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9000/console')}&response_type=code&scope=snsapi_base&state=s1#wechat_redirect`);
    expect(redirect.status).toBe(302);
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code');
    expect((await call(`/cgi-bin/auth/getuserinfo?access_token=${await token()}&code=${code}`)).body).toMatchObject({ errcode: 0, userid: 'lisi' });
  });
});
