import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, retryingJobOptions, createLogger, createRedis, jobIdFor, loadConfig, secretsOf, type Alert, type Config } from '@ng/core';
import { REDIS_URL, appEnv, dropPrefix, freePort, root, startProc, uniquePrefix, type Proc } from '@ng/testkit';
import { startWorker, type RunningWorker } from '../../src/worker';
import type { Clock } from '../../src/clock';

export { REDIS_URL, uniquePrefix } from '@ng/testkit';

/** Captures every JSON log line of a test, for assertions on fates and on secrets. */
export function captureLogs() {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      raw.push(line);
      try {
        lines.push(JSON.parse(line));
      } catch {
        // not JSON: kept in raw
      }
    }
  });
  return { stream, lines, raw };
}

/** Every slice a store's scan gives, as one array. */
export async function collect<T>(slices: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const slice of slices) all.push(...slice);
  return all;
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A worker started in-process against real Redis, with the test's own queue prefix, plus a
 * producer that adds jobs exactly as ingest does.
 */
export async function startHarness(env: Record<string, string>, opts: { clock?: Clock; name?: string; prefix?: string } = {}) {
  const prefix = opts.prefix ?? uniquePrefix(opts.name ?? 'worker');
  const config: Config = loadConfig({
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    BACKOFF_BASE_MS: '20',
    FREQ_LIMIT_DELAY_MS: '300',
    SHUTDOWN_GRACE_MS: '3000',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', service: 'worker', secrets: secretsOf(config), stream: logs.stream });
  const workers: RunningWorker[] = [await startWorker({ config, logger, clock: opts.clock })];
  const connection = createRedis(REDIS_URL, 'worker');
  const alerts = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
  const deliveries = new Queue(QUEUE_NAMES.deliveries, { connection, prefix });
  const clockQueue = new Queue(QUEUE_NAMES.clock, { connection, prefix });
  const jobOptions = retryingJobOptions({ attempts: config.deliveryAttempts, backoffBaseMs: config.backoffBaseMs });
  return {
    config,
    prefix,
    logs,
    alerts,
    deliveries,
    /** The clock queue: a test adds ticks ('digest', 'storm', 'sweep') as the schedulers would. */
    clock: clockQueue,
    async add(...list: Alert[]) {
      await alerts.addBulk(list.map((alert) => ({ name: alert.kind, data: { alert }, opts: { ...jobOptions, jobId: jobIdFor(alert) } })));
    },
    /** Another replica on the same Redis and prefix. */
    async addReplica() {
      workers.push(await startWorker({ config, logger, clock: opts.clock }));
    },
    /** The decision pipeline's fate lines (one per alert job), optionally of one fate. */
    fates(fate?: string) {
      return logs.lines.filter((l) => l.message === 'alert fate' && (!fate || l.fate === fate));
    },
    /** 消息发送成功 lines, optionally of one kind (alert, test, digest, storm). */
    sent(kind?: string) {
      return logs.lines.filter((l) => l.message === '消息发送成功' && (!kind || l.kind === kind));
    },
    /** Nothing left to decide or deliver, and no tick waiting to run (scheduled ticks aside). */
    async idle() {
      await waitFor(async () => {
        const pending = await Promise.all([
          alerts.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
          deliveries.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
          clockQueue.getJobCounts('waiting', 'active', 'prioritized'),
        ]);
        return pending.every((counts) => Object.values(counts).every((n) => n === 0));
      }, 'the queues to drain');
    },
    /** Runs every delayed tick and delivery now (a test that moved its clock past their time). */
    async promoteDelayed() {
      for (const q of [clockQueue, deliveries]) for (const job of await q.getDelayed()) if (!job.repeatJobKey) await job.promote();
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([alerts.close(), deliveries.close(), clockQueue.close()]);
      connection.disconnect();
      await dropPrefix(prefix);
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Real worker processes (apps/worker/dist) on one prefix, each with its own /metrics port, sending to a fake WeCom app without rate limits. */
export async function startWorkerProcesses(count: number, opts: { prefix: string; wecomUrl: string; env?: Record<string, string> }) {
  const workers: Proc[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    ports.push(await freePort());
    workers.push(
      startProc(path.join(root, 'apps/worker/dist/main.js'), {
        REDIS_URL,
        QUEUE_PREFIX: opts.prefix,
        METRICS_PORT: String(ports[i]),
        ...appEnv(opts.wecomUrl),
        APP_RATE_LIMIT_PER_MIN: '100000',
        STORM_THRESHOLD: '100000',
        ...opts.env,
      }),
    );
  }
  await waitFor(() => workers.every((w) => w.output().includes('worker started')), `${count} workers to start`, 20_000);
  return { workers, ports };
}
