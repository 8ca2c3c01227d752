import { digestCollector, hashIdOf, type Alert, type DigestItem, type HistoryWriter } from '@ng/core';
import type { Clock } from '../clock';
import type { EnqueueDeliveries } from '../deliver/enqueue';
import type { DigestStore, PendingEntry, Schedule } from '../store/digests';
import type { ProblemStore } from '../store/problems';
import { digestHeading } from './digest-times';

/** Each alert with its problem's running totals, as digests and storm summaries show them. */
export async function withTotals(problems: ProblemStore, alerts: Alert[]): Promise<DigestItem[]> {
  return Promise.all(alerts.map(async (alert) => ({ alert, totals: (await problems.totals(alert.key)) ?? { count: alert.count ?? 1 } })));
}

/**
 * A digest tick (the hourly or daily scheduler, or POST /api/digests/flush): every destination
 * with pending problems gets one digest message. The pending entries are read a slice at a
 * time and reduced to what the card shows (list-summary.ts), so a busy hour of tens of
 * thousands of problems costs the worker and the delivery job no more than a quiet one. Its
 * job id follows from the contents, so a tick that is retried after queueing but before
 * settling queues nothing twice.
 */
export function createDigestFlush(deps: { digests: DigestStore; problems: ProblemStore; history: HistoryWriter; enqueueDeliveries: EnqueueDeliveries; clock: Clock; tz: string }) {
  return async function flushDigests(schedule: Schedule): Promise<{ digests: number; alerts: number }> {
    const at = deps.clock.now();
    const heading = digestHeading(schedule, at, deps.tz);
    let digests = 0;
    let alerts = 0;
    for (const destinationId of await deps.digests.destinations(schedule)) {
      const collector = digestCollector();
      const taken: Array<Pick<PendingEntry, 'field' | 'sha1'>> = [];
      const alertIds: string[] = [];
      for await (const slice of deps.digests.scan(destinationId, schedule)) {
        for (const item of await withTotals(deps.problems, slice.map((e) => e.alert))) collector.add(item);
        for (const { field, sha1, alert } of slice) {
          taken.push({ field, sha1 });
          alertIds.push(alert.idempotencyKey);
        }
      }
      if (taken.length > 0) {
        const summary = collector.summary();
        const jobId = hashIdOf(['digest', destinationId, schedule, ...taken.map((e) => `${e.field}\u0000${e.sha1}`).sort()]);
        // Its page lists the problems the card carries first, worst first (the card groups them by service), then the rest.
        const carried = summary.items.map((i) => i.alert.idempotencyKey);
        const onCard = new Set(carried);
        await deps.history.recordList({ id: jobId, kind: 'digest', destinationId, heading, atMs: at, alertIds: [...carried, ...alertIds.filter((id) => !onCard.has(id))] });
        await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'digest', heading, ...summary, listId: jobId } }, jobId }]);
        digests++;
        alerts += summary.problems;
      }
      await deps.digests.settle(destinationId, schedule, taken);
    }
    return { digests, alerts };
  };
}
