import type { DigestStore } from '../store/digests';
import type { Stage } from './stage';

/**
 * Warning and info go into the hourly or daily digest of their destination. An immediate
 * decision pulls the problem out of pending digests: it escalated and goes out now.
 */
export function digestStage(deps: { digests: DigestStore; nextDigestLabel: (schedule: 'hourly' | 'daily') => string }): Stage {
  return {
    name: 'digest',
    async run(ctx) {
      const digested: string[] = [];
      ctx.immediate = [];
      for (const decision of ctx.decisions) {
        if (decision.delivery === 'hourly' || decision.delivery === 'daily') {
          await deps.digests.add(decision.destinationId, decision.delivery, ctx.alert);
          digested.push(deps.nextDigestLabel(decision.delivery));
        } else {
          // A problem seen for the first time cannot be waiting in a digest.
          if (!ctx.firstTime) await deps.digests.remove(decision.destinationId, ctx.alert.key);
          ctx.immediate.push(decision);
        }
      }
      if (ctx.immediate.length === 0) return { fate: 'digested', detail: `digested into ${digested.join(', ')}` };
    },
  };
}
