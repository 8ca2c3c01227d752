import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { testAlert, type Logger, type Metrics } from '@ng/core';
import type { Enqueue } from '../enqueue';

/** POST /test: a test card through the whole pipeline (the seed's 手动测试发送). */
export function testRoutes(deps: { logger: Logger; metrics: Metrics; enqueue: Enqueue }): Router {
  const router = Router();
  router.post('/test', async (_req, res) => {
    const alert = testAlert(new Date(), randomUUID());
    await deps.enqueue([alert]);
    deps.metrics.jobsEnqueued.inc({ source: 'test' });
    deps.logger.info('test alert queued', { key: alert.key });
    res.status(202).json({ status: 'accepted', key: alert.key });
  });
  return router;
}
