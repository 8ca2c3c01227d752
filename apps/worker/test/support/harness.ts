import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, alertJobOptions, createLogger, createRedis, jobIdFor, loadConfig, secretsOf, type Alert, type Config } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { startWorker, type RunningWorker } from '../../src/worker';
import type { Clock } from '../../src/clock';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function uniquePrefix(name: string): string {
  return `{t-${name}-${randomBytes(4).toString('hex')}}`;
}

/**
 * A worker started in-process against real Redis, with the test's own queue prefix, plus a
 * producer that adds jobs exactly as ingest does.
 */
export async function startHarness(env: Record<string, string>, opts: { clock?: Clock; name?: string } = {}) {
  const prefix = uniquePrefix(opts.name ?? 'worker');
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
  const digests = new Queue(QUEUE_NAMES.digests, { connection, prefix });
  const jobOptions = alertJobOptions({ attempts: config.deliveryAttempts, backoffBaseMs: config.backoffBaseMs });
  return {
    config,
    prefix,
    logs,
    alerts,
    digests,
    async add(...list: Alert[]) {
      await alerts.addBulk(list.map((alert) => ({ name: alert.kind, data: { alert }, opts: { ...jobOptions, jobId: jobIdFor(alert) } })));
    },
    /** Another replica on the same Redis and prefix. */
    async addReplica() {
      workers.push(await startWorker({ config, logger, clock: opts.clock }));
    },
    fates(fate?: string) {
      // A delivered alert's fate is on its 消息发送成功 line.
      return logs.lines.filter((l) => (l.message === 'alert fate' || (l.message === '消息发送成功' && l.fate)) && (!fate || l.fate === fate));
    },
    async idle() {
      await waitFor(async () => {
        const counts = await alerts.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      }, 'the alerts queue to drain');
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await alerts.close();
      await digests.close();
      connection.disconnect();
      await dropPrefix(prefix);
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
