import Joi from 'joi';
import { hashId, type Severity } from '../alert';

/**
 * What Alertmanager and Grafana alerts share: Prometheus-style label maps, the `severity` label
 * and a fingerprint of the label set.
 */
// A regex for the keys, not a string schema: same rule, half of joi's time on every webhook.
export const labelMap = Joi.object().pattern(/^[\s\S]{0,200}$/, Joi.string().allow('').max(100_000));

const SEVERITIES: Record<string, Severity> = {
  critical: 'critical',
  page: 'critical',
  error: 'critical',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  none: 'info',
};

/** The `severity` label's word; none or an unknown one means warning. */
export function severityOfLabels(labels: Record<string, string>): Severity {
  return SEVERITIES[(labels.severity ?? '').toLowerCase()] ?? 'warning';
}

/** Label-set hash when the sender left fingerprint out (older Alertmanagers, hand-made bodies). */
export function fingerprintOf(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return hashId(...sorted).slice(0, 16);
}
