import Joi from 'joi';
import type { Alert } from '../alert';
import { MAX_TITLE, check, compact, text } from './fields';
import { ruleAlertEntry, ruleAlertFields, ruleGroupSchema, type RuleAlertEntry } from './rule-alert';

/** Alertmanager webhook v4 (reference/alertmanager.md): one body per alert group. */
const schema = ruleGroupSchema(Joi.string().valid('4'), ruleAlertEntry);

/** One normalized alert per entry of alerts[], each with its own status. */
export function normalizeAlertmanager(body: unknown, receivedAt: Date): Alert[] {
  const message = check<{ alerts: RuleAlertEntry[]; truncatedAlerts?: number }>(schema, body);
  return message.alerts.map((entry) => {
    const { labels, annotations, fields } = ruleAlertFields('alertmanager', 'am', entry, receivedAt, message.truncatedAlerts);
    return compact(fields, {
      kind: 'alertmanager',
      title: text(labels.alertname, MAX_TITLE) ?? text(annotations.summary, MAX_TITLE) ?? 'Alertmanager alert',
      service: labels.service ?? labels.job,
      // generatorURL points at the Prometheus graph of the rule: the place to start looking.
      url: text(entry.generatorURL, 2000) ?? text(annotations.runbook_url, 2000),
    });
  });
}
