import type { ActivePolicy, Alert, Decision } from '@ng/core';

/** The escalation a card starts: its route, and the destinations that got the card. */
export interface EscalationStart {
  route: string;
  destinations: string[];
  afterMs: number;
}

/**
 * Does this card start an escalation? A firing critical sent now, unclaimed, by a route that
 * lists escalation levels (the first such route when several matched).
 */
export function createEscalationPlan(deps: { active: ActivePolicy }) {
  return function escalationOf(alert: Alert, sent: Decision[], claimed: boolean): EscalationStart | undefined {
    if (alert.severity !== 'critical' || alert.status !== 'firing' || claimed) return undefined;
    const { routes } = deps.active.current.policy;
    for (const decision of sent) {
      const escalation = routes.find((r) => r.name === decision.route)?.escalation;
      if (!escalation) continue;
      const destinations = sent.filter((d) => d.route === decision.route).map((d) => d.destinationId);
      return { route: decision.route, destinations, afterMs: escalation.afterMs };
    }
    return undefined;
  };
}
