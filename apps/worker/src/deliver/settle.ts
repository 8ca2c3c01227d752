import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Metrics } from '@ng/core';
import { DeliveryError, type Classification } from '../wecom/classify';

/**
 * Turns a failure into the job's fate. This is the one place that decides retries:
 * transient → BullMQ attempts with backoff; 45009 or an empty budget → back in the queue no
 * sooner than the wait, without spending an attempt; permanent → the failed set at once.
 */
export async function deferJob(job: Job, token: string | undefined, waitMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + waitMs, token);
  throw new DelayedError();
}

export async function settleFailure(
  err: unknown,
  job: Job,
  token: string | undefined,
  deps: { metrics: Metrics; freqLimitDelayMs: number; onPermanent: (c: Classification) => void },
): Promise<never> {
  if (!(err instanceof DeliveryError)) throw err;
  const c = err.classification;
  if (c.action === 'defer') {
    deps.metrics.retries.inc({ reason: c.reason });
    return deferJob(job, token, Math.max(c.retryAfterMs ?? 0, deps.freqLimitDelayMs));
  }
  if (c.action === 'permanent') {
    deps.onPermanent(c);
    throw new UnrecoverableError(`${c.reason}${c.errcode !== undefined ? ` (errcode ${c.errcode})` : ''}: ${c.hint ?? err.message}`);
  }
  deps.metrics.retries.inc({ reason: c.reason });
  throw err;
}
