import { createHmac } from 'node:crypto';
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createHistoryWriter, createLogger, createMetrics, createRedis, loadConfig, wecomEncrypt, wecomKey, wecomSignature, type Config } from '@ng/core';
import { startIngest } from '@ng/ingest';
import { startWorker } from '@ng/worker';
import { REDIS_URL, dropPrefix, freePort, root } from '@ng/testkit';

/**
 * GET /openapi.json against the API as it answers: the document is valid OpenAPI 3.1, it lists
 * exactly the routes the app serves, and real answers of every route, each status it documents
 * included, fit the documented status, media type and schema (Ajv, JSON Schema 2020-12).
 */
const SECRET = 'openapi-sentry-client-secret-value';
const TOKEN = 'openapi-webhook-token-value';
const ADMIN = `Basic ${Buffer.from('ops:openapi-admin-pass').toString('base64')}`;
const fixture = (name: string) => fs.readFileSync(path.join(root, 'packages/core/test/fixtures', name), 'utf8');
const CALLBACK_ENV = { WEIXIN_CORP_ID: 'ww-openapi-corp', WEIXIN_CORP_SECRET: 'openapi-corp-secret', WEIXIN_AGENT_ID: '1000002', WEIXIN_CALLBACK_TOKEN: 'openapiToken1', WEIXIN_CALLBACK_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', WEIXIN_API_BASE: 'http://127.0.0.1:9' };
const quiet = (config: Config) => createLogger({ service: 'openapi-test', secrets: [], stream: new PassThrough(), level: config.logLevel });

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

/** Every METHOD /path the app routes, in OpenAPI's spelling; mounted sub-apps (Bull Board) are not routes. */
type Layer = { name: string; route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] } };
function routesOf(app: unknown): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.name === 'router' && layer.handle.stack) walk(layer.handle.stack);
    }
  };
  walk((app as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

describe('GET /openapi.json', () => {
  const prefix = `{openapi-${process.pid}}`;
  const env = { REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', BODY_LIMIT: '64kb', SENTRY_CLIENT_SECRET: SECRET, WEBHOOK_TOKEN: TOKEN, ADMIN_USER: 'ops', ADMIN_PASSWORD: 'openapi-admin-pass' };
  let up: Awaited<ReturnType<typeof startIngest>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let down: Awaited<ReturnType<typeof startIngest>>;
  let callback: Awaited<ReturnType<typeof startIngest>>;
  let doc: Doc;
  const seen = new Set<string>();
  const policyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-policy-')), 'policy.yaml');
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

  beforeAll(async () => {
    const config = loadConfig({ ...env, METRICS_PORT: String(await freePort()) });
    // One gateway as `pnpm start` runs it (so digests flush), and an ingest whose Redis is gone and whose admin is closed.
    const metrics = createMetrics('all-in-one');
    worker = await startWorker({ config, logger: quiet(config), metrics });
    up = await startIngest({ config, logger: quiet(config), metrics });
    const closed = loadConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, PORT: '0', QUEUE_PREFIX: prefix });
    down = await startIngest({ config: closed, logger: quiet(closed) });
    // An ingest whose WeCom app has its callback configured, and a policy file the reload test breaks.
    fs.writeFileSync(policyFile, 'dedupWindow: 5m\nrotations:\n  - { id: sre, members: [zhangsan, { userid: wangwu, mobile: "13800001111" }], every: 7d, start: 2026-11-30 }\n');
    const cb = loadConfig({ ...env, ...CALLBACK_ENV, POLICY_FILE: policyFile });
    callback = await startIngest({ config: cb, logger: quiet(cb) });
    doc = await (await fetch(`http://127.0.0.1:${up.port}/openapi.json`)).json();
    ajv.addSchema(doc, 'openapi.json');
  });

  afterAll(async () => {
    await down?.close();
    await callback?.close();
    await up?.close();
    await worker?.close();
    await dropPrefix(prefix);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator'); // ESM only
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('describes exactly the routes the app serves (and Bull Board, mounted at /admin/queues; not the console, pages for people tested in a browser)', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(documented).toEqual([...routesOf(up.app).filter((r) => !r.includes(' /console')), 'GET /admin/queues'].sort());
  });

  /** Sends one real request and holds its answer to the document. */
  async function check(target: 'up' | 'down' | 'callback', method: string, route: string, opts: { path?: string; body?: string; headers?: Record<string, string> } = {}): Promise<number> {
    const port = { up, down, callback }[target].port;
    const res = await fetch(`http://127.0.0.1:${port}${opts.path ?? route}`, { method, body: opts.body, headers: opts.headers });
    const status = String(res.status);
    const documented = doc.paths[route]?.[method.toLowerCase()]?.responses;
    expect(documented, `${method} ${route} is documented`).toBeDefined();
    expect(Object.keys(documented!), `${method} ${route} documents ${status}`).toContain(status);
    seen.add(`${method} ${route} ${status}`);
    const content = documented![status].content;
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    if (!content) {
      expect(await res.text(), `${method} ${route} ${status} has no body`).toBe('');
      return res.status;
    }
    expect(Object.keys(content), `${method} ${route} ${status} media type`).toContain(type);
    if (type === 'text/plain') expect(typeof (await res.text())).toBe('string');
    if (type === 'application/json') {
      const pointer = ['paths', route, method.toLowerCase(), 'responses', status, 'content', type, 'schema'].map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
      const validate = ajv.getSchema(`openapi.json#/${pointer}`)!;
      const body = await res.json();
      expect(validate(body) ? [] : validate.errors, `${method} ${route} ${status}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([]);
    }
    return res.status;
  }

  const json = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...extra });
  const signed = (resource: string, body: string) => json({ 'sentry-hook-resource': resource, 'sentry-hook-signature': createHmac('sha256', SECRET).update(body).digest('hex') });
  const bearer = json({ authorization: `Bearer ${TOKEN}` });
  const big = JSON.stringify({ version: '4', pad: 'x'.repeat(70_000) });

  it('webhooks: every documented answer, as sent', async () => {
    const issue = fixture('sentry/issue.created.json');
    const install = fixture('sentry/installation.created.json');
    expect(await check('up', 'POST', '/webhook/sentry', { body: issue, headers: signed('issue', issue) })).toBe(202);
    expect(await check('up', 'POST', '/webhook/sentry', { body: install, headers: signed('installation', install) })).toBe(200);
    expect(await check('up', 'POST', '/webhook/sentry', { body: '{"action":', headers: signed('issue', '{"action":') })).toBe(400);
    expect(await check('up', 'POST', '/webhook/sentry', { body: issue, headers: json({ 'sentry-hook-resource': 'issue' }) })).toBe(401);
    expect(await check('up', 'POST', '/webhook/sentry', { body: big, headers: signed('issue', big) })).toBe(413);
    expect(await check('up', 'POST', '/webhook/sentry', { body: issue, headers: { 'content-type': 'text/plain' } })).toBe(415);
    expect(await check('down', 'POST', '/webhook/sentry', { body: issue, headers: json({ 'sentry-hook-resource': 'issue' }) })).toBe(503);
    const bodies = { '/webhook/alertmanager': fixture('alertmanager/firing-critical.json'), '/webhook/grafana': fixture('grafana/firing.json') };
    for (const [route, body] of Object.entries(bodies)) {
      expect(await check('up', 'POST', route, { body, headers: bearer })).toBe(202);
      expect(await check('up', 'POST', route, { body: '{"version":"4","alerts":"x"}', headers: bearer })).toBe(400);
      expect(await check('up', 'POST', route, { body, headers: json() })).toBe(401);
      expect(await check('up', 'POST', route, { body: big, headers: bearer })).toBe(413);
      expect(await check('up', 'POST', route, { body, headers: { ...bearer, 'content-type': 'text/plain' } })).toBe(415);
      expect(await check('down', 'POST', route, { body, headers: json() })).toBe(503);
    }
    expect(await check('up', 'POST', '/webhook/alertmanager', { body: fixture('grafana/no-data.json'), headers: bearer })).toBe(202);
  });

  it('operations: health, readiness, the test message, metrics, this document', async () => {
    expect(await check('up', 'GET', '/health')).toBe(200);
    expect(await check('up', 'GET', '/ready')).toBe(200);
    expect(await check('down', 'GET', '/ready')).toBe(503);
    expect(await check('up', 'POST', '/test')).toBe(202);
    expect(await check('down', 'POST', '/test')).toBe(503);
    expect(await check('up', 'GET', '/metrics')).toBe(200);
    expect(await check('up', 'GET', '/openapi.json')).toBe(200);
  });

  it('admin: Bull Board, silences, digest flush', async () => {
    const admin = json({ authorization: ADMIN });
    expect(await check('up', 'GET', '/admin/queues', { headers: { authorization: ADMIN } })).toBe(200);
    expect(await check('up', 'GET', '/admin/queues')).toBe(401);
    expect(await check('down', 'GET', '/admin/queues')).toBe(503);
    const silence = JSON.stringify({ matchers: [{ name: 'service', op: '=~', value: 'payments-.*' }, { name: 'team', value: 'dba' }], duration: '2h', comment: 'migration' });
    expect(await check('up', 'POST', '/api/silences', { body: silence, headers: admin })).toBe(201);
    expect(await check('up', 'POST', '/api/silences', { body: '{"matchers":{}}', headers: admin })).toBe(400);
    expect(await check('up', 'POST', '/api/silences', { body: silence, headers: json() })).toBe(401);
    expect(await check('down', 'POST', '/api/silences', { body: silence, headers: json() })).toBe(503);
    expect(await check('up', 'GET', '/api/silences', { path: '/api/silences?all=1', headers: admin })).toBe(200);
    expect(await check('up', 'GET', '/api/silences')).toBe(401);
    expect(await check('down', 'GET', '/api/silences')).toBe(503);
    const [{ id }] = await (await fetch(`http://127.0.0.1:${up.port}/api/silences`, { headers: admin })).json();
    expect(await check('up', 'DELETE', '/api/silences/{id}', { path: `/api/silences/${id}`, headers: admin })).toBe(204);
    expect(await check('up', 'DELETE', '/api/silences/{id}', { path: `/api/silences/${id}`, headers: admin })).toBe(404);
    expect(await check('up', 'DELETE', '/api/silences/{id}', { path: `/api/silences/${id}` })).toBe(401);
    expect(await check('down', 'DELETE', '/api/silences/{id}', { path: `/api/silences/${id}` })).toBe(503);
    expect(await check('up', 'POST', '/api/digests/flush', { headers: { authorization: ADMIN } })).toBe(200);
    expect(await check('up', 'POST', '/api/digests/flush')).toBe(401);
    expect(await check('down', 'POST', '/api/digests/flush')).toBe(503);
  });

  it("WeCom's callback: URL verification, an event, and every refusal", async () => {
    const key = wecomKey(CALLBACK_ENV.WEIXIN_CALLBACK_AES_KEY);
    const now = String(Math.floor(Date.now() / 1000));
    const sign = (encrypted: string, timestamp = now) => `msg_signature=${wecomSignature(CALLBACK_ENV.WEIXIN_CALLBACK_TOKEN, timestamp, 'n1', encrypted)}&timestamp=${timestamp}&nonce=n1`;
    const echostr = wecomEncrypt(key, '4242', CALLBACK_ENV.WEIXIN_CORP_ID);
    const get = (query: string) => ({ path: `/webhook/wecom?${query}` });
    expect(await check('callback', 'GET', '/webhook/wecom', get(`${sign(echostr)}&echostr=${encodeURIComponent(echostr)}`))).toBe(200);
    expect(await check('callback', 'GET', '/webhook/wecom', get(sign(echostr)))).toBe(400);
    expect(await check('callback', 'GET', '/webhook/wecom', get(`${sign(echostr).replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`)}&echostr=${encodeURIComponent(echostr)}`))).toBe(401);
    expect(await check('callback', 'GET', '/webhook/wecom', get(`${sign(echostr, '1409659813')}&echostr=${encodeURIComponent(echostr)}`))).toBe(403);
    expect(await check('up', 'GET', '/webhook/wecom', get(`${sign(echostr)}&echostr=${encodeURIComponent(echostr)}`))).toBe(404);
    const event = `<xml><ToUserName><![CDATA[${CALLBACK_ENV.WEIXIN_CORP_ID}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><AgentID>1000002</AgentID></xml>`;
    const encrypted = wecomEncrypt(key, event, CALLBACK_ENV.WEIXIN_CORP_ID);
    const post = (body: string, query = sign(encrypted)) => ({ path: `/webhook/wecom?${query}`, body, headers: { 'content-type': 'text/xml' } });
    const envelope = `<xml><ToUserName><![CDATA[${CALLBACK_ENV.WEIXIN_CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID>1000002</AgentID></xml>`;
    expect(await check('callback', 'POST', '/webhook/wecom', post(envelope))).toBe(200);
    expect(await check('callback', 'POST', '/webhook/wecom', post('<xml><Encrypt>'))).toBe(400);
    expect(await check('callback', 'POST', '/webhook/wecom', post(envelope, sign(encrypted).replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`)))).toBe(401);
    expect(await check('callback', 'POST', '/webhook/wecom', post(envelope, sign(encrypted, '1409659813')))).toBe(403);
    expect(await check('up', 'POST', '/webhook/wecom', post(envelope))).toBe(404);
    expect(await check('callback', 'POST', '/webhook/wecom', post(`<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`))).toBe(413);
  });

  it('history: alerts, one alert, open problems; on-call', async () => {
    const admin = { authorization: ADMIN };
    const redis = createRedis(REDIS_URL, 'worker');
    const alert = { source: 'sentry' as const, kind: 'issue.created', key: 'sentry:77', idempotencyKey: '7'.repeat(32), status: 'firing' as const, severity: 'critical' as const, title: 'ValueError', labels: {}, receivedAt: new Date().toISOString() };
    await createHistoryWriter({ redis, prefix, retentionMs: 86_400_000, maxAlerts: 1000 }).recordDecision(alert.idempotencyKey, { alert, fate: 'queued', reason: 'to app', plan: [], decidedAtMs: Date.now() });
    redis.disconnect();
    expect(await check('up', 'GET', '/api/alerts', { path: '/api/alerts?severity=critical&limit=10', headers: admin })).toBe(200);
    expect(await check('up', 'GET', '/api/alerts', { path: '/api/alerts?severity=loud', headers: admin })).toBe(400);
    expect(await check('up', 'GET', '/api/alerts')).toBe(401);
    expect(await check('down', 'GET', '/api/alerts')).toBe(503);
    expect(await check('up', 'GET', '/api/alerts/{id}', { path: `/api/alerts/${alert.idempotencyKey}`, headers: admin })).toBe(200);
    expect(await check('up', 'GET', '/api/alerts/{id}', { path: '/api/alerts/none', headers: admin })).toBe(404);
    expect(await check('up', 'GET', '/api/alerts/{id}', { path: '/api/alerts/none' })).toBe(401);
    expect(await check('down', 'GET', '/api/alerts/{id}', { path: '/api/alerts/none' })).toBe(503);
    expect(await check('up', 'GET', '/api/problems', { headers: admin })).toBe(200);
    expect(await check('up', 'GET', '/api/problems')).toBe(401);
    expect(await check('down', 'GET', '/api/problems')).toBe(503);
    expect(await check('callback', 'GET', '/api/oncall', { path: '/api/oncall?at=2026-12-24T09:00:00%2B08:00', headers: admin })).toBe(200);
    expect(await check('up', 'GET', '/api/oncall', { path: '/api/oncall?at=christmas', headers: admin })).toBe(400);
    expect(await check('up', 'GET', '/api/oncall')).toBe(401);
    expect(await check('down', 'GET', '/api/oncall')).toBe(503);
  });

  it('preview and reload', async () => {
    const admin = json({ authorization: ADMIN });
    const am = fixture('alertmanager/firing-critical.json');
    expect(await check('up', 'POST', '/api/preview', { body: am, headers: admin })).toBe(200);
    expect(await check('up', 'POST', '/api/preview', { body: '{"example":"no-such-example"}', headers: admin })).toBe(400);
    expect(await check('up', 'POST', '/api/preview', { body: big, headers: admin })).toBe(413);
    expect(await check('up', 'POST', '/api/preview', { body: am, headers: { authorization: ADMIN, 'content-type': 'text/plain' } })).toBe(415);
    expect(await check('up', 'POST', '/api/preview', { body: am, headers: json() })).toBe(401);
    expect(await check('down', 'POST', '/api/preview', { body: am, headers: json() })).toBe(503);
    expect(await check('up', 'POST', '/-/reload', { headers: { authorization: ADMIN } })).toBe(200);
    fs.writeFileSync(policyFile, 'dedupWindow: [\n');
    expect(await check('up', 'POST', '/-/reload', { headers: { authorization: ADMIN } })).toBe(500);
    fs.writeFileSync(policyFile, 'dedupWindow: 5m\n');
    expect(await check('up', 'POST', '/-/reload')).toBe(401);
    expect(await check('down', 'POST', '/-/reload')).toBe(503);
  });

  it('the recorded payloads fit the documented request bodies', () => {
    const bodies: Array<[string, string]> = [
      ['/webhook/sentry', 'sentry/issue.created.json'], ['/webhook/sentry', 'sentry/legacy-webhook-plugin.json'],
      ['/webhook/alertmanager', 'alertmanager/group-3.json'], ['/webhook/alertmanager', 'grafana/resolved.json'],
      ['/webhook/grafana', 'grafana/firing.json'], ['/webhook/grafana', 'grafana/no-data.json'],
    ];
    for (const [route, file] of bodies) {
      const validate = ajv.getSchema(`openapi.json#/paths/${route.replaceAll('/', '~1')}/post/requestBody/content/application~1json/schema`)!;
      expect(validate(JSON.parse(fixture(file))) ? [] : validate.errors, `${file} → ${route}`).toEqual([]);
    }
    const wrong = ajv.getSchema('openapi.json#/paths/~1webhook~1grafana/post/requestBody/content/application~1json/schema')!;
    expect(wrong(JSON.parse(fixture('alertmanager/firing-critical.json')))).toBe(false);
  });

  it('every documented answer was seen (but the flush no worker took within 10 s)', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).flatMap(([m, op]) => Object.keys(op.responses).map((s) => `${m.toUpperCase()} ${p} ${s}`)));
    expect(documented.filter((d) => !seen.has(d))).toEqual(['POST /api/digests/flush 202']);
  });
});
