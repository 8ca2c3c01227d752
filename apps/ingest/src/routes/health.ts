import { Router } from 'express';
import { describeRedisFull, policyDetails, readRedisMemory, type ActivePolicy, type RedisConnection } from '@ng/core';

/**
 * /health is liveness (the seed's check) and names the policy in force; /ready says whether
 * Redis can take webhooks: it must answer, and have room (a full Redis with noeviction refuses
 * every new job).
 */
export function healthRoutes(deps: { redis: RedisConnection; policy: ActivePolicy }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', ...policyDetails(deps.policy.current) });
  });
  router.get('/ready', async (_req, res) => {
    let memory;
    try {
      await deps.redis.ping();
      memory = await readRedisMemory(deps.redis);
    } catch {
      res.status(503).setHeader('Retry-After', '5');
      res.json({ status: 'unavailable', error: 'Redis is not reachable' });
      return;
    }
    if (memory.full) {
      res.status(503).setHeader('Retry-After', '30');
      res.json({ status: 'full', error: describeRedisFull(memory) });
      return;
    }
    res.json({ status: 'ready' });
  });
  return router;
}
