import Joi from 'joi';
import { hashId, type Alert, type Severity } from '../alert';
import { httpUrl } from '../render/user-text';
import { MAX_TITLE, check, compact, isoTime, stringRecord, text } from './fields';

/** Alertmanager webhook v4 (reference/alertmanager.md): one body per alert group. */
// A regex for the keys, not a string schema: same rule, half of joi's time on every webhook.
const labelMap = Joi.object().pattern(/^[\s\S]{0,200}$/, Joi.string().allow('').max(100_000));
const schema = Joi.object({
  version: Joi.string().valid('4').required(),
  status: Joi.string().valid('firing', 'resolved'),
  truncatedAlerts: Joi.number().integer().min(0),
  externalURL: Joi.string().allow('').max(2000),
  alerts: Joi.array()
    .min(1)
    .max(10_000)
    .items(
      Joi.object({
        status: Joi.string().valid('firing', 'resolved').required(),
        labels: labelMap.required(),
        annotations: labelMap,
        startsAt: Joi.string().max(64),
        endsAt: Joi.string().max(64),
        generatorURL: Joi.string().allow('').max(10_000),
        fingerprint: Joi.string().allow('').max(200),
      }),
    )
    .required(),
});

const SEVERITIES: Record<string, Severity> = {
  critical: 'critical',
  page: 'critical',
  error: 'critical',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  none: 'info',
};

interface AmAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** Label-set hash when the sender left fingerprint out (older Alertmanagers, hand-made bodies). */
function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return hashId(...sorted).slice(0, 16);
}

/**
 * The alert in Alertmanager's own UI (externalURL of the webhook), filtered by its name and
 * instance: a short link a phone opens, unlike generatorURL (hundreds of characters of
 * encoded PromQL). Only http(s) addresses make a link.
 */
function alertmanagerLink(externalUrl: string | undefined, labels: Record<string, string>): string | undefined {
  const base = httpUrl(text(externalUrl, 1000))?.replace(/\/+$/, '');
  if (!base || !labels.alertname) return undefined;
  const matchers = [`alertname="${labels.alertname}"`, ...(labels.instance ? [`instance="${labels.instance}"`] : [])];
  return `${base}/#/alerts?filter=${encodeURIComponent(`{${matchers.join(',')}}`)}`;
}

/** One normalized alert per entry of alerts[], each with its own status. */
export function normalizeAlertmanager(body: unknown, receivedAt: Date): Alert[] {
  const message = check<{ alerts: AmAlert[]; truncatedAlerts?: number; externalURL?: string }>(schema, body);
  return message.alerts.map((entry) => {
    const labels = stringRecord(entry.labels);
    const annotations = stringRecord(entry.annotations);
    const fingerprint = text(entry.fingerprint, 200) ?? fingerprintOf(labels);
    const generatorUrl = httpUrl(text(entry.generatorURL, 2000));
    const startsAt = isoTime(entry.startsAt);
    const endsAt = entry.status === 'resolved' ? isoTime(entry.endsAt) ?? receivedAt.toISOString() : undefined;
    return compact({
      source: 'alertmanager' as const,
      kind: 'alertmanager',
      // The same incident can fire again later with the same labels: startsAt tells them apart.
      idempotencyKey: hashId('alertmanager', fingerprint, entry.status, entry.startsAt, entry.endsAt),
      key: `am:${fingerprint}`,
      status: entry.status,
      severity: SEVERITIES[(labels.severity ?? '').toLowerCase()] ?? 'warning',
      level: labels.severity,
      title: text(labels.alertname, MAX_TITLE) ?? text(annotations.summary, MAX_TITLE) ?? 'Alertmanager alert',
      environment: labels.env ?? labels.environment,
      service: labels.service ?? labels.job,
      instance: labels.instance,
      job: labels.job,
      startsAt,
      endsAt,
      // The alert in Alertmanager's UI; else the Prometheus graph of the rule; else its runbook.
      url: alertmanagerLink(message.externalURL, labels) ?? generatorUrl ?? httpUrl(text(annotations.runbook_url, 2000)),
      generatorUrl,
      summary: text(annotations.summary, MAX_TITLE),
      description: text(annotations.description) ?? text(annotations.message),
      labels,
      annotations: Object.keys(annotations).length ? annotations : undefined,
      receivedAt: receivedAt.toISOString(),
      truncatedAlerts: message.truncatedAlerts ? message.truncatedAlerts : undefined,
    });
  });
}
