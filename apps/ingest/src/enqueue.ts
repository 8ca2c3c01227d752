import type { Queue } from 'bullmq';
import { isRedisOutOfMemory, retryingJobOptions, jobIdFor, type Alert, type Config } from '@ng/core';

/** Redis could not take the jobs: the webhook must be answered 503 so the sender retries. */
export class StoreUnavailableError extends Error {
  /** Redis refused the write because it is full (maxmemory with noeviction), rather than being unreachable. */
  readonly outOfMemory: boolean;
  constructor(cause: unknown) {
    super(`Redis did not store the job: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
    this.outOfMemory = isRedisOutOfMemory(cause);
  }
}

export type Enqueue = (alerts: Alert[]) => Promise<void>;

/**
 * How an alert job is named in Bull Board: the problem first (its title), then where it came
 * from and its status, so a failed job is recognised without opening it.
 */
function alertJobName(alert: Pick<Alert, 'title' | 'source' | 'status'>): string {
  return `${alert.title.replace(/\s+/g, ' ').slice(0, 160)} · ${alert.source} ${alert.status}`;
}

interface Pending {
  jobs: Parameters<Queue['addBulk']>[0];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces the adds of concurrent requests into one addBulk per tick: one Redis round trip
 * for many webhooks. Each request's promise settles only after its jobs are stored, so 202 is
 * never answered for an alert Redis does not hold.
 */
export function createEnqueuer(queue: Queue, config: Pick<Config, 'deliveryAttempts' | 'backoffBaseMs'>): Enqueue {
  const opts = retryingJobOptions({ attempts: config.deliveryAttempts, backoffBaseMs: config.backoffBaseMs });
  let batch: Pending[] = [];

  // BullMQ waits for a connection that was never made (Redis down since start-up) instead of
  // failing: a webhook would hang past its sender's timeout rather than get its 503.
  const connection = queue.opts.connection as { status?: string };

  async function flush() {
    const current = batch;
    batch = [];
    try {
      if (connection.status && connection.status !== 'ready') throw new Error(`Redis connection is ${connection.status}`);
      await queue.addBulk(current.flatMap((p) => p.jobs));
      for (const p of current) p.resolve();
    } catch (err) {
      const failure = new StoreUnavailableError(err);
      for (const p of current) p.reject(failure);
    }
  }

  return (alerts) => {
    // The normalizers' output is held to alertJobSchema by core's tests and re-checked by the
    // worker; checking it again here would cost a tenth of ingest's CPU.
    const jobs = alerts.map((alert) => ({ name: alertJobName(alert), data: { alert }, opts: { ...opts, jobId: jobIdFor(alert) } }));
    return new Promise<void>((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ jobs, resolve, reject });
    });
  };
}
