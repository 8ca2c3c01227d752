import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRecipients, decide, defaultPolicy, loadConfig, loadPolicy, noiseSettings, type Alert } from '../src';

const example = path.resolve(__dirname, '../../../docs/policy.example.yaml');
/** The example's ${VAR}s, and the app credentials its app destination needs. */
const env = { DBA_ROBOT_KEY: 'dba-key-1', OPS_ROBOT_KEY: 'ops-key-2', WEIXIN_CORP_ID: 'ww1', WEIXIN_CORP_SECRET: 'secret-1', WEIXIN_AGENT_ID: '1000002' };
const withFile = (text: string, ext = 'yaml', extra: Record<string, string> = env) => {
  const file = path.join(fs.mkdtempSync('/tmp/policy-'), `policy.${ext}`);
  fs.writeFileSync(file, text);
  return loadConfig({ POLICY_FILE: file, WEIXIN_ROBOT_KEY: 'default-key', ...extra });
};
const critical: Alert = {
  source: 'alertmanager', kind: 'alertmanager', key: 'am:problem-1', idempotencyKey: '1'.repeat(32), status: 'firing', severity: 'critical',
  title: 'Problem1', labels: { alertname: 'Problem1', severity: 'critical' }, receivedAt: '2025-10-31T04:35:00.000Z',
};
const alert = (overrides: Partial<Alert>): Alert => ({ ...critical, ...overrides });
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
  const config = loadConfig({ POLICY_FILE: example, ...env });
  const policy = loadPolicy(config);

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

  it('a route may mention a rotation and escalate in levels', () => {
    expect(policy.rotations.map((r) => r.id)).toEqual(['sre']);
    const [payments] = decide(policy, alert({ service: 'payments-api' }));
    expect(payments.rotation).toBe('sre');
    const route = policy.routes.find((r) => r.name === 'payments-pages-now')!;
    expect(route.escalation).toEqual({ afterMs: 600_000, levels: [{ mention: 'next' }, { destinations: ['ops-group'] }] });
    expect(route).not.toHaveProperty('escalate');
  });

  it("the README's shorter copy loads to the same routes and rotations", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Policy file'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const config = withFile(yaml);
    // Its template file is the one beside docs/policy.example.yaml.
    fs.symlinkSync(path.resolve(path.dirname(example), 'templates'), path.join(path.dirname(config.policyFile!), 'templates'));
    const fromReadme = loadPolicy(config);
    const names = (p: typeof policy) => p.routes.map((r) => [r.name, r.escalation?.levels.length ?? 0, r.mention ?? '']);
    expect(names(fromReadme)).toEqual(names(policy));
    expect(fromReadme.rotations).toEqual(policy.rotations);
  });

  it('the same policy as JSON works too', () => {
    const json = withFile(JSON.stringify({ destinations: [{ id: 'x', type: 'robot', key: 'k' }], routes: [{ name: 'all', match: {}, delivery: 'drop' }] }), 'json');
    expect(summary(decide(loadPolicy(json), alert({})))).toEqual(['x:drop']);
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
      loadPolicy(config);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const part of ['dedupWindow must be a number and a unit', 'destinations[0].key is required', 'destinations[1].type must be one of', 'routes[0].delivery', 'unknown destination "nowhere"']) {
      expect(message).toContain(part);
    }
  });

  it('on-call wiring: unknown rotations and destinations, next without a rotation, a lone escalateAfter, a backwards override', () => {
    const text = `
destinations: [{ id: g, type: robot, key: k }]
rotations:
  - { id: sre, members: [a, b], start: 2026-11-30, overrides: [{ from: "2026-12-02 09:00", to: "2026-12-01 09:00", userid: a }] }
  - { id: sre, members: [c], start: 2026-11-30 }
routes:
  - { name: r1, match: {}, mention: dba }
  - { name: r2, match: {}, escalate: [next, nowhere, { mention: ghosts }] }
  - { name: r3, match: {}, escalateAfter: 5m }
`;
    expect(() => loadPolicy(withFile(text))).toThrow(/rotations\[1\] contains a duplicate value/);
    const fixed = text.replace('  - { id: sre, members: [c], start: 2026-11-30 }\n', '');
    let message = '';
    try {
      loadPolicy(withFile(fixed));
    } catch (err) {
      message = (err as Error).message;
    }
    for (const line of [
      'routes[0] (r1).mention names unknown rotation "dba" (known: sre)',
      'routes[1] (r2).escalate[0] is "next", which needs the route\'s mention (a rotation)',
      'routes[1] (r2).escalate[1] names unknown destination "nowhere" (known: g)',
      'routes[1] (r2).escalate[2].mention names unknown rotation "ghosts" (known: sre)',
      'routes[2] (r3).escalateAfter is set but the route lists no escalate levels',
      'rotations[0] (sre).overrides[0]: to (2026-12-01 09:00) must be after from (2026-12-02 09:00)',
    ]) expect(message).toContain(line);
  });

  it('names a missing ${VAR}', () => {
    expect(() => loadPolicy(withFile('destinations: [{ id: a, type: robot, key: "${NOT_SET_ANYWHERE}" }]'))).toThrow(/NOT_SET_ANYWHERE/);
  });

  it('refuses a destination named "destinations", whose digest would share a key with the set of destinations', () => {
    expect(() => loadPolicy(withFile('destinations: [{ id: destinations, type: robot, key: k }]'))).toThrow(/destinations\[0\]\.id cannot be destinations: the pending digests/);
  });

  it('names broken YAML', () => {
    expect(() => loadPolicy(withFile('routes: [unclosed'))).toThrow(/POLICY_FILE/);
  });

  it('a bad label regex stops the load, naming its route and label', () => {
    const config = withFile('routes: [{ name: dba, match: { labels: { team: "/[/" } }, delivery: drop }]');
    expect(() => loadPolicy(config)).toThrow(/routes\[0\] \(dba\)\.match\.labels\.team: \/\[\/ is not a valid regex/);
  });

  it('an app destination without app credentials stops the load, naming it', () => {
    const config = withFile('destinations: [{ id: oncall, type: app }, { id: ops, type: robot, key: k }]', 'yaml', {});
    expect(() => loadPolicy(config)).toThrow(/destinations\[0\] \(oncall\) is an app destination, but WEIXIN_CORP_ID, WEIXIN_CORP_SECRET and WEIXIN_AGENT_ID are not all set/);
  });

  it('the README example without WEIXIN_CORP_* does not start (it names an app destination)', () => {
    const config = loadConfig({ POLICY_FILE: example, DBA_ROBOT_KEY: 'dba-key-1', OPS_ROBOT_KEY: 'ops-key-2' });
    expect(() => loadPolicy(config)).toThrow(/\(oncall\) is an app destination/);
  });
});

