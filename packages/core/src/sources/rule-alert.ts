import Joi from 'joi';
import { hashId, type Alert, type Severity } from '../alert';
import { httpUrl } from '../render/user-text';
import { MAX_TITLE, compact, isoTime, stringRecord, text } from './fields';

/**
 * What Alertmanager's and Grafana's webhooks share: a group of alerts from rules, each with
 * Prometheus-style labels and annotations, its own status and a fingerprint of its labels.
 */
// A regex for the keys, not a string schema: same rule, half of joi's time on every webhook.
const labelMap = Joi.object().pattern(/^[\s\S]{0,200}$/, Joi.string().allow('').max(100_000));

/** One entry of alerts[]; a sender's own fields are added with .keys(). */
export const ruleAlertEntry = Joi.object({
  status: Joi.string().valid('firing', 'resolved').required(),
  labels: labelMap.required(),
  annotations: labelMap,
  startsAt: Joi.string().max(64),
  endsAt: Joi.string().max(64),
  generatorURL: Joi.string().allow('').max(10_000),
  fingerprint: Joi.string().allow('').max(200),
});

export interface RuleAlertEntry {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** The group: `version` tells the senders apart; `more` holds a sender's own top-level fields. */
export function ruleGroupSchema(version: Joi.Schema, entry: Joi.ObjectSchema, more: Joi.PartialSchemaMap = {}): Joi.ObjectSchema {
  return Joi.object({
    version: version.required(),
    status: Joi.string().valid('firing', 'resolved'),
    truncatedAlerts: Joi.number().integer().min(0),
    alerts: Joi.array().min(1).max(10_000).items(entry).required(),
    ...more,
  });
}

const SEVERITIES: Record<string, Severity> = {
  critical: 'critical',
  page: 'critical',
  error: 'critical',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  none: 'info',
};

/** Label-set hash when the sender left fingerprint out (older Alertmanagers, hand-made bodies). */
function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return hashId(...sorted).slice(0, 16);
}

/**
 * The fields every rule alert has, from one entry: identity, status, the `severity` label (none
 * or an unknown word means warning), where, when, what the annotations say. The sender's
 * normalizer adds kind, title, service and url.
 */
export function ruleAlertFields(source: 'alertmanager' | 'grafana', keyPrefix: string, entry: RuleAlertEntry, receivedAt: Date, truncatedAlerts?: number) {
  const labels = stringRecord(entry.labels);
  const annotations = stringRecord(entry.annotations);
  const fingerprint = text(entry.fingerprint, 200) ?? fingerprintOf(labels);
  const fields = compact({
    source,
    // The same incident can fire again later with the same labels: startsAt tells them apart.
    idempotencyKey: hashId(source, fingerprint, entry.status, entry.startsAt, entry.endsAt),
    key: `${keyPrefix}:${fingerprint}`,
    status: entry.status,
    severity: SEVERITIES[(labels.severity ?? '').toLowerCase()] ?? 'warning',
    level: labels.severity,
    environment: labels.env ?? labels.environment,
    instance: labels.instance,
    job: labels.job,
    startsAt: isoTime(entry.startsAt),
    endsAt: entry.status === 'resolved' ? (isoTime(entry.endsAt) ?? receivedAt.toISOString()) : undefined,
    summary: text(annotations.summary, MAX_TITLE),
    description: text(annotations.description) ?? text(annotations.message),
    // The rule's graph (http(s) only): templates may show it; cards prefer a shorter link.
    generatorUrl: httpUrl(text(entry.generatorURL, 2000)),
    labels,
    annotations: Object.keys(annotations).length ? annotations : undefined,
    receivedAt: receivedAt.toISOString(),
    truncatedAlerts: truncatedAlerts ? truncatedAlerts : undefined,
  }) satisfies Partial<Alert>;
  return { labels, annotations, fields };
}
