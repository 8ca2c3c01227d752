import type { Alert } from '@ng/core';

/** The word operators grep for (`docker logs … | grep Sentry`). */
export function sourceName(alert: Pick<Alert, 'source'>): string {
  return alert.source === 'sentry' ? 'Sentry' : alert.source === 'alertmanager' ? 'Alertmanager' : 'Gateway';
}
