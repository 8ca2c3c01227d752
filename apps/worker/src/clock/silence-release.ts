import type { JobsOptions, Queue } from 'bullmq';
import { hashId, type Logger, type SilenceStore } from '@ng/core';
import type { Clock } from '../clock';

/**
 * When a silence ends, the alerts it held go through the pipeline again (once, whichever
 * replica runs the sweep): a problem still firing then shows up in the next message.
 */
export async function releaseEndedSilences(deps: {
  silences: SilenceStore;
  alertsQueue: Queue;
  jobOptions: JobsOptions;
  clock: Clock;
  logger: Logger;
  /** Ended silences are kept this long (who made and who lifted them), then forgotten. */
  keepMs: number;
}): Promise<string> {
  const released = await deps.silences.releaseEnded(deps.clock.now(), deps.keepMs);
  let count = 0;
  for (const { silence, alerts } of released) {
    for (const alert of alerts) {
      const idempotencyKey = hashId(alert.idempotencyKey, 'after-silence', silence.id);
      await deps.alertsQueue.add(alert.kind, { alert: { ...alert, idempotencyKey } }, { ...deps.jobOptions, jobId: idempotencyKey });
      count++;
    }
    deps.logger.info('silence ended: held alerts sent on', { silence: silence.id, alerts: alerts.length });
  }
  return `${count} alert(s) released`;
}
