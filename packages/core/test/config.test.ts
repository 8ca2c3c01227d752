import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, loadConfig, secretsOf } from '../src';

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 9000, redisUrl: 'redis://127.0.0.1:6379', displayTz: 'Asia/Shanghai', dedupWindowMs: 600_000, dailyDigestAt: '09:00' });
    expect(c.weixin).toMatchObject({ apiBase: 'https://qyapi.weixin.qq.com', toUser: '@all', robotKeys: [] });
    expect(Object.isFrozen(c.weixin)).toBe(true);
  });

  it('lists every bad variable in one error', () => {
    const env = { PORT: 'ninety', DISPLAY_TZ: 'Mars/Olympus', REDIS_URL: 'http://x', WEIXIN_AGENT_ID: '-3', DEDUP_WINDOW: 'soon', ADMIN_USER: 'ops' };
    let error: ConfigError | undefined;
    try {
      loadConfig(env);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error?.message ?? '';
    for (const name of ['PORT', 'DISPLAY_TZ', 'REDIS_URL', 'WEIXIN_AGENT_ID', 'DEDUP_WINDOW', 'ADMIN_PASSWORD']) expect(text).toContain(name);
  });

  it('the app needs corp id, secret and agent id together', () => {
    expect(() => loadConfig({ WEIXIN_CORP_ID: 'ww1' })).toThrow(/WEIXIN_CORP_SECRET|WEIXIN_AGENT_ID/);
  });

  it('several robot keys, comma or space separated', () => {
    expect(loadConfig({ WEIXIN_ROBOT_KEY: 'aaaa-1, bbbb-2 cccc-3' }).weixin.robotKeys).toEqual(['aaaa-1', 'bbbb-2', 'cccc-3']);
  });
});

describe('logger redaction', () => {
  it('never prints configured secrets, tokens in URLs or auth headers', () => {
    const config = loadConfig({ WEIXIN_CORP_ID: 'ww1', WEIXIN_CORP_SECRET: 'corp-secret-123', WEIXIN_AGENT_ID: '1', WEIXIN_ROBOT_KEY: 'robot-key-456', WEBHOOK_TOKEN: 'hook-token-789', ADMIN_USER: 'a', ADMIN_PASSWORD: 'admin-pass-000' });
    let out = '';
    const stream = new Writable({ write: (chunk, _e, cb) => ((out += chunk.toString()), cb()) });
    const logger = createLogger({ service: 't', secrets: secretsOf(config), stream });
    logger.info('calling https://qyapi/cgi-bin/gettoken?corpid=ww1&corpsecret=corp-secret-123', { url: '/send?access_token=abcdef&x=1', key: 'am:1' });
    logger.warn('robot robot-key-456 failed', { authorization: 'Bearer hook-token-789', nested: { password: 'admin-pass-000', deeper: ['Basic YWRtaW46YWRtaW4tcGFzcy0wMDA='] } });
    logger.error('boom', { error: new Error('token hook-token-789 rejected') });
    for (const secret of ['corp-secret-123', 'robot-key-456', 'hook-token-789', 'admin-pass-000', 'abcdef', 'YWRtaW46']) expect(out).not.toContain(secret);
    expect(out).toContain('"key":"am:1"');
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
  });
});
