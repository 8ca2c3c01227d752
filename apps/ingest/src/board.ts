import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';

export const BOARD_PATH = '/admin/queues';

/** Bull Board: the failed set is the dead-letter view, where a person retries a job. */
export function boardRoutes(deps: { queues: Queue[]; auth: RequestHandler }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const router = Router();
  router.use(BOARD_PATH, deps.auth, serverAdapter.getRouter());
  return router;
}
