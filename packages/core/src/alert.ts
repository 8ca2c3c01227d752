import { createHash } from 'node:crypto';

/** Where an alert came from. `test` is the gateway's own POST /test. */
export type AlertSource = 'sentry' | 'alertmanager' | 'grafana' | 'test';

/**
 * Lifecycle of the problem. Alertmanager only knows firing/resolved; Sentry issue webhooks
 * also report assigned, ignored (spelled archived in its docs) and unresolved (a regression).
 */
export type AlertStatus = 'firing' | 'resolved' | 'assigned' | 'ignored' | 'unresolved';

export type Severity = 'critical' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** One normalized notification about one problem, whichever source sent it. */
export interface Alert {
  source: AlertSource;
  /** What kind of webhook produced it, e.g. `issue.created`, `error.created`, `legacy`, `alertmanager`. */
  kind: string;
  /** Stable identity of the problem: Sentry issue id, Alertmanager fingerprint. */
  key: string;
  /** Identity of this notification: a redelivered webhook has the same one. */
  idempotencyKey: string;
  status: AlertStatus;
  severity: Severity;
  /**
   * Severity to use instead when the worker has seen this problem before. Sentry errors are
   * critical the first time and warning when they repeat (the seed's 告警分级策略); only the
   * worker, which keeps the history, can tell which.
   */
  repeatSeverity?: Severity;
  /** The source's own level word (Sentry `error`, Alertmanager `critical` …), shown on the card. */
  level?: string;
  title: string;
  environment?: string;
  /** Sentry project slug or Alertmanager `service`/`job` label. */
  service?: string;
  /** Sentry culprit. */
  location?: string;
  instance?: string;
  job?: string;
  /** ISO 8601: when the problem started (Sentry firstSeen, Alertmanager startsAt). */
  startsAt?: string;
  /** ISO 8601: when the problem ended; absent while firing. */
  endsAt?: string;
  /** Occurrences the source reports (Sentry issue count). */
  count?: number;
  userCount?: number;
  /** The link to the problem: Sentry issue or event page; for Alertmanager its own UI when the webhook names it (externalURL). */
  url?: string;
  /** Alertmanager: the Prometheus graph of the rule (long: it carries the encoded PromQL). */
  generatorUrl?: string;
  summary?: string;
  description?: string;
  /** What the rule measured when it fired (Grafana's evaluated values, e.g. `B=93.4, C=1`). */
  value?: string;
  labels: Record<string, string>;
  /** Alertmanager annotations (summary, description, runbook_url …), for templates. */
  annotations?: Record<string, string>;
  /** Sentry metric alerts: what the rule measured, e.g. "1000 events in the last 10 minutes". */
  measure?: string;
  /** ISO 8601: when ingest received the webhook. */
  receivedAt: string;
  /** Alertmanager `truncatedAlerts` of the notification this alert came in. */
  truncatedAlerts?: number;
  /** Sentry's issue category (`error`, `performance`, `feedback` …); performance issues wait for the daily digest. */
  category?: string;
  /** Sentry's issue type, e.g. `performance_n_plus_one_db_queries`: which kind of problem it is. */
  issueType?: string;
}

/** Short, deterministic hex id; BullMQ job ids must not contain ':'. */
export function hashId(...parts: Array<string | number | undefined>): string {
  return hashIdOf(parts);
}

/**
 * hashId of any number of parts (the entries of a digest or a storm), hashed as they come: a
 * spread of some 150,000 arguments or more overflows the stack.
 */
export function hashIdOf(parts: Iterable<string | number | undefined>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part ?? ''}\u0000`);
  return hash.digest('hex').slice(0, 32);
}
