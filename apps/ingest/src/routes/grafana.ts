import type { Router } from 'express';
import { ruleAlertRoute, type RuleAlertDeps } from './rule-alerts';

/** POST /webhook/grafana: Grafana's webhook contact point (version "1"), same token and answers as Alertmanager. */
export function grafanaRoutes(deps: RuleAlertDeps): Router {
  return ruleAlertRoute(deps, '/webhook/grafana', () => 'grafana');
}
