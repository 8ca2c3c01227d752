import Joi from 'joi';
import { hashId, type Alert } from '../alert';
import { MAX_TITLE, check, compact, isoTime, stringRecord, text } from './fields';
import { fingerprintOf, labelMap, severityOfLabels } from './labels';

/** Alertmanager webhook v4 (reference/alertmanager.md): one body per alert group. */
const schema = Joi.object({
  version: Joi.string().valid('4').required(),
  status: Joi.string().valid('firing', 'resolved'),
  truncatedAlerts: Joi.number().integer().min(0),
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

interface AmAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** One normalized alert per entry of alerts[], each with its own status. */
export function normalizeAlertmanager(body: unknown, receivedAt: Date): Alert[] {
  const message = check<{ alerts: AmAlert[]; truncatedAlerts?: number }>(schema, body);
  return message.alerts.map((entry) => {
    const labels = stringRecord(entry.labels);
    const annotations = stringRecord(entry.annotations);
    const fingerprint = text(entry.fingerprint, 200) ?? fingerprintOf(labels);
    const startsAt = isoTime(entry.startsAt);
    const endsAt = entry.status === 'resolved' ? isoTime(entry.endsAt) ?? receivedAt.toISOString() : undefined;
    return compact({
      source: 'alertmanager' as const,
      kind: 'alertmanager',
      // The same incident can fire again later with the same labels: startsAt tells them apart.
      idempotencyKey: hashId('alertmanager', fingerprint, entry.status, entry.startsAt, entry.endsAt),
      key: `am:${fingerprint}`,
      status: entry.status,
      severity: severityOfLabels(labels),
      level: labels.severity,
      title: text(labels.alertname, MAX_TITLE) ?? text(annotations.summary, MAX_TITLE) ?? 'Alertmanager alert',
      environment: labels.env ?? labels.environment,
      service: labels.service ?? labels.job,
      instance: labels.instance,
      job: labels.job,
      startsAt,
      endsAt,
      // generatorURL points at the Prometheus graph of the rule: the place to start looking.
      url: text(entry.generatorURL, 2000) ?? text(annotations.runbook_url, 2000),
      summary: text(annotations.summary, MAX_TITLE),
      description: text(annotations.description) ?? text(annotations.message),
      labels,
      receivedAt: receivedAt.toISOString(),
      truncatedAlerts: message.truncatedAlerts ? message.truncatedAlerts : undefined,
    });
  });
}
