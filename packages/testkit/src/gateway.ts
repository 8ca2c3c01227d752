import http from 'node:http';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createRedis } from '@ng/core';
import { REDIS_URL, freePort, root, sleep, startProc, type Proc } from './procs';
import { dropPrefix, uniquePrefix } from './redis-keys';

/** The WeCom app settings that match the fake WeCom's default credentials. */
export const appEnv = (wecomUrl: string) => ({
  WEIXIN_API_BASE: wecomUrl,
  WEIXIN_CORP_ID: 'ww-test-corp',
  WEIXIN_CORP_SECRET: 'test-corp-secret-value',
  WEIXIN_AGENT_ID: '1000002',
});


/** ingest and workers as real processes, sharing one prefix and one Redis (the chaos suite, the benchmarks). */
export async function startGateway(opts: { redisUrl: string; env: Record<string, string>; workers: number; name: string; ingestNodeArgs?: string[]; workerNodeArgs?: string[] }) {
  const prefix = uniquePrefix(opts.name);
  const port = await freePort();
  // Storm summaries every 3 s instead of every minute: same behaviour, a shorter suite.
  const common: Record<string, string> = { REDIS_URL: opts.redisUrl, QUEUE_PREFIX: prefix, JOB_LOCK_MS: '2000', BACKOFF_BASE_MS: '200', STORM_INTERVAL: '3s', ...opts.env };
  const ingest = startProc(path.join(root, 'apps/ingest/dist/main.js'), { ...common, PORT: String(port) }, { nodeArgs: opts.ingestNodeArgs });
  const workers: Proc[] = [];
  /** Each worker's METRICS_PORT (its /metrics and /health), in the order of workers. */
  const workerPorts: number[] = [];
  const startWorker = async () => {
    const metricsPort = await freePort();
    const proc = startProc(path.join(root, 'apps/worker/dist/main.js'), { ...common, METRICS_PORT: String(metricsPort) }, { nodeArgs: opts.workerNodeArgs });
    workers.push(proc);
    workerPorts.push(metricsPort);
    return proc;
  };
  for (let i = 0; i < opts.workers; i++) await startWorker();
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      // starting
    }
    await sleep(25);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const connection = createRedis(opts.redisUrl, 'worker');
  const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
  const deliveries = new Queue(QUEUE_NAMES.deliveries, { connection, prefix });
  const clock = new Queue(QUEUE_NAMES.clock, { connection, prefix });
  return {
    prefix,
    port,
    ingest,
    workers,
    workerPorts,
    queue,
    deliveries,
    startWorker,
    /** POST a body; resolves with the status code (0 when the connection failed). */
    post(pathname: string, body: string, headers: Record<string, string> = {}): Promise<number> {
      return new Promise((resolve) => {
        const req = http.request(
          { host: '127.0.0.1', port, path: pathname, method: 'POST', agent, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.on('timeout', () => req.destroy());
        req.end(body);
      });
    },
    /** Waits until no alert or delivery job is left and no storm summary is pending. */
    async drained(timeoutMs = 120_000): Promise<number> {
      const started = Date.now();
      const left = async (q: Queue) => Object.values(await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).reduce((a, b) => a + b, 0);
      for (;;) {
        try {
          const ticks = (await clock.getJobs(['waiting', 'active', 'delayed', 'prioritized'])).filter((j) => j?.name === 'storm');
          if ((await left(queue)) + (await left(deliveries)) + ticks.length === 0) return Date.now() - started;
        } catch {
          // Redis restarting
        }
        if (Date.now() - started > timeoutMs) throw new Error('the queue did not drain');
        await sleep(100);
      }
    },
    logs(): string {
      return [ingest, ...workers].map((p) => p.output()).join('\n');
    },
    async stop() {
      await Promise.all([ingest.stop(), ...workers.map((w) => w.stop())]);
      agent.destroy();
      await Promise.all([queue, deliveries, clock].map((q) => q.close().catch(() => undefined)));
      connection.disconnect();
      // The suite's own Redis servers go away with it; the shared one keeps nothing of the run.
      if (opts.redisUrl === REDIS_URL) await dropPrefix(prefix);
    },
  };
}
