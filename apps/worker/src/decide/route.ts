import { decide, type Alert, type Decision, type Policy } from '@ng/core';

/** Where and how the alert goes (immediate, hourly, daily), from the routing policy; drops left out. */
export function createRouter(deps: { policy: Policy }) {
  return function route(alert: Alert): { decisions: Decision[]; droppedBy?: string } {
    const all = decide(deps.policy, alert);
    const decisions = all.filter((d) => d.delivery !== 'drop');
    return { decisions, droppedBy: decisions.length === 0 ? (all[0]?.route ?? 'no route') : undefined };
  };
}
