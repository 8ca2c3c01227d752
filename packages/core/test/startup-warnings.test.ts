import { describe, expect, it } from 'vitest';
import { dryRunWarning, loadConfig, startupWarnings, type RedisFacts } from '../src';

const redis: RedisFacts = { version: '7.0.15', mode: 'standalone', maxmemory: 0, usedMemory: 1e6, maxmemoryPolicy: 'noeviction', aof: true };
const app = { WEIXIN_CORP_ID: 'ww1', WEIXIN_CORP_SECRET: 'secret-value', WEIXIN_AGENT_ID: '1000002' };

describe('start-up warnings: settings that start but do not do what a new operator expects', () => {
  it.each<[string, Record<string, string>, Partial<RedisFacts>, string[]]>([
    ['all well', app, {}, []],
    ['a Redis that may evict', app, { maxmemoryPolicy: 'allkeys-lru' }, ['Redis maxmemory-policy is allkeys-lru: when memory runs short Redis may evict queued alerts; set it to noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)']],
    ['WeCom set, but calls go to a test double', { ...app, WEIXIN_API_BASE: 'http://127.0.0.1:9400' }, {}, ['WeCom calls go to http://127.0.0.1:9400 (WEIXIN_API_BASE), not to WeCom: unset WEIXIN_API_BASE to reach real people']],
    ['a robot key, calls to a proxy', { WEIXIN_ROBOT_KEY: 'key-1', WEIXIN_API_BASE: 'http://proxy:8080' }, {}, ['WeCom calls go to http://proxy:8080 (WEIXIN_API_BASE), not to WeCom: unset WEIXIN_API_BASE to reach real people']],
    ['no WeCom at all: the dry run says so itself', { WEIXIN_API_BASE: 'http://127.0.0.1:9400' }, {}, []],
  ])('%s', (_name, env, facts, warnings) => {
    expect(startupWarnings(loadConfig(env), { ...redis, ...facts })).toEqual(warnings);
  });
});

describe('the dry-run warning says why nothing reaches WeCom', () => {
  it('no WeCom setting at all', () => {
    expect(dryRunWarning(loadConfig({}), 'log')).toBe(
      'DRY RUN: nothing will reach WeCom, every card is written to this log instead, because no WeCom destination is set (WEIXIN_CORP_ID, WEIXIN_CORP_SECRET and WEIXIN_AGENT_ID for the app, or WEIXIN_ROBOT_KEY for a group robot); set them (see .env.example), restart, and run the doctor to check them',
    );
  });
  it('a policy file with a log destination', () => {
    expect(dryRunWarning(loadConfig({ ...app, POLICY_FILE: '/etc/ng/policy.yaml' }), 'audit')).toBe(
      'DRY RUN for destination "audit": its cards are written to this log and never reach WeCom, because POLICY_FILE /etc/ng/policy.yaml gives it type: log; give it type app or robot to deliver',
    );
  });
});
