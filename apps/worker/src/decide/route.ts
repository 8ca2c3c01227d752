import { decide, onCallMention, type ActivePolicy, type Alert, type Decision, type Policy } from '@ng/core';
import type { Clock } from '../clock';

/**
 * Where and how the alert goes (immediate, hourly, daily), from the routing policy in force;
 * drops left out. A route that mentions a rotation @-mentions whoever is on call right now.
 */
export function createRouter(deps: { active: ActivePolicy; clock: Clock; tz: string }) {
  function withOnCall(decision: Decision, policy: Policy): Decision {
    if (!decision.rotation) return decision;
    const onCall = onCallMention(policy, decision.rotation, deps.clock.now(), deps.tz);
    if (!onCall) return decision;
    return { ...decision, mentions: [...new Set([...decision.mentions, ...onCall.mentions])], ...(onCall.mentionMobiles.length && { mentionMobiles: onCall.mentionMobiles }) };
  }

  return function route(alert: Alert): { decisions: Decision[]; droppedBy?: string } {
    const { policy } = deps.active.current;
    const all = decide(policy, alert);
    const decisions = all.filter((d) => d.delivery !== 'drop').map((d) => withOnCall(d, policy));
    return { decisions, droppedBy: decisions.length === 0 ? (all[0]?.route ?? 'no route') : undefined };
  };
}
