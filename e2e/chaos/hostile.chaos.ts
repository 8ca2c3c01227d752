import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRssMb } from '@ng/testkit';
import { report, sleep, startGateway } from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'fuzz-client-secret-0123456789abcdef';
const TOKEN = 'fuzz-webhook-token-42';
const ADMIN_PASSWORD = 'fuzz-admin-password-77';
const fixtures = path.resolve(__dirname, '../../packages/core/test/fixtures');
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

type Json = unknown;
const seeds: Array<{ route: 'sentry' | 'alertmanager'; resource?: string; body: Json }> = [
  { route: 'sentry', resource: 'issue', body: load('sentry/issue.created.json') },
  { route: 'sentry', resource: 'error', body: load('sentry/error.created.json') },
  { route: 'sentry', resource: 'event_alert', body: load('sentry/event_alert.triggered.json') },
  { route: 'sentry', resource: 'metric_alert', body: load('sentry/metric_alert.critical.json') },
  { route: 'sentry', body: load('sentry/legacy-webhook-plugin.json') },
  { route: 'alertmanager', body: load('alertmanager/group-3.json') },
];

/** Replaces the value at a random path of a JSON document (or deletes it, or adds hostile keys). */
function mutate(doc: Json, pathPick: number[], replacement: Json, mode: number): Json {
  const copy = JSON.parse(JSON.stringify(doc));
  let node = copy as Record<string, Json>;
  for (const pick of pathPick) {
    if (!node || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[pick % keys.length];
    const child = node[key];
    if (!child || typeof child !== 'object' || pick % 3 === 0) {
      if (mode === 0) delete node[key];
      else if (mode === 1) node[key] = replacement;
      else Object.assign(node, JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'));
      return copy;
    }
    node = child as Record<string, Json>;
  }
  return copy;
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('x'.repeat(200_000)),
  fc.constant(null),
  fc.integer().map((n) => [n, { $gt: '' }]),
  fc.constant(Number.MAX_SAFE_INTEGER),
);

describe('chaos: hostile input', () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway({
      redisUrl: REDIS_URL,
      workers: 0,
      name: 'fuzz',
      env: { SENTRY_CLIENT_SECRET: SECRET, WEBHOOK_TOKEN: TOKEN, ADMIN_USER: 'ops', ADMIN_PASSWORD, LOG_LEVEL: 'info' },
      ingestNodeArgs: ['--expose-gc', '-r', path.join(__dirname, 'heap-probe.cjs')],
    });
  });
  afterAll(async () => {
    await gw.queue.obliterate({ force: true }).catch(() => undefined);
    await gw.stop();
  });

  /** The ingest's live heap after a full garbage collection, in MB (heap-probe.cjs). */
  async function liveHeapMb(): Promise<number> {
    const answers = () => [...gw.ingest.output().matchAll(/HEAP_USED (\d+)/g)].map((m) => Number(m[1]));
    const before = answers().length;
    gw.ingest.child.kill('SIGUSR2');
    for (let i = 0; i < 100 && answers().length === before; i++) await sleep(50);
    const latest = answers().slice(before).at(-1);
    if (latest === undefined) throw new Error('the heap probe did not answer');
    return latest / 2 ** 20;
  }

  it('5. thousands of random and mutated payloads: only 2xx/4xx, ingest up, memory flat, forgeries refused, no secret logged', async () => {
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const send = async (route: 'sentry' | 'alertmanager', raw: string, opts: { resource?: string; forge?: boolean } = {}) => {
      const headers: Record<string, string> = {};
      if (route === 'alertmanager') headers.authorization = `Bearer ${TOKEN}`;
      if (route === 'sentry' && opts.resource) {
        headers['sentry-hook-resource'] = opts.resource;
        headers['sentry-hook-signature'] = opts.forge ? sign(`${raw} `) : sign(raw);
      }
      const pathname = route === 'sentry' && !opts.resource ? `/webhook/sentry?token=${TOKEN}` : `/webhook/${route}`;
      const status = await gw.post(pathname, raw, headers);
      count(status);
      return status;
    };

    // Mutated real payloads, in two rounds: resident memory after the second must match the first.
    const mutatedRound = () => fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }), hostileValue, fc.nat(2), async (i, pick, value, mode) => {
        const seed = seeds[i];
        const status = await send(seed.route, JSON.stringify(mutate(seed.body, pick, value, mode)), { resource: seed.resource });
        expect(status === 413 || (status >= 200 && status < 500)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    await mutatedRound();
    const heapBefore = await liveHeapMb();
    const rssBefore = currentRssMb(gw.ingest.child.pid);
    await mutatedRound();
    // Random JSON and random bytes, to both routes.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null'), fc.string({ unit: 'binary', maxLength: 500 })), fc.boolean(), async (raw, toSentry) => {
        const status = await send(toSentry ? 'sentry' : 'alertmanager', raw, { resource: toSentry ? 'issue' : undefined });
        expect(status >= 200 && status < 500).toBe(true);
      }),
      { numRuns: 1000 },
    );
    // Deep nesting and invalid UTF-8.
    expect(await send('alertmanager', `${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(400);
    expect(await send('alertmanager', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1'))).toBeLessThan(500);
    // Forged signatures and tokens are never accepted.
    for (const seed of seeds.filter((s) => s.resource)) {
      expect(await send('sentry', JSON.stringify(seed.body), { resource: seed.resource, forge: true })).toBe(401);
    }
    expect(await gw.post('/webhook/alertmanager', JSON.stringify(seeds[5].body), { authorization: `Bearer ${TOKEN}x` })).toBe(401);
    expect(await gw.post('/webhook/sentry?token=wrong', JSON.stringify(seeds[4].body))).toBe(401);
    // Bull Board and the silences API never open without credentials.
    for (const url of ['/admin/queues', '/admin/queues/api/queues', '/api/silences']) {
      expect((await fetch(`http://127.0.0.1:${gw.port}${url}`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${gw.port}${url}`, { headers: { authorization: `Basic ${Buffer.from('ops:guess').toString('base64')}` } })).status).toBe(401);
    }

    const health = await fetch(`http://127.0.0.1:${gw.port}/health`);
    const rssAfter = currentRssMb(gw.ingest.child.pid);
    const heapAfter = await liveHeapMb();
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const mb = (n: number) => Math.round(n * 10) / 10;
    report('5. hostile input', { requests: total, statuses: Object.fromEntries(statuses), liveHeapAfterRound1Mb: mb(heapBefore), liveHeapAfterAllMb: mb(heapAfter), rssAfterRound1Mb: mb(rssBefore), rssAfterAllMb: mb(rssAfter) });
    expect(health.status).toBe(200);
    expect([...statuses.keys()].filter((s) => s >= 500 || s === 0)).toEqual([]);
    // Two thousand more requests, some with 200 KB strings, leave nothing behind.
    expect(heapAfter - heapBefore).toBeLessThan(5);
    const logs = gw.logs();
    for (const secret of [SECRET, TOKEN, ADMIN_PASSWORD]) expect(logs).not.toContain(secret);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('6. slowloris: 300 slow clients do not stop /health or webhooks', async () => {
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const socket = net.connect(gw.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\n');
      sockets.push(socket);
    }
    const drip = setInterval(() => sockets.forEach((s) => s.writable && s.write('X-a: b\r\n')), 500);
    try {
      await sleep(1000);
      const answers: number[] = [];
      for (let i = 0; i < 20; i++) {
        answers.push((await fetch(`http://127.0.0.1:${gw.port}/health`, { signal: AbortSignal.timeout(2000) })).status);
        answers.push(await gw.post('/webhook/alertmanager', JSON.stringify(seeds[5].body), { authorization: `Bearer ${TOKEN}` }));
      }
      report('6. slowloris', { slowClients: sockets.length, answers: answers.length, allOk: answers.every((s) => s === 200 || s === 202) });
      expect(answers.every((s) => s === 200 || s === 202)).toBe(true);
    } finally {
      clearInterval(drip);
      sockets.forEach((s) => s.destroy());
    }
  });
});
