import { Router } from 'express';
import { policyDetails, type ActivePolicy, type RedisConnection } from '@ng/core';

/** /health is liveness (the seed's check) and names the policy in force; /ready says whether Redis can take webhooks. */
export function healthRoutes(deps: { redis: RedisConnection; policy: ActivePolicy }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', ...policyDetails(deps.policy.current) });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await deps.redis.ping();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).setHeader('Retry-After', '5');
      res.json({ status: 'unavailable', error: 'Redis is not reachable' });
    }
  });
  return router;
}
