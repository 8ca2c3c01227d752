import { hashId, type Alert, type DigestItem, type HistoryWriter } from '@ng/core';
import type { Clock } from '../clock';
import type { EnqueueDeliveries } from '../deliver/enqueue';
import type { DigestStore, Schedule } from '../store/digests';
import type { ProblemStore } from '../store/problems';
import { digestHeading } from './digest-times';

/** Each alert with its problem's running totals, as digests and storm summaries show them. */
export async function withTotals(problems: ProblemStore, alerts: Alert[]): Promise<DigestItem[]> {
  return Promise.all(alerts.map(async (alert) => ({ alert, totals: (await problems.totals(alert.key)) ?? { count: alert.count ?? 1 } })));
}

/**
 * A digest tick (the hourly or daily scheduler, or POST /api/digests/flush): every destination
 * with pending problems gets one digest message. Its job id follows from the contents, so a
 * tick that is retried after queueing but before settling queues nothing twice.
 */
export function createDigestFlush(deps: { digests: DigestStore; problems: ProblemStore; history: HistoryWriter; enqueueDeliveries: EnqueueDeliveries; clock: Clock; tz: string }) {
  return async function flushDigests(schedule: Schedule): Promise<{ digests: number; alerts: number }> {
    const at = deps.clock.now();
    const heading = digestHeading(schedule, at, deps.tz);
    let digests = 0;
    let alerts = 0;
    for (const destinationId of await deps.digests.destinations(schedule)) {
      const pending = await deps.digests.peek(destinationId, schedule);
      if (pending.alerts.length > 0) {
        const items = await withTotals(deps.problems, pending.alerts);
        const jobId = hashId('digest', destinationId, schedule, ...pending.entries.map(([, raw]) => raw));
        await deps.history.recordList({ id: jobId, kind: 'digest', destinationId, heading, atMs: at, alertIds: pending.alerts.map((a) => a.idempotencyKey) });
        await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'digest', heading, items, listId: jobId } }, jobId }]);
        digests++;
        alerts += items.length;
      }
      await deps.digests.settle(destinationId, schedule, pending.entries);
    }
    return { digests, alerts };
  };
}
