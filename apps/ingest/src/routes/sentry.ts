import { Router } from 'express';
import { normalizeSentry, type Config, type Logger, type Metrics } from '@ng/core';
import type { Enqueue } from '../enqueue';
import { rawJsonBody } from '../middleware/json-body';
import { safeEqual, sentrySignature, UnauthorizedError } from '../middleware/secrets';

/**
 * POST /webhook/sentry: Integration Platform (signed when SENTRY_CLIENT_SECRET is set) and the
 * legacy WebHooks plugin (unsigned: with a secret set it needs ?token=WEBHOOK_TOKEN, so a
 * secret never leaves an unsigned door open).
 */
export function sentryRoutes(deps: { config: Config; logger: Logger; metrics: Metrics; enqueue: Enqueue }): Router {
  const { config, logger, metrics } = deps;
  const router = Router();

  function authorize(resource: string | undefined, req: Parameters<Parameters<Router['post']>[1]>[0]) {
    const secret = config.sentry.clientSecret;
    if (!secret) return;
    if (resource) {
      const given = req.header('sentry-hook-signature');
      if (!given) throw new UnauthorizedError('missing Sentry-Hook-Signature');
      if (!safeEqual(given.toLowerCase(), sentrySignature(secret, req.rawBody ?? Buffer.alloc(0)))) {
        throw new UnauthorizedError('Sentry-Hook-Signature does not match the body');
      }
      return;
    }
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!config.webhookToken || !safeEqual(token, config.webhookToken)) {
      throw new UnauthorizedError('unsigned legacy Sentry webhook: add ?token=<WEBHOOK_TOKEN> to its callback URL');
    }
  }

  router.post('/webhook/sentry', ...rawJsonBody(config.bodyLimit), async (req, res) => {
    metrics.webhooksReceived.inc({ source: 'sentry' });
    const resource = req.header('sentry-hook-resource') || undefined;
    authorize(resource, req);
    const outcome = normalizeSentry({ resource, body: req.body, receivedAt: new Date(), sentryBaseUrl: config.sentry.baseUrl });
    if (!outcome.handled) {
      logger.info('Sentry webhook ignored', { event: outcome.event, reason: outcome.reason });
      res.status(200).json({ status: 'ignored', event: outcome.event });
      return;
    }
    await deps.enqueue(outcome.alerts);
    metrics.jobsEnqueued.inc({ source: 'sentry' }, outcome.alerts.length);
    logger.info('Sentry webhook accepted', { event: outcome.event, key: outcome.alerts[0]?.key, jobs: outcome.alerts.length });
    res.status(202).json({ status: 'accepted', event: outcome.event, jobs: outcome.alerts.length });
  });
  return router;
}
