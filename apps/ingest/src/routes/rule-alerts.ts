import { Router } from 'express';
import { normalizeAlertmanager, normalizeGrafana, type Config, type Logger, type Metrics } from '@ng/core';
import type { Enqueue } from '../enqueue';
import { rawJsonBody } from '../middleware/json-body';
import { webhookToken } from '../middleware/webhook-token';

export interface RuleAlertDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  enqueue: Enqueue;
}

type RuleSource = 'alertmanager' | 'grafana';

const NORMALIZE = { alertmanager: normalizeAlertmanager, grafana: normalizeGrafana };
const ORIGIN = { alertmanager: 'Alertmanager', grafana: 'Grafana' };

/**
 * Alertmanager and Grafana post the same kind of body (the alerts of one group) with the same
 * optional WEBHOOK_TOKEN: one alert per entry is queued, then 202. `sourceOf` tells which
 * sender's body it is.
 */
export function ruleAlertRoute(deps: RuleAlertDeps, path: string, sourceOf: (body: unknown) => RuleSource): Router {
  const { config, logger, metrics } = deps;
  const router = Router();
  router.post(
    path,
    ...rawJsonBody(config.bodyLimit),
    (req, _res, next) => {
      metrics.webhooksReceived.inc({ source: sourceOf(req.body) });
      next();
    },
    webhookToken(config.webhookToken),
    async (req, res) => {
      const source = sourceOf(req.body);
      const alerts = NORMALIZE[source](req.body, new Date());
      await deps.enqueue(alerts);
      metrics.jobsEnqueued.inc({ source }, alerts.length);
      logger.info(`${ORIGIN[source]} webhook accepted`, { jobs: alerts.length, status: (req.body as { status?: string }).status });
      res.status(202).json({ status: 'accepted', jobs: alerts.length });
    },
  );
  return router;
}
