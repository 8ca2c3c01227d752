import { randomUUID } from 'node:crypto';
import { digestCollector, hashIdOf, type Alert, type DigestItem, type HistoryWriter } from '@ng/core';
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
 * with pending problems gets one digest message. The flush takes the pending entries, reads
 * them a slice at a time, reduces them to what the card shows (list-summary.ts) and lists them
 * on the digest's page as it goes, so a busy hour of 100,000 problems costs the worker and the
 * delivery job no more than a quiet one. Its job id is the taking's: a flush retried after
 * queueing but before settling queues nothing twice.
 */
export function createDigestFlush(deps: { digests: DigestStore; problems: ProblemStore; history: HistoryWriter; enqueueDeliveries: EnqueueDeliveries; clock: Clock; tz: string }) {
  /** One taking of a destination's entries → one digest; says how many problems it carried. */
  async function flushTaken(destinationId: string, schedule: Schedule, takenId: string, heading: string, at: number): Promise<number> {
    const jobId = hashIdOf(['digest', destinationId, schedule, takenId]);
    const collector = digestCollector();
    const list = await deps.history.startList(jobId);
    for await (const alerts of deps.digests.scan(destinationId, schedule)) {
      for (const item of await withTotals(deps.problems, alerts)) collector.add(item);
      await list.append(alerts.map((a) => a.idempotencyKey));
    }
    const summary = collector.summary();
    if (summary.problems > 0) {
      // Its page lists the problems the card carries first, worst first (the card groups them by service), then the rest.
      await list.finish({ kind: 'digest', destinationId, heading, atMs: at, first: summary.items.map((i) => i.alert.idempotencyKey) });
      await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'digest', heading, ...summary, listId: jobId } }, jobId }]);
    }
    await deps.digests.settle(destinationId, schedule);
    return summary.problems;
  }

  return async function flushDigests(schedule: Schedule): Promise<{ digests: number; alerts: number }> {
    const at = deps.clock.now();
    const heading = digestHeading(schedule, at, deps.tz);
    let digests = 0;
    let alerts = 0;
    for (const destinationId of await deps.digests.destinations(schedule)) {
      let taking = await deps.digests.take(destinationId, schedule, randomUUID());
      while (taking) {
        const problems = await flushTaken(destinationId, schedule, taking.id, heading, at);
        if (problems > 0) {
          digests++;
          alerts += problems;
        }
        // A taking a dead flush left went out first: what is pending now goes too.
        taking = taking.recovered ? await deps.digests.take(destinationId, schedule, randomUUID()) : undefined;
      }
    }
    return { digests, alerts };
  };
}
