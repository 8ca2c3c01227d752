import { Router, type RequestHandler } from 'express';
import { QueueEvents, type Queue } from 'bullmq';
import { createRedis, type Config, type Logger } from '@ng/core';

/** How long the answer waits for a worker to take the flush. */
const WAIT_MS = 10_000;

/**
 * POST /api/digests/flush: every pending hourly and daily digest goes out now. A worker does
 * it (the clock queue's digest tick); the answer says how many digests and alerts it queued
 * for sending, or 202 when no worker took the flush within 10 s (it stays queued).
 */
export function digestRoutes(deps: { clockQueue: Queue; config: Config; auth: RequestHandler; logger: Logger }): Router {
  const router = Router();
  router.post('/api/digests/flush', deps.auth, async (_req, res) => {
    const connection = createRedis(deps.config.redisUrl, 'worker');
    const events = new QueueEvents(deps.clockQueue.name, { connection, prefix: deps.config.queuePrefix });
    try {
      await events.waitUntilReady();
      const jobs = await deps.clockQueue.addBulk(
        (['hourly', 'daily'] as const).map((schedule) => ({ name: 'digest', data: { schedule }, opts: { removeOnComplete: { age: 86400 } } })),
      );
      deps.logger.info('digest flush requested');
      const results = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, WAIT_MS).catch(() => undefined)));
      if (results.some((r) => r === undefined)) {
        res.status(202).json({ status: 'queued', error: 'no worker took the flush within 10 s: it stays queued' });
        return;
      }
      const done = results as Array<{ digests: number; alerts: number }>;
      res.json({ status: 'flushed', digests: done.reduce((n, r) => n + r.digests, 0), alerts: done.reduce((n, r) => n + r.alerts, 0) });
    } finally {
      await events.close();
      connection.disconnect();
    }
  });
  return router;
}
