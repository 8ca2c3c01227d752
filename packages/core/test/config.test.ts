import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, followedBy, loadConfig, secretsOf } from '../src';

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 9000, redisUrl: 'redis://127.0.0.1:6379', displayTz: 'Asia/Shanghai', dedupWindowMs: 600_000, dailyDigestAt: '09:00' });
    expect(c.weixin).toMatchObject({ apiBase: 'https://qyapi.weixin.qq.com', toUser: '@all', robotKeys: [] });
    expect(Object.isFrozen(c.weixin)).toBe(true);
  });

  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems;
    }
    throw new Error(`${JSON.stringify(env)} was accepted`);
  };

  // Each wrong setting → the one line an operator reads: the variable, what was given, what is expected, an example.
  it.each([
    [{ DEDUP_WINDOW: '10' }, 'DEDUP_WINDOW="10": expected a number and a unit (ms, s, m, h, d), e.g. DEDUP_WINDOW=10m'],
    [{ STORM_INTERVAL: '1 minute' }, 'STORM_INTERVAL="1 minute": expected a number and a unit (ms, s, m, h, d), e.g. STORM_INTERVAL=1m'],
    [{ WEIXIN_CORP_ID: 'ww1', WEIXIN_CORP_SECRET: 's', WEIXIN_AGENT_ID: 'abc' }, 'WEIXIN_AGENT_ID="abc": expected a positive whole number, e.g. WEIXIN_AGENT_ID=1000002'],
    [{ WEIXIN_AGENT_ID: '1000002' }, 'WEIXIN_CORP_ID and WEIXIN_CORP_SECRET not set, but WEIXIN_AGENT_ID is: WeCom app messages need all three; set WEIXIN_CORP_ID and WEIXIN_CORP_SECRET, or unset WEIXIN_AGENT_ID'],
    [{ ADMIN_PASSWORD: 'pw' }, 'ADMIN_USER not set, but ADMIN_PASSWORD is: admin basic auth needs both; set ADMIN_USER, or unset ADMIN_PASSWORD'],
    [{ PORT: 'ninety' }, 'PORT="ninety": expected a TCP port number (1–65535), e.g. PORT=9000'],
    [{ PORT: '70000' }, 'PORT="70000": expected a TCP port number (1–65535), e.g. PORT=9000'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY="0": expected a whole number 1–1000, e.g. WORKER_CONCURRENCY=20'],
    [{ WEIXIN_TIMEOUT_MS: '5s' }, 'WEIXIN_TIMEOUT_MS="5s": expected a whole number ≥ 100, e.g. WEIXIN_TIMEOUT_MS=5000'],
    [{ ROBOT_RATE_LIMIT_PER_MIN: '30' }, 'ROBOT_RATE_LIMIT_PER_MIN="30": expected a whole number 1–20, e.g. ROBOT_RATE_LIMIT_PER_MIN=20'],
    [{ DISPLAY_TZ: 'Mars/Olympus' }, 'DISPLAY_TZ="Mars/Olympus": expected an IANA time zone, e.g. DISPLAY_TZ=Asia/Shanghai'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL="verbose": expected one of error, warn, info, debug, e.g. LOG_LEVEL=info'],
    [{ ADMIN_ALLOW_OPEN: 'yes' }, 'ADMIN_ALLOW_OPEN="yes": expected true or false, e.g. ADMIN_ALLOW_OPEN=true'],
    [{ WEIXIN_API_BASE: 'qyapi.weixin.qq.com' }, 'WEIXIN_API_BASE="qyapi.weixin.qq.com": expected an http:// or https:// URL, e.g. WEIXIN_API_BASE=https://qyapi.weixin.qq.com'],
    [{ DAILY_DIGEST_AT: '9am' }, 'DAILY_DIGEST_AT="9am": expected a time of day as HH:MM (24-hour), e.g. DAILY_DIGEST_AT=09:00'],
    [{ BODY_LIMIT: '1gb' }, 'BODY_LIMIT="1gb": expected a size in b, kb or mb, e.g. BODY_LIMIT=1mb'],
    ...['127.0.0.1:6379', 'localhost:6379', 'redis://host:1:2', 'redis://host/zero', 'redis-sentinel://h1:x/mymaster', 'http://127.0.0.1:6379'].map((url): [Record<string, string>, string] => [
      { REDIS_URL: url },
      `REDIS_URL="${url}": expected redis://[:password@]host:port[/db], rediss://… (TLS), redis-sentinel://host:26379[,host:26379]/master or redis-cluster://host:7000[,host:7001], e.g. REDIS_URL=redis://127.0.0.1:6379`,
    ]),
  ])('%o → one line naming the variable, the value, what is expected and an example', (env, line) => {
    expect(problemsOf(env)).toEqual([line]);
    expect(() => loadConfig(env)).toThrow(`invalid configuration: ${line}`);
  });

  it('lists every problem at once, one a line', () => {
    const env = { PORT: 'ninety', DISPLAY_TZ: 'Mars/Olympus', REDIS_URL: 'http://x', WEIXIN_AGENT_ID: '-3', DEDUP_WINDOW: 'soon', ADMIN_USER: 'ops' };
    const problems = problemsOf(env);
    expect(problems.map((p) => p.split(/[=: ]/)[0])).toEqual(['PORT', 'REDIS_URL', 'DISPLAY_TZ', 'WEIXIN_AGENT_ID', 'DEDUP_WINDOW', 'WEIXIN_CORP_ID', 'ADMIN_PASSWORD']);
    expect(() => loadConfig(env)).toThrow(/^invalid configuration \(7 problems\):\n {2}- PORT="ninety": .*\n {2}- REDIS_URL="http:\/\/x": /);
  });

  it('the right values of every form are taken', () => {
    for (const url of ['redis://:p%40ss@10.0.0.5:6380/2', 'rediss://cache.internal:6380', 'redis-sentinel://:pw@s1:26379,s2:26379/mymaster', 'redis-cluster://n1:7000,n2:7001']) {
      expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
    }
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

  it('text for people follows its JSON line, indented, redacted too; the JSON stays one line', () => {
    let out = '';
    const stream = new Writable({ write: (chunk, _e, cb) => ((out += chunk.toString()), cb()) });
    const logger = createLogger({ service: 't', secrets: ['robot-key-456'], stream });
    logger.info('dry run', { card: 'line 1\nline 2 robot-key-456', ...followedBy('line 1\nline 2 robot-key-456') });
    const [json, ...text] = out.trimEnd().split('\n');
    expect(JSON.parse(json)).toMatchObject({ message: 'dry run', card: 'line 1\nline 2 [redacted]' });
    expect(text).toEqual(['    line 1', '    line 2 [redacted]']);
  });
});
