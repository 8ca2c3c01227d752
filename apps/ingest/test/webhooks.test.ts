import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '@ng/core';
import { fixture, fixtureText, startTestIngest } from './support';

const SECRET = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const TOKEN = 'gateway-webhook-token-42';
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

/** Sentry sends compact ASCII JSON; we sign exactly the bytes we send. */
function sentryRequest(resource: string, body: unknown) {
  const raw = JSON.stringify(body);
  return { raw, headers: { 'sentry-hook-resource': resource, 'sentry-hook-signature': sign(raw), 'request-id': 'r1', 'sentry-hook-timestamp': '1700000000' } };
}

describe('webhooks → jobs', () => {
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  beforeAll(async () => {
    ingest = await startTestIngest({ SENTRY_CLIENT_SECRET: SECRET, WEBHOOK_TOKEN: TOKEN, SENTRY_BASE_URL: 'https://sentry.example.com/organizations/acme' });
  });
  afterAll(async () => {
    await ingest.close();
  });

  const sentryCases: Array<[string, string, Record<string, unknown>]> = [
    ['issue', 'sentry/issue.created.json', { title: 'ReferenceError: blooopy is not defined', severity: 'critical', service: 'front-end', location: '?(runner)', url: 'https://sentry.example.com/organizations/acme/issues/1170820242/' }],
    ['error', 'sentry/error.created.json', { title: 'ReferenceError: blooopy is not defined', severity: 'critical', service: 'front-end', url: expect.stringContaining('/issues/1170820242/events/') }],
    ['event_alert', 'sentry/event_alert.triggered.json', { title: 'ReferenceError: heck is not defined', environment: 'production', service: 'front-end', location: '?(<anonymous>)' }],
    ['metric_alert', 'sentry/metric_alert.critical.json', { title: 'Critical: Too many errors', severity: 'critical', environment: 'production', service: 'bar', url: 'https://sentry.io/organizations/baz/alerts/1/' }],
    ['metric_alert', 'sentry/metric_alert.warning.json', { severity: 'warning' }],
    ['metric_alert', 'sentry/metric_alert.resolved.json', { status: 'resolved' }],
  ];
  it.each(sentryCases)('Sentry %s (%s) → 202 and a job with the right fields', async (resource, file, expected) => {
    const { raw, headers } = sentryRequest(resource, fixture(file));
    const res = await ingest.post('/webhook/sentry', raw, headers);
    expect(res.status).toBe(202);
    const { event } = await res.json();
    const job = (await ingest.jobs()).find((j) => j.name === event || j.data.alert.kind === event);
    expect(job?.data.alert).toMatchObject({ source: 'sentry', ...expected });
  });

  it.each(['resolved', 'assigned', 'ignored', 'archived', 'unresolved'])('Sentry issue.%s → 202 with a link built from SENTRY_BASE_URL', async (action) => {
    const body = { ...fixture('sentry/issue.created.json'), action };
    const { raw, headers } = sentryRequest('issue', body);
    const res = await ingest.post('/webhook/sentry', raw, headers);
    expect(res.status).toBe(202);
    const job = (await ingest.jobs()).find((j) => j.data.alert.kind === `issue.${action}`);
    expect(job?.data.alert.url).toBe('https://sentry.example.com/organizations/acme/issues/1170820242/');
  });

  it('the worked signature examples of reference/sentry.md verify over the raw bytes (Chinese title as \\u escapes)', async () => {
    const bodyC = '{"action":"created","installation":{"uuid":"a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},"data":{"issue":{"id":"1170820242","title":"\\u6570\\u636e\\u5e93\\u8fde\\u63a5\\u5931\\u8d25","level":"error"}},"actor":{"type":"application","id":"sentry","name":"Sentry"}}';
    expect(sign(bodyC)).toBe('39a0923d8dbce3240c5d8bee0cd5b0b3fe9534aede85f3985020b635def14450');
    const res = await ingest.post('/webhook/sentry', bodyC, { 'sentry-hook-resource': 'issue', 'sentry-hook-signature': '39a0923d8dbce3240c5d8bee0cd5b0b3fe9534aede85f3985020b635def14450' });
    expect(res.status).toBe(202);
    const job = (await ingest.jobs()).find((j) => j.data.alert.title === '数据库连接失败');
    expect(job).toBeDefined();
  });

  it('installation and comment → 200, nothing queued', async () => {
    const before = (await ingest.jobs()).length;
    for (const [resource, file] of [['installation', 'sentry/installation.created.json'], ['comment', 'sentry/comment.created.json']]) {
      const { raw, headers } = sentryRequest(resource, fixture(file));
      const res = await ingest.post('/webhook/sentry', raw, headers);
      expect(res.status).toBe(200);
    }
    expect((await ingest.jobs()).length).toBe(before);
  });

  it('legacy plugin bodies are accepted with ?token= when a secret is set, and log the word Sentry', async () => {
    for (const file of ['sentry/legacy-webhook-plugin.json', 'sentry/legacy-webhook-plugin.test-event.json']) {
      const res = await ingest.post(`/webhook/sentry?token=${TOKEN}`, fixtureText(file));
      expect(res.status).toBe(202);
    }
    const legacy = (await ingest.jobs()).find((j) => j.data.alert.kind === 'legacy');
    expect(legacy?.data.alert).toMatchObject({ title: 'Hello world', severity: 'info', environment: 'production', service: 'backend', location: '/api/checkout', url: expect.stringContaining('/issues/4567891234/') });
    expect(ingest.log()).toMatch(/Sentry webhook accepted/);
  });

  it.each(['firing-critical.json', 'resolved.json', 'group-3.json'])('Alertmanager %s with Bearer → 202, one job per alert', async (file) => {
    const body = fixture(`alertmanager/${file}`);
    const res = await ingest.post('/webhook/alertmanager', JSON.stringify(body), { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect((await res.json()).jobs).toBe(body.alerts.length);
    const jobs = await ingest.jobs();
    for (const alert of body.alerts) {
      const job = jobs.find((j) => j.data.alert.key === `am:${alert.fingerprint}` && j.data.alert.status === alert.status);
      // The link goes to the alert in Alertmanager's UI (externalURL); the Prometheus graph stays on the alert too.
      expect(job?.data.alert).toMatchObject({ title: alert.labels.alertname, instance: alert.labels.instance, url: expect.stringMatching(new RegExp(`^${body.externalURL}/#/alerts\\?filter=`)), generatorUrl: alert.generatorURL });
      // Bull Board lists jobs by name: the problem, then where from and its status.
      expect(job?.name).toBe(`${alert.labels.alertname} · alertmanager ${alert.status}`);
    }
  });

  const grafanaCases: Array<[string, string, Record<string, unknown>]> = [
    ['/webhook/grafana', 'firing.json', { status: 'firing', severity: 'critical', title: 'HighMemoryUsage', value: 'B=93.4128, C=1', url: 'https://grafana.example.com/d/rYdddlPWk?orgId=1&viewPanel=78' }],
    ['/webhook/grafana', 'resolved.json', { status: 'resolved', endsAt: '2026-11-24T01:31:00.000Z' }],
    ['/webhook/grafana', 'no-data.json', { kind: 'grafana.DatasourceNoData', title: 'API p99 latency (无数据)', severity: 'warning' }],
    ['/webhook/alertmanager', 'firing.json', { title: 'HighMemoryUsage' }],
  ];
  it.each(grafanaCases)('Grafana contact point → %s with %s → 202, a job per alert', async (pathname, file, expected) => {
    const body = fixture(`grafana/${file}`);
    const res = await ingest.post(pathname, JSON.stringify(body), { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', jobs: body.alerts.length });
    const job = (await ingest.jobs()).find((j) => j.data.alert.source === 'grafana' && j.data.alert.key === `grafana:${body.alerts[0].fingerprint}` && j.data.alert.status === body.alerts[0].status);
    expect(job?.data.alert).toMatchObject(expected);
    expect(ingest.log()).toMatch(/Grafana webhook accepted/);
  });

  it('Alertmanager with basic auth carrying the token as password → 202', async () => {
    const auth = Buffer.from(`alertmanager:${TOKEN}`).toString('base64');
    const res = await ingest.post('/webhook/alertmanager', fixtureText('alertmanager/firing-critical.json'), { authorization: `Basic ${auth}` });
    expect(res.status).toBe(202);
  });

  it('the same webhook twice → one job', async () => {
    const body = fixture('alertmanager/firing-critical.json');
    body.alerts[0].fingerprint = 'aaaabbbbccccdddd';
    const raw = JSON.stringify(body);
    for (let i = 0; i < 2; i++) expect((await ingest.post('/webhook/alertmanager', raw, { authorization: `Bearer ${TOKEN}` })).status).toBe(202);
    const jobs = (await ingest.jobs()).filter((j) => j.data.alert.key === 'am:aaaabbbbccccdddd');
    expect(jobs).toHaveLength(1);
  });

  const bad = () => {
    const valid = sentryRequest('issue', fixture('sentry/issue.created.json'));
    const am = fixtureText('alertmanager/firing-critical.json');
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const signed = (resource: string, body: unknown) => sentryRequest(resource, body);
    const typo = signed('issue', { action: 'created', data: { issue: { id: 42.5, title: 7 } } });
    const unknown = signed('seer', { action: 'created', data: {} });
    return [
      ['invalid JSON', '/webhook/alertmanager', '{"version":"4",', bearer, 400, /not valid JSON/],
      ['wrong content type', '/webhook/alertmanager', am, { ...bearer, 'content-type': 'text/plain' }, 415, /Content-Type must be application\/json/],
      ['body over the limit', '/webhook/alertmanager', JSON.stringify({ version: '4', pad: 'x'.repeat(70_000) }), bearer, 413, /size limit/],
      ['missing field', '/webhook/alertmanager', '{"version":"4"}', bearer, 400, /alerts is required/],
      ['wrongly typed field', '/webhook/alertmanager', '{"version":"4","alerts":[{"status":"firing","labels":"x"}]}', bearer, 400, /alerts\[0\]\.labels must be of type object/],
      ['wrongly typed Sentry field', '/webhook/sentry', typo.raw, typo.headers, 400, /data\.issue\.title must be a string/],
      ['unknown Sentry resource', '/webhook/sentry', unknown.raw, unknown.headers, 400, /unknown Sentry-Hook-Resource "seer"/],
      ['missing signature', '/webhook/sentry', valid.raw, { 'sentry-hook-resource': 'issue' }, 401, /missing Sentry-Hook-Signature/],
      ['bad signature', '/webhook/sentry', valid.raw, { ...valid.headers, 'sentry-hook-signature': sign(valid.raw, 'wrong') }, 401, /does not match/],
      ['body changed after signing', '/webhook/sentry', valid.raw.replace('blooopy', 'bloopy'), valid.headers, 401, /does not match/],
      ['legacy body without token while a secret is set', '/webhook/sentry', fixtureText('sentry/legacy-webhook-plugin.json'), {}, 401, /\?token=/],
      ['legacy body with a wrong token', '/webhook/sentry?token=nope', fixtureText('sentry/legacy-webhook-plugin.json'), {}, 401, /\?token=/],
      ['missing token', '/webhook/alertmanager', am, {}, 401, /missing or wrong token/],
      ['Grafana without the token', '/webhook/grafana', fixtureText('grafana/firing.json'), {}, 401, /missing or wrong token/],
      ['an Alertmanager body on the Grafana route', '/webhook/grafana', am, bearer, 400, /version must be 1 \(Grafana webhook contact point\)/],
      ['a Grafana value that is not a number', '/webhook/grafana', '{"version":"1","alerts":[{"status":"firing","labels":{},"values":{"B":"x"}}]}', bearer, 400, /alerts\[0\]\.values\.B must be a number/],
      ['wrong token', '/webhook/alertmanager', am, { authorization: 'Bearer nope' }, 401, /missing or wrong token/],
    ] as Array<[string, string, string, Record<string, string>, number, RegExp]>;
  };
  it.each(bad())('%s → %s', async (_name, pathname, body, headers, status, message) => {
    const res = await ingest.post(pathname, body, headers);
    expect(res.status).toBe(status);
    expect((await res.json()).error).toMatch(message);
  });

  /** Traffic of every kind, so the two tests below stand alone: signed, legacy, bearer, refused. */
  async function mixedTraffic() {
    const signed = sentryRequest('issue', fixture('sentry/issue.created.json'));
    const am = fixtureText('alertmanager/firing-critical.json');
    const statuses = [
      (await ingest.post('/webhook/sentry', signed.raw, signed.headers)).status,
      (await ingest.post(`/webhook/sentry?token=${TOKEN}`, fixtureText('sentry/legacy-webhook-plugin.json'))).status,
      (await ingest.post('/webhook/alertmanager', am, { authorization: `Bearer ${TOKEN}` })).status,
      (await ingest.post('/webhook/alertmanager', am, { authorization: 'Bearer wrong-token' })).status,
      (await ingest.post('/webhook/sentry', signed.raw, { ...signed.headers, 'sentry-hook-signature': sign(signed.raw, 'other') })).status,
    ];
    expect(statuses).toEqual([202, 202, 202, 401, 401]);
  }

  it('never logs a secret or a payload body', async () => {
    await mixedTraffic();
    const log = ingest.log();
    expect(log).toContain('Sentry webhook accepted');
    for (const secret of [SECRET, TOKEN, 'wrong-token']) expect(log).not.toContain(secret);
    expect(log).not.toContain('blooopy');
  });

  it('/health, /ready, /metrics and POST /test', async () => {
    await mixedTraffic();
    expect(await (await fetch(`${ingest.base}/health`)).json()).toEqual({ status: 'ok', policy: { hash: 'built-in', loadedAt: expect.any(String) } });
    expect((await fetch(`${ingest.base}/ready`)).status).toBe(200);
    const test = await ingest.post('/test', '');
    expect(test.status).toBe(202);
    const { key } = await test.json();
    expect((await ingest.jobs()).some((j) => j.data.alert.key === key)).toBe(true);
    const metrics = await (await fetch(`${ingest.base}/metrics`)).text();
    expect(metrics).toMatch(/ng_webhooks_received_total\{source="sentry",app="ingest"\} [1-9]/);
    expect(metrics).toMatch(/ng_webhooks_rejected_total\{source="alertmanager",reason="unauthorized",app="ingest"\} [1-9]/);
    expect(metrics).toMatch(/ng_jobs_enqueued_total\{source="alertmanager",app="ingest"\} [1-9]/);
    expect(metrics).toMatch(/ng_jobs_enqueued_total\{source="grafana",app="ingest"\} [1-9]/);
    expect(metrics).toMatch(/ng_webhooks_rejected_total\{source="grafana",reason="invalid_payload",app="ingest"\} [1-9]/);
    expect(metrics).toMatch(/ng_queue_jobs\{queue="alerts",state="waiting",app="ingest"\} [1-9]/);
  });
});

describe('admin endpoints', () => {
  it('Bull Board and the admin APIs refuse without credentials and open with them', async () => {
    const ingest = await startTestIngest({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'board-pass-77' });
    try {
      const auth = `Basic ${Buffer.from('ops:board-pass-77').toString('base64')}`;
      const wrong = `Basic ${Buffer.from('ops:nope').toString('base64')}`;
      for (const headers of [{}, { authorization: wrong }] as Array<Record<string, string>>) {
        expect((await fetch(`${ingest.base}/admin/queues`, { headers })).status).toBe(401);
        expect((await fetch(`${ingest.base}/api/silences`, { headers })).status).toBe(401);
        expect((await fetch(`${ingest.base}/api/digests/flush`, { method: 'POST', headers })).status).toBe(401);
      }
      const board = await fetch(`${ingest.base}/admin/queues`, { headers: { authorization: auth } });
      expect(board.status).toBe(200);
      const page = await board.text();
      // Offline: everything the page loads comes from the gateway itself (no web font from the internet).
      const loads = [...page.matchAll(/<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
      expect(loads.length).toBeGreaterThan(2);
      expect(loads.filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);
      for (const url of loads) expect((await fetch(new URL(url, `${ingest.base}/admin/queues/`), { headers: { authorization: auth } })).status, url).toBe(200);
      // Times in DISPLAY_TZ, like the cards.
      const ui = JSON.parse(/<script id="__UI_CONFIG__" type="application\/json">(.*?)<\/script>/s.exec(page)![1]);
      expect(ui).toMatchObject({ boardTitle: 'notification-gateway', dateFormats: { full: { timeZone: 'Asia/Shanghai' }, common: { timeZone: 'Asia/Shanghai' }, short: { timeZone: 'Asia/Shanghai' } } });
      const queues = await (await fetch(`${ingest.base}/admin/queues/api/queues`, { headers: { authorization: auth } })).json();
      expect(queues.queues.map((q: { name: string }) => q.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
      expect((await fetch(`${ingest.base}/api/digests/flush`, { method: 'POST', headers: { authorization: auth } })).status).toBe(202);
      expect(ingest.log()).not.toContain('board-pass-77');
    } finally {
      await ingest.close();
    }
  });

  it('without ADMIN_USER/ADMIN_PASSWORD the board stays closed and says what to set', async () => {
    const ingest = await startTestIngest();
    try {
      const res = await fetch(`${ingest.base}/admin/queues`);
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/set ADMIN_USER and ADMIN_PASSWORD/);
    } finally {
      await ingest.close();
    }
  });

  it('silences: create (matchers with =, !=, =~, !~, or the first release form), list, lift, and clear 400s; lifted ones kept with who', async () => {
    const ingest = await startTestIngest({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'board-pass-77' });
    const headers = { authorization: `Basic ${Buffer.from('ops:board-pass-77').toString('base64')}`, 'content-type': 'application/json' };
    const post = (body: unknown) => fetch(`${ingest.base}/api/silences`, { method: 'POST', headers, body: JSON.stringify(body) });
    try {
      const created = await post({ matchers: [{ name: 'service', op: '=~', value: 'payments-.*' }, { name: 'alertname', op: '!=', value: 'Heartbeat' }], duration: '2h', comment: 'maintenance' });
      expect(created.status, ingest.log()).toBe(201);
      const silence = await created.json();
      expect(silence).toMatchObject({ matchers: [{ name: 'service', op: '=~', value: 'payments-.*' }, { name: 'alertname', op: '!=', value: 'Heartbeat' }], createdBy: 'ops' });
      const legacy = await (await post({ matchers: { service: 'payments' }, duration: '2h' })).json();
      expect(legacy.matchers).toEqual([{ name: 'service', op: '=', value: 'payments' }]);
      const list = await (await fetch(`${ingest.base}/api/silences`, { headers })).json();
      expect(list.map((s: { id: string }) => s.id).sort()).toEqual([silence.id, legacy.id].sort());
      const bad: Array<[unknown, RegExp]> = [
        [{ matchers: {}, duration: '2h' }, /matchers needs at least one/],
        [{ matchers: [{ name: 'service', op: '=~', value: '(' }], duration: '2h' }, /not a valid regex/],
        [{ matchers: [{ name: 'service', op: '!=', value: 'x' }], duration: '2h' }, /must not match an empty value/],
        [{ matchers: [{ name: 'service', op: '~~', value: 'x' }], duration: '2h' }, /op/],
        [{ matchers: [{ name: 'service', value: 'x' }], duration: 'soon' }, /duration/],
      ];
      for (const [body, message] of bad) {
        const res = await post(body);
        expect(res.status).toBe(400);
        expect((await res.json()).error).toMatch(message);
      }
      expect((await fetch(`${ingest.base}/api/silences/${silence.id}`, { method: 'DELETE', headers })).status).toBe(204);
      expect((await fetch(`${ingest.base}/api/silences/${silence.id}`, { method: 'DELETE', headers })).status).toBe(404);
      const all = await (await fetch(`${ingest.base}/api/silences?all=1`, { headers })).json();
      expect(all.find((s: { id: string }) => s.id === silence.id)).toMatchObject({ createdBy: 'ops', deletedBy: 'ops' });
    } finally {
      await ingest.close();
    }
  });
});
