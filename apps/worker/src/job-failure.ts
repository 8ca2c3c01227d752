import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Metrics } from '@ng/core';
import { DeliveryError } from './wecom/classify';

export interface FailureDeps {
  metrics: Metrics;
  freqLimitDelayMs: number;
  onPermanent?: (err: DeliveryError, job: Job) => void;
}

/**
 * Turns a delivery failure into the job's fate. This is the one place that decides retries:
 * transient → BullMQ attempts with backoff; 45009 → back in the queue no sooner than the
 * minimum, without spending an attempt; permanent → the failed set at once.
 */
export async function settleFailure(err: unknown, job: Job, token: string | undefined, deps: FailureDeps): Promise<never> {
  if (!(err instanceof DeliveryError)) throw err;
  const c = err.classification;
  if (c.action === 'defer') {
    deps.metrics.retries.inc({ reason: c.reason });
    await job.moveToDelayed(Date.now() + Math.max(c.retryAfterMs ?? 0, deps.freqLimitDelayMs), token);
    throw new DelayedError();
  }
  if (c.action === 'permanent') {
    deps.onPermanent?.(err, job);
    throw new UnrecoverableError(`${c.reason}${c.errcode !== undefined ? ` (errcode ${c.errcode})` : ''}: ${c.hint ?? err.message}`);
  }
  deps.metrics.retries.inc({ reason: c.reason });
  throw err;
}
