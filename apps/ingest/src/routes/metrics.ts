import { Router } from 'express';
import type { Queue } from 'bullmq';
import { readRedisMemory, type Metrics, type RedisConnection } from '@ng/core';

/** GET /metrics: Prometheus text; queue depth and Redis memory are sampled at scrape time. */
export function metricsRoutes(deps: { metrics: Metrics; queues: Queue[]; redis: RedisConnection }): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    // Redis down: the counters are still worth serving, so each sample is best effort.
    for (const queue of deps.queues) {
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) deps.metrics.queueDepth.set({ queue: queue.name, state }, n);
      } catch {
        // next queue
      }
    }
    try {
      const memory = await readRedisMemory(deps.redis);
      deps.metrics.redisMemory.set({ kind: 'used' }, memory.usedBytes);
      deps.metrics.redisMemory.set({ kind: 'max' }, memory.maxBytes);
    } catch {
      // unreachable: the queue samples failed too
    }
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return router;
}
