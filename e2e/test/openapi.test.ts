import { createHmac } from 'node:crypto';
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createLogger, createMetrics, loadConfig, type Config } from '@ng/core';
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
  let doc: Doc;
  const seen = new Set<string>();
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

  beforeAll(async () => {
    const config = loadConfig({ ...env, METRICS_PORT: String(await freePort()) });
    // One gateway as `pnpm start` runs it (so digests flush), and an ingest whose Redis is gone and whose admin is closed.
    const metrics = createMetrics('all-in-one');
    worker = await startWorker({ config, logger: quiet(config), metrics });
    up = await startIngest({ config, logger: quiet(config), metrics });
    const closed = loadConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, PORT: '0', QUEUE_PREFIX: prefix });
    down = await startIngest({ config: closed, logger: quiet(closed) });
    doc = await (await fetch(`http://127.0.0.1:${up.port}/openapi.json`)).json();
    ajv.addSchema(doc, 'openapi.json');
  });

  afterAll(async () => {
    await down?.close();
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

  it('describes exactly the routes the app serves (and Bull Board, mounted at /admin/queues)', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(documented).toEqual([...routesOf(up.app), 'GET /admin/queues'].sort());
  });

  /** Sends one real request and holds its answer to the document. */
  async function check(target: 'up' | 'down', method: string, route: string, opts: { path?: string; body?: string; headers?: Record<string, string> } = {}): Promise<number> {
    const port = target === 'up' ? up.port : down.port;
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
    const silence = JSON.stringify({ matchers: { service: 'payments', labels: { team: 'dba' } }, duration: '2h', comment: 'migration' });
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
