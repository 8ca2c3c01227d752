import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createHistoryWriter, createRedis, hashId, jobIdFor, retryingJobOptions, type Alert } from '@ng/core';
import { freePort, percentile, root, sleep, startFakeWecomProc, startProc, startRedisServer } from '@ng/testkit';

/** A distinct critical alert, as the Alertmanager normalizer makes it. */
export function distinctCritical(n: number, tag: string, atMs = Date.now()): Alert {
  const at = new Date(atMs).toISOString();
  return {
    source: 'alertmanager', kind: 'alertmanager', key: `am:${tag}-${n}`, idempotencyKey: hashId(tag, n), status: 'firing',
    severity: 'critical', level: 'critical', title: `Bench${n}`, instance: `node-${n % 100}:9100`, job: 'node', environment: 'production', service: `svc-${n % 20}`,
    startsAt: at, summary: 'bench alert', labels: { alertname: `Bench${n}`, severity: 'critical', instance: `node-${n % 100}:9100`, job: 'node' }, receivedAt: at,
  };
}

const KEY_FAMILIES: Array<[string, RegExp]> = [
  ['alert jobs (completed, kept 24 h / 100k)', /:alerts:[0-9a-f]{32}$/],
  ['delivery jobs (completed, kept 1 h / 10k)', /:deliveries:[0-9a-f]{32}$/],
  ['queue indexes', /:(alerts|deliveries|clock):[a-z-]+$/],
  ['history records', /:h:a:/],
  ['history index and summaries', /:h:(i|s|pi)$/],
  ['problem timelines', /:h:p:/],
  ['problem state (dedup)', /:problem:/],
  ['problem index (dedup)', /:problems$/],
  ['claims (dedup)', /:claim:/],
];

/**
 * Redis bytes per accepted alert at steady state: n distinct criticals through one worker into
 * the fake WeCom, on a Redis of its own, then used_memory and each key family's MEMORY USAGE.
 */
export async function memoryOnce(n: number, env: Record<string, string> = {}) {
  const redis = await startRedisServer();
  const client = createRedis(redis.url, 'worker');
  const wecom = await startFakeWecomProc({ FAKE_WECOM_KEEP_MESSAGES: '0' });
  const prefix = '{mem}';
  try {
    const queue = new Queue(QUEUE_NAMES.alerts, { connection: client, prefix });
    const deliveries = new Queue(QUEUE_NAMES.deliveries, { connection: client, prefix });
    const worker = startProc(path.join(root, 'apps/worker/dist/main.js'), {
      REDIS_URL: redis.url, QUEUE_PREFIX: prefix, METRICS_PORT: String(await freePort()), LOG_LEVEL: 'warn',
      WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: 'ww-test-corp', WEIXIN_CORP_SECRET: 'test-corp-secret-value', WEIXIN_AGENT_ID: '1000002',
      APP_RATE_LIMIT_PER_MIN: '100000000', STORM_THRESHOLD: '100000000', ...env,
    });
    await sleep(1500);
    const before = await usedMemory(client);
    const opts = retryingJobOptions({ attempts: 3, backoffBaseMs: 100 });
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => {
        const alert = distinctCritical(i + j, 'mem');
        return { name: alert.kind, data: { alert }, opts: { ...opts, jobId: jobIdFor(alert) } };
      }));
    }
    // Completed delivery jobs are kept only up to 10,000: wait for empty queues instead of counting them.
    const left = async (q: Queue) => Object.values(await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).reduce((a, b) => a + b, 0);
    while ((await left(queue)) + (await left(deliveries)) > 0) await sleep(200);
    const delivered = (await wecom.stats()).accepted;
    if (delivered !== n) throw new Error(`memory: ${delivered} of ${n} alerts delivered`);
    await worker.stop();
    const after = await usedMemory(client);
    const families = new Map<string, number>();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
      cursor = next;
      const sizes = await Promise.all(keys.map((k) => client.memory('USAGE', k, 'SAMPLES', '0')));
      keys.forEach((k, i) => {
        const family = KEY_FAMILIES.find(([, re]) => re.test(k))?.[0] ?? 'other';
        families.set(family, (families.get(family) ?? 0) + Number(sizes[i] ?? 0));
      });
    } while (cursor !== '0');
    await Promise.all([queue.close(), deliveries.close()]);
    return {
      alerts: n,
      bytesPerAlert: Math.round((after - before) / n),
      byFamily: Object.fromEntries([...families].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v / n)])),
    };
  } finally {
    client.disconnect();
    await wecom.proc.stop();
    await redis.stop();
  }
}

async function usedMemory(client: ReturnType<typeof createRedis>): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * /api/alerts with `size` alerts in the history (written as the worker writes them), asked the
 * questions people ask: the newest page, a filter, a search, a page deep in, one alert.
 */
export async function historyApiOnce(size: number, requests = 100) {
  const redis = await startRedisServer();
  const client = createRedis(redis.url, 'worker', { enableAutoPipelining: true });
  const prefix = '{api}';
  const writer = createHistoryWriter({ redis: client, prefix, retentionMs: 30 * 86_400_000, maxAlerts: size });
  const start = Date.now() - size * 1000;
  for (let i = 0; i < size; i += 2000) {
    await Promise.all(Array.from({ length: Math.min(2000, size - i) }, (_, j) => {
      const alert = distinctCritical(i + j, 'api', start + (i + j) * 1000);
      return writer.recordDecision(alert.idempotencyKey, { alert, fate: (i + j) % 5 ? 'queued' : 'duplicate', reason: 'to app', plan: [{ destinationId: 'app', route: 'default', as: 'card' }], decidedAtMs: start + (i + j) * 1000 });
    }));
  }
  const port = await freePort();
  const ingest = startProc(path.join(root, 'apps/ingest/dist/main.js'), { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, PORT: String(port), ADMIN_USER: 'bench', ADMIN_PASSWORD: 'bench-pass', LOG_LEVEL: 'warn' });
  const auth = { authorization: `Basic ${Buffer.from('bench:bench-pass').toString('base64')}` };
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100 && !(await fetch(`${base}/health`).then((r) => r.ok, () => false)); i++) await sleep(50);
    const deep = (await (await fetch(`${base}/api/alerts?limit=500`, { headers: auth })).json()) as { next: string };
    const one = distinctCritical(Math.floor(size / 2), 'api').idempotencyKey;
    const queries: Record<string, string> = {
      'newest 50': '/api/alerts',
      'service filter': '/api/alerts?service=svc-7',
      'search, a rare title': `/api/alerts?q=Bench${Math.floor(size / 3)}`,
      'second page of 500': `/api/alerts?limit=500&cursor=${deep.next}`,
      'one alert': `/api/alerts/${one}`,
    };
    const out: Record<string, { p50: number; p99: number; scanned?: number }> = {};
    for (const [name, url] of Object.entries(queries)) {
      const times: number[] = [];
      let scanned: number | undefined;
      for (let i = 0; i < requests; i++) {
        const t = performance.now();
        const res = await fetch(`${base}${url}`, { headers: auth });
        const body = (await res.json()) as { scanned?: number };
        times.push(performance.now() - t);
        scanned = body.scanned;
      }
      out[name] = { p50: Math.round(percentile(times, 50)), p99: Math.round(percentile(times, 99)), scanned };
    }
    return { size, queries: out };
  } finally {
    await ingest.stop();
    client.disconnect();
    await redis.stop();
  }
}
