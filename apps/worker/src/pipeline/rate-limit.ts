import type { RateLimiter } from '../store/rate-limit';
import type { StormBuffer } from '../store/storm-buffer';
import type { Stage } from './stage';

/**
 * Each destination has a per-minute budget shared by every replica. Without budget the alert
 * waits in the destination's storm buffer; one summary card carries the whole buffer later.
 */
export function rateLimitStage(deps: {
  limiter: RateLimiter;
  storm: StormBuffer;
  limitFor: (destinationId: string) => number;
  scheduleStormFlush: (destinationId: string, delayMs: number) => Promise<void>;
}): Stage {
  return {
    name: 'rate-limit',
    async run(ctx) {
      const allowed = [];
      const merged: string[] = [];
      for (const decision of ctx.immediate) {
        const budget = await deps.limiter.tryTake(decision.destinationId, deps.limitFor(decision.destinationId));
        if (budget.ok) {
          allowed.push(decision);
          ctx.slots.set(decision.destinationId, budget.slot);
          continue;
        }
        const { first } = await deps.storm.add(decision.destinationId, ctx.alert);
        if (first) await deps.scheduleStormFlush(decision.destinationId, budget.retryInMs);
        merged.push(decision.destinationId);
      }
      ctx.immediate = allowed;
      if (allowed.length === 0) return { fate: 'merged', detail: `merged into storm summary for ${merged.join(', ')}` };
    },
  };
}
