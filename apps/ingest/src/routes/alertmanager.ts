import { Router, type Request } from 'express';
import { normalizeAlertmanager, type Config, type Logger, type Metrics } from '@ng/core';
import type { Enqueue } from '../enqueue';
import { rawJsonBody } from '../middleware/json-body';
import { basicCredentials, bearerToken, safeEqual, UnauthorizedError } from '../middleware/secrets';

/** POST /webhook/alertmanager: webhook v4, optional WEBHOOK_TOKEN as Bearer or basic-auth password. */
export function alertmanagerRoutes(deps: { config: Config; logger: Logger; metrics: Metrics; enqueue: Enqueue }): Router {
  const { config, logger, metrics } = deps;
  const router = Router();

  function authorize(req: Request) {
    const expected = config.webhookToken;
    if (!expected) return;
    const header = req.header('authorization');
    const given = bearerToken(header) ?? basicCredentials(header)?.password;
    if (!given || !safeEqual(given, expected)) {
      throw new UnauthorizedError('missing or wrong token: configure http_config.authorization (Bearer) with WEBHOOK_TOKEN', 'Bearer');
    }
  }

  router.post('/webhook/alertmanager', ...rawJsonBody(config.bodyLimit), async (req, res) => {
    metrics.webhooksReceived.inc({ source: 'alertmanager' });
    authorize(req);
    const alerts = normalizeAlertmanager(req.body, new Date());
    await deps.enqueue(alerts);
    metrics.jobsEnqueued.inc({ source: 'alertmanager' }, alerts.length);
    logger.info('Alertmanager webhook accepted', { jobs: alerts.length, status: (req.body as { status?: string }).status });
    res.status(202).json({ status: 'accepted', jobs: alerts.length });
  });
  return router;
}
