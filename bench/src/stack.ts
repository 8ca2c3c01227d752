import http from 'node:http';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createRedis } from '@ng/core';
import { freePort, root, sleep, startProc, type Proc } from '@ng/testkit';

/**
 * What the opt-in modes (bigstorm, shard) share: the gateway as shipped (ingest and workers as
 * their own processes, no test timings), an Alertmanager-like webhook client with a bounded
 * number of connections, and readings of the queues, the metrics and Redis's INFO.
 */

/** The WeCom app settings that match the fake WeCom's default credentials. */
export const wecomApp = (url: string) => ({
  WEIXIN_API_BASE: url,
  WEIXIN_CORP_ID: 'ww-test-corp',
  WEIXIN_CORP_SECRET: 'test-corp-secret-value',
  WEIXIN_AGENT_ID: '1000002',
});

/** An Alertmanager webhook with one alert (run.ts's amWebhook). */
export function amWebhook(alertname: string, fingerprint: string, startsAt: string, severity = 'critical'): string {
  return JSON.stringify({
    receiver: 'gateway', status: 'firing', version: '4', groupKey: `{}:{alertname="${alertname}"}`, truncatedAlerts: 0,
    groupLabels: { alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am:9093',
    alerts: [{ status: 'firing', labels: { alertname, severity, instance: 'node-1:9100', job: 'node' }, annotations: { summary: 'bench' }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint }],
  });
}

async function waitForOk(url: string) {
  for (let i = 0; i < 800; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(25);
  }
  throw new Error(`${url} never answered`);
}

const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * One ingest and `workers` workers on one prefix, with the shipped defaults (JOB_LOCK_MS,
 * BACKOFF_BASE_MS, STORM_INTERVAL) unless env says otherwise. Resolves once ingest and every
 * worker answer /health.
 */
export async function startStack(opts: { redisUrl: string; prefix: string; workers: number; env: Record<string, string> }) {
  const port = await freePort();
  const common = { REDIS_URL: opts.redisUrl, QUEUE_PREFIX: opts.prefix, ...opts.env };
  const ingest = startProc(path.join(root, 'apps/ingest/dist/main.js'), { ...common, PORT: String(port) });
  const workers: Proc[] = [];
  const metricsPorts: number[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const metricsPort = await freePort();
    metricsPorts.push(metricsPort);
    workers.push(startProc(path.join(root, 'apps/worker/dist/main.js'), { ...common, METRICS_PORT: String(metricsPort) }));
  }
  await waitForOk(`http://127.0.0.1:${port}/health`);
  for (const p of metricsPorts) await waitForOk(`http://127.0.0.1:${p}/health`);
  const connection = createRedis(opts.redisUrl, 'worker');
  const queues = {
    alerts: new Queue(QUEUE_NAMES.alerts, { connection, prefix: opts.prefix }),
    deliveries: new Queue(QUEUE_NAMES.deliveries, { connection, prefix: opts.prefix }),
    clock: new Queue(QUEUE_NAMES.clock, { connection, prefix: opts.prefix }),
  };
  const scrape = async (p: number) => parseMetrics(await (await fetch(`http://127.0.0.1:${p}/metrics`)).text());
  return {
    port,
    ingest,
    workers,
    queues,
    /** Jobs still to do on the alert and delivery queues, storm summaries still to come, and failed jobs anywhere. */
    async left() {
      const [a, d, c] = await Promise.all([queues.alerts, queues.deliveries, queues.clock].map((q) => q.getJobCounts(...PENDING, 'failed', 'completed')));
      const pending = (x: Record<string, number>) => PENDING.reduce((sum, s) => sum + (x[s] ?? 0), 0);
      const stormTicks = (await queues.clock.getJobs([...PENDING])).filter((j) => j?.name === 'storm').length;
      return {
        alerts: pending(a), deliveries: pending(d), stormTicks,
        failed: (a.failed ?? 0) + (d.failed ?? 0) + (c.failed ?? 0),
        alertsCompleted: a.completed ?? 0, deliveriesCompleted: d.completed ?? 0,
        alertCounts: a, deliveryCounts: d,
      };
    },
    /** Prometheus counters of ingest and of every worker, summed over the workers. */
    async metrics() {
      const ingestMetrics = await scrape(port);
      const workerMetrics = new Map<string, number>();
      for (const p of metricsPorts) for (const [k, v] of await scrape(p)) workerMetrics.set(k, (workerMetrics.get(k) ?? 0) + v);
      return { ingest: ingestMetrics, workers: workerMetrics };
    },
    async stop() {
      await Promise.all([ingest.stop(), ...workers.map((w) => w.stop())]);
      await Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined)));
      connection.disconnect();
    },
  };
}

/** `name{labels} value` lines of a Prometheus text page, app label dropped. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(ng_[a-z_]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '').replace(/,?app="[^"]*"/, '').replace('{,', '{').replace('{}', '');
    out.set(`${m[1]}${labels}`, Number(m[3]));
  }
  return out;
}

/** The series of one metric: label text → value. */
export function series(metrics: Map<string, number>, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of metrics) if (k === name || k.startsWith(`${name}{`)) out[k.slice(name.length) || '{}'] = v;
  return out;
}

export interface Answer {
  status: number;
  /** Retry-After in seconds, when the answer had one. */
  retryAfterS?: number;
}

/**
 * A webhook sender as Alertmanager is one: keep-alive connections, at most `connections` of
 * them, a request timeout. acquire() waits for a free connection; post() then uses it and
 * release() frees it, so a caller can tell when a webhook left from when it was answered.
 */
export function webhookClient(port: number, connections: number, timeoutMs = 10_000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  return {
    acquire(): Promise<void> {
      if (inFlight < connections) {
        inFlight++;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else inFlight--;
    },
    post(pathname: string, body: string): Promise<Answer> {
      return new Promise((resolve) => {
        const req = http.request(
          { host: '127.0.0.1', port, path: pathname, method: 'POST', agent, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => {
              const ra = Number(res.headers['retry-after']);
              resolve({ status: res.statusCode ?? 0, ...(Number.isFinite(ra) && ra > 0 && { retryAfterS: ra }) });
            });
          },
        );
        req.on('error', () => resolve({ status: 0 }));
        req.on('timeout', () => req.destroy());
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** Redis's own account of itself: CPU seconds, commands, network bytes, memory. */
export interface RedisReading {
  at: number;
  cpu: number;
  cpuMain?: number;
  commandsProcessed: number;
  calls: Record<string, number>;
  netIn: number;
  netOut: number;
  usedMemory: number;
}

export async function readRedis(client: ReturnType<typeof createRedis>): Promise<RedisReading> {
  const info = await client.info('everything');
  const num = (field: string) => {
    const m = new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info);
    return m ? Number(m[1]) : undefined;
  };
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  const mainSys = num('used_cpu_sys_main_thread');
  const mainUser = num('used_cpu_user_main_thread');
  return {
    at: Date.now(),
    cpu: (num('used_cpu_sys') ?? 0) + (num('used_cpu_user') ?? 0),
    ...(mainSys !== undefined && mainUser !== undefined && { cpuMain: mainSys + mainUser }),
    commandsProcessed: num('total_commands_processed') ?? 0,
    calls,
    netIn: num('total_net_input_bytes') ?? 0,
    netOut: num('total_net_output_bytes') ?? 0,
    usedMemory: num('used_memory') ?? 0,
  };
}
