import type { Alert, Decision } from '@ng/core';
import type { DigestStore, Schedule } from '../store/digests';
import type { ProblemStore } from '../store/problems';

const isDigest = (delivery: Decision['delivery']): delivery is Schedule => delivery === 'hourly' || delivery === 'daily';

/**
 * Splits the decisions into those that wait for a digest and those that go now. A problem
 * that goes now leaves the pending digests (it escalated); the end of a problem that was
 * paged goes out as fast as its start did, whatever its own severity says.
 */
export function createDigestSplit(deps: { digests: DigestStore; problems: ProblemStore; nextDigestLabel: (schedule: Schedule) => string }) {
  return async function split(alert: Alert, decisions: Decision[], firstTime: boolean) {
    const immediate: Decision[] = [];
    const digested: Array<{ decision: Decision; schedule: Schedule; at: string }> = [];
    const update = alert.status !== 'firing' && alert.status !== 'unresolved';
    for (const decision of decisions) {
      const schedule = decision.delivery;
      if (isDigest(schedule) && !(update && (await deps.problems.wasPaged(alert.key, decision.destinationId)))) {
        await deps.digests.add(decision.destinationId, schedule, alert);
        digested.push({ decision, schedule, at: deps.nextDigestLabel(schedule) });
        continue;
      }
      // A problem seen for the first time cannot be waiting in a digest.
      if (!firstTime) await deps.digests.remove(decision.destinationId, alert.key);
      immediate.push(decision);
    }
    return { immediate, digested };
  };
}
