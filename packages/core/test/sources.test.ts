import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PayloadError, UnknownResourceError, alertJobSchema, isGrafanaPayload, normalizeAlertmanager, normalizeGrafana, normalizeSentry, testAlert, type Alert } from '../src';

const load = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));
const receivedAt = new Date('2026-11-25T06:00:00.000Z');
const BASE = 'https://sentry.example.com/organizations/acme';

function sentry(resource: string | undefined, body: unknown): Alert {
  const out = normalizeSentry({ resource, body, receivedAt, sentryBaseUrl: BASE });
  if (!out.handled) throw new Error(`not handled: ${out.reason}`);
  expect(out.alerts).toHaveLength(1);
  return out.alerts[0];
}

function issue(action: string) {
  const body = load('sentry/issue.created.json');
  body.action = action;
  return body;
}

describe('Sentry payloads → Alert', () => {
  const cases: Array<{ name: string; resource?: string; body: () => unknown; expected: Partial<Alert> }> = [
    {
      name: 'issue.created',
      resource: 'issue',
      body: () => load('sentry/issue.created.json'),
      expected: { kind: 'issue.created', key: 'sentry:1170820242', status: 'firing', severity: 'critical', repeatSeverity: 'warning', level: 'error', title: 'ReferenceError: blooopy is not defined', service: 'front-end', location: '?(runner)', count: 1, userCount: 1, url: `${BASE}/issues/1170820242/`, startsAt: '2019-08-19T20:58:37.391Z' },
    },
    {
      name: 'issue.created, a performance issue (N+1 queries)',
      resource: 'issue',
      body: () => load('sentry/issue.created.performance.json'),
      expected: { key: 'sentry:4512345678', severity: 'critical', title: 'N+1 Query', service: 'shop-api', category: 'performance', issueType: 'performance_n_plus_one_db_queries' },
    },
    { name: 'issue.resolved', resource: 'issue', body: () => issue('resolved'), expected: { kind: 'issue.resolved', status: 'resolved', endsAt: receivedAt.toISOString(), url: `${BASE}/issues/1170820242/` } },
    { name: 'issue.assigned', resource: 'issue', body: () => ({ ...issue('assigned'), data: { ...issue('assigned').data, assignee: { type: 'user', name: 'Zhang San', id: '1' } } }), expected: { status: 'assigned', labels: { shortId: 'FRONT-END-9', assignee: 'Zhang San' } } },
    { name: 'issue.ignored', resource: 'issue', body: () => issue('ignored'), expected: { status: 'ignored' } },
    { name: 'issue.archived (the docs spelling)', resource: 'issue', body: () => issue('archived'), expected: { status: 'ignored' } },
    { name: 'issue.unresolved (regression)', resource: 'issue', body: () => issue('unresolved'), expected: { status: 'unresolved' } },
    {
      name: 'error.created',
      resource: 'error',
      body: () => load('sentry/error.created.json'),
      expected: { kind: 'error.created', key: 'sentry:1170820242', status: 'firing', severity: 'critical', service: 'front-end', location: '?(runner)', url: 'https://sentry.io/organizations/test-org/issues/1170820242/events/bb78c1407cea4519aa397afc059c793d/' },
    },
    {
      name: 'event_alert.triggered',
      resource: 'event_alert',
      body: () => load('sentry/event_alert.triggered.json'),
      expected: { kind: 'event_alert.triggered', key: 'sentry:1117540176', title: 'ReferenceError: heck is not defined', environment: 'production', service: 'front-end', location: '?(<anonymous>)', labels: { rule: 'Very Important Alert Rule!' } },
    },
    { name: 'metric_alert.critical', resource: 'metric_alert', body: () => load('sentry/metric_alert.critical.json'), expected: { key: 'sentry-metric:7', status: 'firing', severity: 'critical', title: 'Critical: Too many errors', environment: 'production', service: 'bar', url: 'https://sentry.io/organizations/baz/alerts/1/' } },
    { name: 'metric_alert.warning', resource: 'metric_alert', body: () => load('sentry/metric_alert.warning.json'), expected: { status: 'firing', severity: 'warning', title: 'Warning: Too many errors' } },
    { name: 'metric_alert.resolved', resource: 'metric_alert', body: () => load('sentry/metric_alert.resolved.json'), expected: { status: 'resolved', title: 'Resolved: Too many errors', measure: '1000 events in the last 10 minutes', description: 'Filter: level:error' } },
    {
      name: 'legacy plugin, rule-triggered (warning → info)',
      body: () => load('sentry/legacy-webhook-plugin.json'),
      expected: { kind: 'legacy', key: 'sentry:4567891234', severity: 'info', level: 'warning', title: 'Hello world', environment: 'production', service: 'backend', location: '/api/checkout', url: 'https://sentry.io/organizations/acme/issues/4567891234/?referrer=webhooks_plugin' },
    },
    { name: 'legacy plugin, Test Plugin event', body: () => load('sentry/legacy-webhook-plugin.test-event.json'), expected: { kind: 'legacy.test', severity: 'critical', title: 'This is an example Python exception', labels: expect.objectContaining({ test: 'true' }) } },
  ];

  it('a metric alert dated at its rule\'s creation has no start; a later incident start is kept', () => {
    const body = load('sentry/metric_alert.critical.json');
    expect(sentry('metric_alert', body).startsAt).toBeUndefined(); // Sentry's example: every date is the rule's creation
    body.data.metric_alert.date_started = '2025-10-31T04:40:00.000000Z';
    expect(sentry('metric_alert', body).startsAt).toBe('2025-10-31T04:40:00.000Z');
  });

  it.each(cases)('$name', ({ resource, body, expected }) => {
    const alert = sentry(resource, body());
    expect(alert).toMatchObject({ source: 'sentry', receivedAt: receivedAt.toISOString(), ...expected });
    expect(alertJobSchema.validate({ alert }).error).toBeUndefined();
    // A redelivery is the same notification; JSON never holds undefined, so no field may be "undefined".
    expect(sentry(resource, body()).idempotencyKey).toBe(alert.idempotencyKey);
    expect(JSON.stringify(alert)).not.toMatch(/undefined|NaN/);
  });

  it('tells different notifications apart', () => {
    const keys = cases.map(({ resource, body }) => sentry(resource, body()).idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('counts arrive as strings and become numbers; fatal is critical without a repeat downgrade', () => {
    const body = load('sentry/issue.created.json');
    body.data.issue.count = '1234';
    body.data.issue.level = 'fatal';
    expect(sentry('issue', body)).toMatchObject({ count: 1234, severity: 'critical' });
    expect(sentry('issue', body).repeatSeverity).toBeUndefined();
  });

  it.each(['installation.created.json', 'comment.created.json'])('%s is recognised and ignored', (file) => {
    const out = normalizeSentry({ resource: file.split('.')[0], body: load(`sentry/${file}`), receivedAt });
    expect(out.handled).toBe(false);
  });

  const bad: Array<[string, string | undefined, unknown, RegExp]> = [
    ['unknown resource', 'seer', { action: 'created', data: {} }, /unknown Sentry-Hook-Resource "seer"/],
    ['body not an object', 'issue', [1, 2], /body must be a JSON object/],
    ['issue without data', 'issue', { action: 'created' }, /data is required/],
    ['issue id of the wrong type', 'issue', { action: 'created', data: { issue: { id: { $gt: 1 } } } }, /data\.issue\.id/],
    ['unknown issue action', 'issue', { action: 'exploded', data: { issue: { id: '1' } } }, /not an issue action/],
    ['error without event_id', 'error', { action: 'created', data: { error: {} } }, /data\.error\.event_id is required/],
    ['metric alert without rule', 'metric_alert', { action: 'critical', data: { metric_alert: { id: '1' } } }, /alert_rule is required/],
    ['neither header nor legacy body', undefined, { hello: 'world' }, /not a legacy WebHooks plugin body/],
    ['legacy with wrong types', undefined, { id: '1', project_slug: 5, event: {} }, /project_slug must be a string/],
  ];
  it.each(bad)('%s → PayloadError naming the problem', (_name, resource, body, message) => {
    expect(() => normalizeSentry({ resource, body, receivedAt })).toThrow(PayloadError);
    expect(() => normalizeSentry({ resource, body, receivedAt })).toThrow(message);
  });

  it('an unknown resource is its own error class', () => {
    expect(() => normalizeSentry({ resource: 'nope', body: {}, receivedAt })).toThrow(UnknownResourceError);
  });

  // Found by the chaos fuzzer: new Date(9007199254740991 * 1000).toISOString() throws.
  it.each([Number.MAX_SAFE_INTEGER, -1e300, 1e300, '+275760-09-13T00:00:00.001Z', 'not a time'])('a first-seen time no Date can hold (%s) is left out', (firstSeen) => {
    const body = load('sentry/issue.created.json');
    body.data.issue.firstSeen = firstSeen;
    const alert = sentry('issue', body);
    expect(alert.startsAt).toBeUndefined();
    expect(alertJobSchema.validate({ alert }).error).toBeUndefined();
  });
});

describe('Alertmanager payloads → Alert', () => {
  it('firing-critical', () => {
    const [alert] = normalizeAlertmanager(load('alertmanager/firing-critical.json'), receivedAt);
    expect(alert).toMatchObject({
      source: 'alertmanager', key: 'am:4007b8b128cb8777', status: 'firing', severity: 'critical', title: 'HighCPU',
      instance: 'node-1:9100', job: 'node', service: 'node', startsAt: '2026-11-24T01:08:26.791Z',
      summary: 'High CPU usage on node-1:9100', generatorUrl: 'http://127.0.0.1:9090/graph?g0.expr=up&g0.tab=1',
      // The alert in Alertmanager's UI (externalURL), not the Prometheus graph.
      url: 'http://127.0.0.1:39969/#/alerts?filter=%7Balertname%3D%22HighCPU%22%2Cinstance%3D%22node-1%3A9100%22%7D',
      annotations: { description: 'CPU usage has been above 90% for 5 minutes.', runbook_url: 'https://runbooks.example.com/HighCPU', summary: 'High CPU usage on node-1:9100' },
    });
    expect(alert.endsAt).toBeUndefined();
    expect(alertJobSchema.validate({ alert }).error).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string | undefined]>([
    ['no externalURL: the Prometheus graph', { externalURL: undefined }, {}, 'http://127.0.0.1:9090/graph?g0.expr=up&g0.tab=1'],
    ['externalURL not http(s): the Prometheus graph', { externalURL: 'javascript:alert(1)' }, {}, 'http://127.0.0.1:9090/graph?g0.expr=up&g0.tab=1'],
    ['no externalURL, generatorURL javascript: the runbook', { externalURL: undefined }, { generatorURL: 'javascript:alert(1)' }, 'https://runbooks.example.com/HighCPU'],
    ['nothing http(s): no link', { externalURL: 'ftp://x' }, { generatorURL: 'javascript:alert(1)', annotations: { runbook_url: 'data:text/html,x' } }, undefined],
  ])('links: %s', (_name, message, entry, url) => {
    const body = load('alertmanager/firing-critical.json');
    Object.assign(body, message);
    Object.assign(body.alerts[0], entry);
    const [alert] = normalizeAlertmanager(body, receivedAt);
    expect(alert.url).toBe(url);
    if (String(entry.generatorURL ?? '').startsWith('javascript')) expect(alert.generatorUrl).toBeUndefined();
  });

  it('resolved has its end time and a different idempotency key than the firing one', () => {
    const [firing] = normalizeAlertmanager(load('alertmanager/firing-critical.json'), receivedAt);
    const [resolved] = normalizeAlertmanager(load('alertmanager/resolved.json'), receivedAt);
    expect(resolved).toMatchObject({ status: 'resolved', key: firing.key, endsAt: '2026-11-24T01:08:57.039Z' });
    expect(resolved.idempotencyKey).not.toBe(firing.idempotencyKey);
  });

  it('one alert per entry with its own status, +08:00 timestamps with 9 decimals, truncatedAlerts carried', () => {
    const alerts = normalizeAlertmanager(load('alertmanager/mixed-truncated-shanghai.json'), receivedAt);
    expect(alerts.map((a) => a.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(alerts[0]).toMatchObject({ startsAt: '2026-11-24T01:07:54.407Z', environment: 'production', severity: 'warning', truncatedAlerts: 3 });
    expect(alerts[1].endsAt).toBe('2026-11-24T01:10:01.500Z');
    expect(alerts[0].labels.team).toBe('运维组');
    expect(new Set(alerts.map((a) => a.key)).size).toBe(3);
  });

  it('a missing severity label means warning; unknown words too', () => {
    const body = load('alertmanager/firing-critical.json');
    delete body.alerts[0].labels.severity;
    expect(normalizeAlertmanager(body, receivedAt)[0].severity).toBe('warning');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['no version', { alerts: [] }, /version is required/],
    ['version 3', { version: '3', alerts: [{ status: 'firing', labels: {} }] }, /version must be \[4\]/],
    ['alerts not an array', { version: '4', alerts: 'x' }, /alerts must be an array/],
    ['empty alerts', { version: '4', alerts: [] }, /alerts must contain at least 1/],
    ['alert status wrong', { version: '4', alerts: [{ status: 'burning', labels: {} }] }, /alerts\[0\]\.status must be one of/],
    ['labels of the wrong type', { version: '4', alerts: [{ status: 'firing', labels: { a: 1 } }] }, /alerts\[0\]\.labels\.a must be a string/],
  ];
  it.each(bad)('%s → PayloadError naming the field', (_name, body, message) => {
    expect(() => normalizeAlertmanager(body, receivedAt)).toThrow(message);
  });

  it('prototype-pollution keys do not reach the alert', () => {
    const body = JSON.parse('{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"X","__proto__":"polluted","constructor":"c"}}]}');
    const [alert] = normalizeAlertmanager(body, receivedAt);
    expect(Object.keys(alert.labels)).toEqual(['alertname']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Grafana payloads → Alert', () => {
  const PANEL = 'https://grafana.example.com/d/rYdddlPWk?orgId=1&viewPanel=78';
  const cases: Array<{ file: string; expected: Partial<Alert> }> = [
    {
      file: 'firing.json',
      expected: {
        kind: 'grafana', key: 'grafana:8d5d1fa8e3c0b6a2', status: 'firing', severity: 'critical', level: 'critical', title: 'HighMemoryUsage',
        environment: 'production', service: 'node', instance: 'node-2:9100', job: 'node', startsAt: '2026-11-24T01:12:00.000Z',
        url: PANEL, summary: '内存使用率超过 90%', value: 'B=93.4128, C=1',
      },
    },
    { file: 'resolved.json', expected: { status: 'resolved', key: 'grafana:8d5d1fa8e3c0b6a2', endsAt: '2026-11-24T01:31:00.000Z', value: 'B=61.2734, C=0', url: PANEL } },
    {
      file: 'no-data.json',
      expected: {
        kind: 'grafana.DatasourceNoData', status: 'firing', severity: 'warning', title: 'API p99 latency (无数据)', service: 'payments-api',
        url: 'https://grafana.example.com/d/payments-api?orgId=1&viewPanel=4', labels: expect.objectContaining({ datasource_uid: 'P1809F7CD0C75ACF3', ref_id: 'A' }),
      },
    },
  ];

  it.each(cases)('$file', ({ file, expected }) => {
    const body = load(`grafana/${file}`);
    expect(isGrafanaPayload(body)).toBe(true);
    const alerts = normalizeGrafana(body, receivedAt);
    expect(alerts).toHaveLength(body.alerts.length);
    const [alert] = alerts;
    expect(alert).toMatchObject({ source: 'grafana', receivedAt: receivedAt.toISOString(), ...expected });
    expect(alertJobSchema.validate({ alert }).error).toBeUndefined();
    expect(normalizeGrafana(body, receivedAt)[0].idempotencyKey).toBe(alert.idempotencyKey);
    expect(JSON.stringify(alert)).not.toMatch(/undefined|NaN|null/);
  });

  it('firing and resolved are one problem, two notifications; no data is another problem', () => {
    const [firing, resolved, noData] = cases.map(({ file }) => normalizeGrafana(load(`grafana/${file}`), receivedAt)[0]);
    expect(resolved.key).toBe(firing.key);
    expect(new Set([firing.idempotencyKey, resolved.idempotencyKey, noData.idempotencyKey]).size).toBe(3);
    expect(noData.key).not.toBe(firing.key);
  });

  it('without panel or dashboard the card links the rule; without values, Grafana\'s value string', () => {
    const body = load('grafana/firing.json');
    Object.assign(body.alerts[0], { panelURL: '', dashboardURL: '', values: null });
    expect(normalizeGrafana(body, receivedAt)[0]).toMatchObject({ url: body.alerts[0].generatorURL, value: expect.stringContaining("var='B'") });
  });

  it('an Alertmanager body is not a Grafana one', () => {
    expect(isGrafanaPayload(load('alertmanager/firing-critical.json'))).toBe(false);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['Alertmanager version', { version: '4', alerts: [{ status: 'firing', labels: {} }] }, /version must be 1 \(Grafana webhook contact point\); Alertmanager sends 4 to \/webhook\/alertmanager/],
    ['no alerts', { version: '1' }, /alerts is required/],
    ['a value that is not a number', { version: '1', alerts: [{ status: 'firing', labels: {}, values: { B: 'high' } }] }, /alerts\[0\]\.values\.B must be a number/],
    ['panelURL of the wrong type', { version: '1', alerts: [{ status: 'firing', labels: {}, panelURL: 5 }] }, /alerts\[0\]\.panelURL must be a string/],
  ];
  it.each(bad)('%s → PayloadError naming the field', (_name, body, message) => {
    expect(() => normalizeGrafana(body, receivedAt)).toThrow(PayloadError);
    expect(() => normalizeGrafana(body, receivedAt)).toThrow(message);
  });
});

describe('POST /test alert', () => {
  it('is a valid critical job', () => {
    const alert = testAlert(receivedAt, 'n1');
    expect(alertJobSchema.validate({ alert }).error).toBeUndefined();
    expect(alert).toMatchObject({ source: 'test', severity: 'critical' });
  });
});
