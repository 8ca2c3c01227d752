import Joi from 'joi';
import type { Alert } from '../alert';
import { httpUrl } from '../render/user-text';
import { MAX_TITLE, check, compact, text } from './fields';
import { ruleAlertEntry, ruleAlertFields, ruleGroupSchema, type RuleAlertEntry } from './rule-alert';

/** Alertmanager webhook v4 (reference/alertmanager.md): one body per alert group. */
export const alertmanagerSchema = ruleGroupSchema(Joi.string().valid('4'), ruleAlertEntry, { externalURL: Joi.string().allow('').max(2000) });

/** The alert in Alertmanager's own UI (its externalURL, filtered to the alert): short, and where silences are made. */
function alertmanagerLink(externalUrl: string | undefined, labels: Record<string, string>): string | undefined {
  const base = httpUrl(text(externalUrl, 1000))?.replace(/\/+$/, '');
  if (!base || !labels.alertname) return undefined;
  const matchers = [`alertname="${labels.alertname}"`, ...(labels.instance ? [`instance="${labels.instance}"`] : [])];
  return `${base}/#/alerts?filter=${encodeURIComponent(`{${matchers.join(',')}}`)}`;
}

/** One normalized alert per entry of alerts[], each with its own status. */
export function normalizeAlertmanager(body: unknown, receivedAt: Date): Alert[] {
  const message = check<{ alerts: RuleAlertEntry[]; truncatedAlerts?: number; externalURL?: string }>(alertmanagerSchema, body);
  return message.alerts.map((entry) => {
    const { labels, annotations, fields } = ruleAlertFields('alertmanager', 'am', entry, receivedAt, message.truncatedAlerts);
    return compact(fields, {
      kind: 'alertmanager',
      title: text(labels.alertname, MAX_TITLE) ?? text(annotations.summary, MAX_TITLE) ?? 'Alertmanager alert',
      service: labels.service ?? labels.job,
      // The alert in Alertmanager's UI; else the Prometheus graph of the rule; else its runbook.
      url: alertmanagerLink(message.externalURL, labels) ?? fields.generatorUrl ?? httpUrl(text(annotations.runbook_url, 2000)),
    });
  });
}
