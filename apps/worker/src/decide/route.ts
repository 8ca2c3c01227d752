import { decide, type ActivePolicy, type Alert, type Decision } from '@ng/core';

/** Where and how the alert goes (immediate, hourly, daily), from the routing policy in force; drops left out. */
export function createRouter(deps: { active: ActivePolicy }) {
  return function route(alert: Alert): { decisions: Decision[]; droppedBy?: string } {
    const all = decide(deps.active.current.policy, alert);
    const decisions = all.filter((d) => d.delivery !== 'drop');
    return { decisions, droppedBy: decisions.length === 0 ? (all[0]?.route ?? 'no route') : undefined };
  };
}
