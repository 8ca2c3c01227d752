import { Router, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '@ng/core';

/** POST /api/digests/flush: the pending hourly and daily digests go out now (a worker sends them). */
export function digestRoutes(deps: { digestsQueue: Queue; auth: RequestHandler; logger: Logger }): Router {
  const router = Router();
  router.post('/api/digests/flush', deps.auth, async (_req, res) => {
    await deps.digestsQueue.addBulk([
      { name: 'flush', data: { schedule: 'hourly' }, opts: { removeOnComplete: { age: 86400 } } },
      { name: 'flush', data: { schedule: 'daily' }, opts: { removeOnComplete: { age: 86400 } } },
    ]);
    deps.logger.info('digest flush requested');
    res.status(202).json({ status: 'accepted' });
  });
  return router;
}
