import Joi from 'joi';
import { hashId, type Alert } from '../alert';
import { MAX_TITLE, check, compact, isoTime, stringRecord, text } from './fields';
import { fingerprintOf, labelMap, severityOfLabels } from './labels';

/**
 * Grafana-managed alerts through Grafana's webhook contact point: Alertmanager's group message
 * with `version: "1"` and Grafana's own fields (orgId, state, title, message; per alert the
 * dashboard, panel and silence links and the evaluated values).
 */
const link = Joi.string().allow('').max(10_000);
const schema = Joi.object({
  version: Joi.string().valid('1').required().messages({ 'any.only': 'version must be 1 (Grafana webhook contact point); Alertmanager sends 4 to /webhook/alertmanager' }),
  status: Joi.string().valid('firing', 'resolved'),
  orgId: Joi.number().integer(),
  state: Joi.string().max(50),
  title: Joi.string().allow('').max(100_000),
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
        generatorURL: link,
        fingerprint: Joi.string().allow('').max(200),
        silenceURL: link,
        dashboardURL: link,
        panelURL: link,
        imageURL: link,
        values: Joi.object().pattern(/^[\s\S]{0,200}$/, Joi.number()).allow(null),
        valueString: Joi.string().allow('').max(100_000),
      }),
    )
    .required(),
});

interface GrafanaAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
  dashboardURL?: string;
  panelURL?: string;
  values?: Record<string, number> | null;
  valueString?: string;
}

/** Alerts Grafana raises about a rule's data rather than its condition, and how the card names them. */
const DATA_ALERTS: Record<string, string> = { DatasourceNoData: '无数据', DatasourceError: '数据源错误' };

/** A Grafana body (`version: "1"`), so /webhook/alertmanager can hand it on. */
export function isGrafanaPayload(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { version?: unknown }).version === '1';
}

/** B=93.41, C=1: the expressions' values, rounded for a card. */
function valuesText(values: GrafanaAlert['values']): string | undefined {
  const entries = Object.entries(values ?? {});
  return entries.length ? entries.map(([name, v]) => `${name}=${Number.isInteger(v) ? v : Number(v.toPrecision(6))}`).join(', ') : undefined;
}

function titleOf(labels: Record<string, string>, annotations: Record<string, string>): string {
  const dataProblem = DATA_ALERTS[labels.alertname ?? ''];
  const rule = text(labels.rulename, MAX_TITLE) ?? text(labels.alertname, MAX_TITLE);
  if (dataProblem) return `${rule ?? labels.alertname} (${dataProblem})`;
  return rule ?? text(annotations.summary, MAX_TITLE) ?? 'Grafana alert';
}

/** One normalized alert per entry of alerts[]; the card links to the panel, else the dashboard, else the rule. */
export function normalizeGrafana(body: unknown, receivedAt: Date): Alert[] {
  const message = check<{ alerts: GrafanaAlert[]; truncatedAlerts?: number }>(schema, body);
  return message.alerts.map((entry) => {
    const labels = stringRecord(entry.labels);
    const annotations = stringRecord(entry.annotations);
    const fingerprint = text(entry.fingerprint, 200) ?? fingerprintOf(labels);
    return compact({
      source: 'grafana' as const,
      kind: DATA_ALERTS[labels.alertname ?? ''] ? `grafana.${labels.alertname}` : 'grafana',
      idempotencyKey: hashId('grafana', fingerprint, entry.status, entry.startsAt, entry.endsAt),
      key: `grafana:${fingerprint}`,
      status: entry.status,
      severity: severityOfLabels(labels),
      level: labels.severity,
      title: titleOf(labels, annotations),
      environment: labels.env ?? labels.environment,
      service: labels.service ?? labels.job ?? labels.grafana_folder,
      instance: labels.instance,
      job: labels.job,
      startsAt: isoTime(entry.startsAt),
      endsAt: entry.status === 'resolved' ? (isoTime(entry.endsAt) ?? receivedAt.toISOString()) : undefined,
      url: text(entry.panelURL, 2000) ?? text(entry.dashboardURL, 2000) ?? text(entry.generatorURL, 2000),
      summary: text(annotations.summary, MAX_TITLE),
      description: text(annotations.description) ?? text(annotations.message),
      value: valuesText(entry.values) ?? text(entry.valueString, 1000),
      labels,
      receivedAt: receivedAt.toISOString(),
      truncatedAlerts: message.truncatedAlerts ? message.truncatedAlerts : undefined,
    });
  });
}
