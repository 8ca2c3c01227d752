import Joi from 'joi';
import type { JobsOptions } from 'bullmq';
import type { Alert } from './alert';
import { severitySchema as severity, sourceSchema } from './vocabulary';

/** The queue contract between ingest (producer) and worker (consumer). Data, not code. */
export const QUEUE_NAMES = {
  /** One job per normalized alert. */
  alerts: 'alerts',
  /** Clock-driven jobs: digest flushes. */
  digests: 'digests',
} as const;

export interface AlertJobData {
  alert: Alert;
}

/** The normalizers always write toISOString(): a plain pattern checks it for far less than joi's isoDate(). */
const isoTime = () => Joi.string().pattern(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/, 'ISO 8601 time');

/** Schema of AlertJobData: the normalizers' output is held to it by core's tests, and the worker checks every job against it. */
export const alertJobSchema = Joi.object<AlertJobData>({
  alert: Joi.object({
    source: sourceSchema.required(),
    kind: Joi.string().required(),
    key: Joi.string().min(1).required(),
    idempotencyKey: Joi.string().pattern(/^[0-9a-f]{32}$/).required(),
    status: Joi.string().valid('firing', 'resolved', 'assigned', 'ignored', 'unresolved').required(),
    severity: severity.required(),
    repeatSeverity: severity,
    level: Joi.string(),
    title: Joi.string().allow('').required(),
    environment: Joi.string(),
    service: Joi.string(),
    location: Joi.string(),
    instance: Joi.string(),
    job: Joi.string(),
    startsAt: isoTime(),
    endsAt: isoTime(),
    count: Joi.number().integer().min(0),
    userCount: Joi.number().integer().min(0),
    url: Joi.string(),
    summary: Joi.string().allow(''),
    description: Joi.string().allow(''),
    labels: Joi.object().pattern(/^/, Joi.string().allow('')).required(), // a regex for keys: half the cost of a key schema
    receivedAt: isoTime().required(),
    truncatedAlerts: Joi.number().integer().min(0),
  }).required(),
});

/** Deterministic job id: the same notification redelivered is queued once. */
export function jobIdFor(alert: Pick<Alert, 'idempotencyKey'>): string {
  return alert.idempotencyKey;
}

/**
 * Transient failures retry through BullMQ only (exponential backoff with jitter). Failed jobs
 * are kept: the failed set is the dead-letter view in Bull Board. Completed jobs are kept a
 * day so their ids keep rejecting redelivered webhooks.
 */
export function alertJobOptions(opts: { attempts: number; backoffBaseMs: number }): JobsOptions {
  return {
    attempts: opts.attempts,
    backoff: { type: 'exponential', delay: opts.backoffBaseMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}
