import { Router } from 'express';
import type { Queue } from 'bullmq';
import type { Metrics } from '@ng/core';

/** GET /metrics: Prometheus text; queue depth is sampled at scrape time. */
export function metricsRoutes(deps: { metrics: Metrics; queues: Queue[] }): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    for (const queue of deps.queues) {
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) deps.metrics.queueDepth.set({ queue: queue.name, state }, n);
      } catch {
        // Redis down: the counters are still worth serving.
      }
    }
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return router;
}
