import { decide, type Policy } from '../policy';
import type { Stage } from './stage';

/** Decides where the alert goes and how (immediate, digest, drop) from the routing policy. */
export function policyStage(deps: { policy: Policy }): Stage {
  return {
    name: 'policy',
    async run(ctx) {
      const decisions = decide(deps.policy, ctx.alert);
      ctx.decisions = decisions.filter((d) => d.delivery !== 'drop');
      if (ctx.decisions.length === 0) {
        const route = decisions[0]?.route ?? 'no route';
        return { fate: 'dropped', detail: `dropped by policy (${route})` };
      }
    },
  };
}
