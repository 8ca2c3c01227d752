import { Router, type RequestHandler } from 'express';
import type { Logger, ReloadReply } from '@ng/core';

/**
 * POST /-/reload (admin; Prometheus' and Alertmanager's convention): every process, ingest and
 * each worker, reloads POLICY_FILE. 200 when all did; 500 naming what is wrong when any kept
 * its previous policy (it keeps running with it).
 */
export function reloadRoutes(deps: { reloadEverywhere: () => Promise<ReloadReply[]>; auth: RequestHandler; logger: Logger }): Router {
  const router = Router();
  router.post('/-/reload', deps.auth, async (_req, res) => {
    const processes = await deps.reloadEverywhere();
    const failed = processes.filter((p) => !p.ok);
    deps.logger.info('policy reload requested', { processes: processes.length, failed: failed.length });
    if (failed.length || !processes.length) {
      const error = failed.map((p) => !p.ok && p.error).find(Boolean) ?? 'no process answered';
      res.status(500).json({ status: 'failed', error, processes });
      return;
    }
    res.json({ status: 'reloaded', hash: processes[0].hash, processes });
  });
  return router;
}
