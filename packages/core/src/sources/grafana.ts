import Joi from 'joi';
import type { Alert } from '../alert';
import { httpUrl } from '../render/user-text';
import { MAX_TITLE, check, compact, text } from './fields';
import { ruleAlertEntry, ruleAlertFields, ruleGroupSchema, type RuleAlertEntry } from './rule-alert';

/**
 * Grafana-managed alerts through Grafana's webhook contact point: Alertmanager's group message
 * with `version: "1"` and Grafana's own fields (orgId, state, title, message; per alert the
 * dashboard, panel and silence links and the evaluated values).
 */
const link = Joi.string().allow('').max(10_000);
export const grafanaSchema = ruleGroupSchema(
  Joi.string().valid('1').messages({ 'any.only': 'version must be 1 (Grafana webhook contact point); Alertmanager sends 4 to /webhook/alertmanager' }),
  ruleAlertEntry.keys({
    silenceURL: link,
    dashboardURL: link,
    panelURL: link,
    imageURL: link,
    values: Joi.object().pattern(/^[\s\S]{0,200}$/, Joi.number()).allow(null),
    valueString: Joi.string().allow('').max(100_000),
  }),
  { orgId: Joi.number().integer(), state: Joi.string().max(50), title: Joi.string().allow('').max(100_000) },
);

interface GrafanaAlert extends RuleAlertEntry {
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
  const message = check<{ alerts: GrafanaAlert[]; truncatedAlerts?: number }>(grafanaSchema, body);
  return message.alerts.map((entry) => {
    const { labels, annotations, fields } = ruleAlertFields('grafana', 'grafana', entry, receivedAt, message.truncatedAlerts);
    return compact(fields, {
      kind: DATA_ALERTS[labels.alertname ?? ''] ? `grafana.${labels.alertname}` : 'grafana',
      title: titleOf(labels, annotations),
      service: labels.service ?? labels.job ?? labels.grafana_folder,
      url: httpUrl(text(entry.panelURL, 2000)) ?? httpUrl(text(entry.dashboardURL, 2000)) ?? fields.generatorUrl,
      value: valuesText(entry.values) ?? text(entry.valueString, 1000),
    });
  });
}
