import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Alert } from '@ng/core';
import { decide, defaultPolicy, loadPolicy } from '../src/policy';
import { criticalAlert } from './support/alerts';

const example = path.resolve(__dirname, '../../../docs/policy.example.yaml');
const env = { DBA_ROBOT_KEY: 'dba-key-1', OPS_ROBOT_KEY: 'ops-key-2' };
const withFile = (text: string, ext = 'yaml') => {
  const file = path.join(fs.mkdtempSync('/tmp/policy-'), `policy.${ext}`);
  fs.writeFileSync(file, text);
  return loadConfig({ POLICY_FILE: file, WEIXIN_ROBOT_KEY: 'default-key' });
};
const alert = (overrides: Partial<Alert>) => criticalAlert(1, overrides);
const summary = (alerts: ReturnType<typeof decide>) => alerts.map((d) => `${d.destinationId}:${d.delivery}`);

describe('default policy (the seed, from the environment alone)', () => {
  const policy = defaultPolicy(loadConfig({}));
  const table: Array<[Partial<Alert>, string[]]> = [
    [{ severity: 'critical', environment: 'production' }, ['log:immediate']],
    [{ severity: 'warning', environment: 'production' }, ['log:hourly']],
    [{ severity: 'info' }, ['log:daily']],
    [{ severity: 'info', environment: 'testing' }, ['log:immediate']],
    [{ severity: 'warning', environment: 'testing', source: 'sentry' }, ['log:immediate']],
    [{ severity: 'critical', environment: 'development' }, ['log:drop']],
    [{ severity: 'critical', environment: 'development', source: 'sentry' }, ['log:drop']],
    [{ source: 'test', severity: 'info', environment: 'development' }, ['log:immediate']],
  ];
  it.each(table)('%o → %o', (overrides, expected) => {
    expect(summary(decide(policy, alert(overrides)))).toEqual(expected);
  });

  it('sends to the app and every robot when configured', () => {
    const p = defaultPolicy(loadConfig({ WEIXIN_CORP_ID: 'c', WEIXIN_CORP_SECRET: 's', WEIXIN_AGENT_ID: '1', WEIXIN_ROBOT_KEY: 'k1,k2' }));
    expect(summary(decide(p, alert({})))).toEqual(['app:immediate', 'robot-1:immediate', 'robot-2:immediate']);
  });
});

describe('the README policy example', () => {
  const config = loadConfig({ POLICY_FILE: example });
  const policy = loadPolicy(config, env);

  it('loads, with robot keys from the environment', () => {
    expect(policy.destinations).toContainEqual({ id: 'dba-group', type: 'robot', key: 'dba-key-1' });
    expect(policy.dedupWindowMs).toBe(600_000);
    expect(policy.dailyDigestAt).toBe('09:00');
  });

  const table: Array<[string, Partial<Alert>, string[]]> = [
    ['dba label → dba group with a mention, and the defaults too', { labels: { team: 'dba' }, severity: 'warning' }, ['dba-group:hourly', 'oncall:hourly']],
    ['staging → daily', { environment: 'staging', severity: 'critical' }, ['oncall:daily']],
    ['payments warning → now, two places', { service: 'payments-api', severity: 'warning' }, ['oncall:immediate', 'ops-group:immediate']],
    ['sentry info → dropped', { source: 'sentry', severity: 'info' }, ['oncall:drop']],
    ['development still not sent', { environment: 'development' }, ['oncall:drop']],
    ['anything else → defaults by severity', { severity: 'critical' }, ['oncall:immediate']],
  ];
  it.each(table)('%s', (_name, overrides, expected) => {
    expect(summary(decide(policy, alert(overrides)))).toEqual(expected);
  });

  it('mentions travel with the decision', () => {
    expect(decide(policy, alert({ labels: { team: 'dba' } }))[0].mentions).toEqual(['wangwu']);
  });

  it('the same policy as JSON works too', () => {
    const json = withFile(JSON.stringify({ destinations: [{ id: 'x', type: 'robot', key: 'k' }], routes: [{ name: 'all', match: {}, delivery: 'drop' }] }), 'json');
    expect(summary(decide(loadPolicy(json, env), alert({})))).toEqual(['x:drop']);
  });
});

describe('bad policy files', () => {
  it('lists every problem with its path in one error', () => {
    const config = withFile(`
dedupWindow: soon
destinations:
  - { id: a, type: robot }
  - { id: b, type: pager }
routes:
  - name: r1
    delivery: sometimes
  - name: r2
    destinations: [nowhere]
`);
    let message = '';
    try {
      loadPolicy(config, env);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const part of ['dedupWindow must look like 10m', 'destinations[0].key is required', 'destinations[1].type must be one of', 'routes[0].delivery', 'unknown destination "nowhere"']) {
      expect(message).toContain(part);
    }
  });

  it('names a missing ${VAR}', () => {
    expect(() => loadPolicy(withFile('destinations: [{ id: a, type: robot, key: "${NOT_SET_ANYWHERE}" }]'), {})).toThrow(/NOT_SET_ANYWHERE/);
  });

  it('names broken YAML', () => {
    expect(() => loadPolicy(withFile('routes: [unclosed'), env)).toThrow(/POLICY_FILE/);
  });
});
