import type { Alert, Severity } from '../alert';
import type { Decision, Delivery, Policy, Route, RouteMatch } from './types';

const anyOf = (allowed: string[] | undefined, value: string | undefined) => !allowed || (value !== undefined && allowed.includes(value));

function labelMatches(expected: string | RegExp, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return typeof expected === 'string' ? expected === actual : expected.test(actual);
}

export function routeMatches(match: RouteMatch, alert: Alert): boolean {
  return (
    anyOf(match.source, alert.source) &&
    anyOf(match.project, alert.service) &&
    anyOf(match.environment, alert.environment) &&
    anyOf(match.severity, alert.severity) &&
    anyOf(match.category, alert.category) &&
    Object.entries(match.labels ?? {}).every(([name, value]) => labelMatches(value, alert.labels[name]))
  );
}

function deliveryOf(route: Route | undefined, severity: Severity, defaults: Record<Severity, Delivery>): Delivery {
  const d = route?.delivery;
  if (typeof d === 'string') return d;
  return d?.[severity] ?? defaults[severity];
}

/**
 * Where and how an alert goes: the first matching route decides unless it says `continue`;
 * when no route ends the search, the default destinations get it by severity.
 */
export function decide(policy: Policy, alert: Alert): Decision[] {
  const decisions: Decision[] = [];
  const add = (route: Route | undefined) => {
    for (const destinationId of route?.destinations ?? policy.defaults.destinations) {
      if (!route && decisions.some((d) => d.destinationId === destinationId)) continue;
      decisions.push({
        destinationId,
        delivery: deliveryOf(route, alert.severity, policy.defaults.delivery),
        mentions: route?.mentions ?? [],
        ...(route?.mention && { rotation: route.mention }),
        route: route?.name ?? 'default',
      });
    }
  };
  for (const route of policy.routes) {
    if (!routeMatches(route.match, alert)) continue;
    add(route);
    if (!route.continue) return decisions;
  }
  // No route ended the search: the defaults apply too.
  add(undefined);
  return decisions;
}
