import type { Alert, Decision } from '@ng/core';
import type { ProblemStore } from '../store/problems';
import type { StormStore } from '../store/storm';

/**
 * A destination that would get more than `threshold` immediate messages within a minute is in
 * a storm: the next alerts for it wait for one summary card every interval (the clock sends
 * it), until the rate falls below the threshold. Every immediate alert counts, merged or not,
 * so a steady storm stays merged. The gateway's own test card is never merged.
 */
export function createStormSplit(deps: { storm: StormStore; problems: ProblemStore; threshold: number; scheduleSummary: (destinationId: string) => Promise<void> }) {
  return async function split(alert: Alert, immediate: Decision[], claimant: string) {
    const single: Decision[] = [];
    const merged: Decision[] = [];
    for (const decision of immediate) {
      const { destinationId } = decision;
      const inLastMinute = await deps.storm.observe(destinationId, `${claimant}:${destinationId}`);
      await deps.problems.markPaged(alert.key, destinationId);
      if (inLastMinute <= deps.threshold || alert.source === 'test') {
        single.push(decision);
        continue;
      }
      const { first } = await deps.storm.add(destinationId, alert);
      if (first) await deps.scheduleSummary(destinationId);
      merged.push(decision);
    }
    return { single, merged };
  };
}