describe('labels and categories in routes', () => {
  it('a /regex/ label is anchored and compiled once', () => {
    const policy = loadPolicy(withFile('routes: [{ name: db, match: { labels: { team: "/db|dba/" } }, delivery: drop }]', 'yaml', {}));
    expect(summary(decide(policy, alert({ labels: { team: 'dba' } })))).toEqual(['robot-1:drop']);
    expect(summary(decide(policy, alert({ labels: { team: 'dbaa' } })))).toEqual(['robot-1:immediate']);
  });

  it('Sentry performance issues wait for the daily digest whatever their level; errors still page', () => {
    const policy = defaultPolicy(loadConfig({ WEIXIN_ROBOT_KEY: 'k' }));
    const performance = { source: 'sentry' as const, severity: 'critical' as const, category: 'performance', issueType: 'performance_n_plus_one_db_queries' };
    expect(summary(decide(policy, alert(performance)))).toEqual(['robot-1:daily']);
    expect(summary(decide(policy, alert({ ...performance, category: 'error' })))).toEqual(['robot-1:immediate']);
    // A route of the file comes first and may page them anyway.
    const paging = loadPolicy(withFile('routes: [{ name: perf-now, match: { category: [performance] }, delivery: immediate }]', 'yaml', {}));
    expect(summary(decide(paging, alert(performance)))).toEqual(['robot-1:immediate']);
  });
});

describe('settings a policy file overrides', () => {
  it('the file wins, and each override is a sentence for the start-up log', () => {
    const config = withFile('dedupWindow: 5m\ndailyDigestAt: "08:30"', 'yaml', { ...env, DEDUP_WINDOW: '10m' });
    const settings = noiseSettings(config, loadPolicy(config));
    expect(settings).toMatchObject({ dedupWindowMs: 300_000, dailyDigestAt: '08:30' });
    expect(settings.overrides).toEqual([expect.stringContaining('replaces DEDUP_WINDOW'), expect.stringContaining('replaces DAILY_DIGEST_AT')]);
  });

  it('without a file, the environment decides and nothing is said', () => {
    const config = loadConfig({ DEDUP_WINDOW: '2m' });
    expect(noiseSettings(config, defaultPolicy(config))).toEqual({ dedupWindowMs: 120_000, dailyDigestAt: '09:00', overrides: [] });
  });
});

describe('app recipients', () => {
  const env = { toUser: 'zhangsan|lisi', toParty: '2', toTag: '' };
  it.each([
    ['a destination naming none: WEIXIN_TO_*', {}, { toUser: 'zhangsan|lisi', toParty: '2', toTag: undefined }],
    ['a destination naming users: only them', { toUser: 'wangwu' }, { toUser: 'wangwu', toParty: undefined, toTag: undefined }],
    ['a destination naming a tag: only it, not the default users', { toTag: '7' }, { toUser: undefined, toParty: undefined, toTag: '7' }],
  ])('%s', (_name, own, expected) => {
    expect(appRecipients(env, own)).toEqual(expected);
  });
});
