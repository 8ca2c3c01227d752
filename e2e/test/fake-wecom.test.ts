import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWecomProc } from '@ng/testkit';

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
