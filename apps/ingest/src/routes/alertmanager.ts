import type { Router } from 'express';
import { isGrafanaPayload } from '@ng/core';
import { ruleAlertRoute, type RuleAlertDeps } from './rule-alerts';

/**
 * POST /webhook/alertmanager: webhook v4, optional WEBHOOK_TOKEN. A Grafana contact point
 * pointed here (its body says version "1") is recognised and taken as Grafana's.
 */
export function alertmanagerRoutes(deps: RuleAlertDeps): Router {
  return ruleAlertRoute(deps, '/webhook/alertmanager', (body) => (isGrafanaPayload(body) ? 'grafana' : 'alertmanager'));
}
