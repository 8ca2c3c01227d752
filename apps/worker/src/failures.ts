import type { Worker } from 'bullmq';
import { QUEUE_NAMES, type Logger, type Metrics, type SelfMonitor } from '@ng/core';

/** An alert job, or the delivery of one alert's card, ended in the failed set. */
function isAlertFailure(queue: string, data: unknown): boolean {
  if (queue === QUEUE_NAMES.alerts) return true;
  return queue === QUEUE_NAMES.deliveries && (data as { message?: { kind?: string } })?.message?.kind === 'alert';
}

/**
 * Every job that fails for good stays in the failed set (the dead-letter view in Bull Board)
 * and says so in the log once; worker errors go to Sentry when self-monitoring is on.
 */
export function watchFailures(worker: Worker, deps: { metrics: Metrics; logger: Logger; selfMonitor: SelfMonitor }): void {
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    if (!final) return;
    if (isAlertFailure(worker.name, job.data)) deps.metrics.fates.inc({ fate: 'failed' });
    deps.logger.error('job failed for good: kept in the failed set (Bull Board → failed → retry)', {
      jobId: job.id,
      queue: worker.name,
      job: job.name,
      reason: err.message,
    });
  });
  worker.on('error', (err) => {
    deps.logger.error('worker error', { queue: worker.name, error: err.message });
    deps.selfMonitor.captureError(err, { queue: worker.name });
  });
}
