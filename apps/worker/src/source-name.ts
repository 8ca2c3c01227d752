import type { Alert } from '@ng/core';

const NAMES: Record<Alert['source'], string> = { sentry: 'Sentry', alertmanager: 'Alertmanager', grafana: 'Grafana', test: 'Gateway' };

/** The word operators grep for (`docker logs … | grep Sentry`). */
export function sourceName(alert: Pick<Alert, 'source'>): string {
  return NAMES[alert.source] ?? 'Gateway';
}
