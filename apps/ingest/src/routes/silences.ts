import { Router, type RequestHandler } from 'express';
import express from 'express';
import { basicCredentials } from '../middleware/secrets';
import type { SilenceStore } from '@ng/core';

/** /api/silences: create, list and delete silences (admin credentials). */
export function silenceRoutes(deps: { silences: SilenceStore; auth: RequestHandler }): Router {
  const router = Router();
  router.use('/api/silences', deps.auth, express.json({ limit: '64kb' }));
  router.post('/api/silences', async (req, res) => {
    const createdBy = basicCredentials(req.headers.authorization)?.user;
    const silence = await deps.silences.create(req.body, new Date(), createdBy);
    res.status(201).json(silence);
  });
  router.get('/api/silences', async (req, res) => {
    res.json(await deps.silences.list(new Date(), { all: req.query.all === '1' }));
  });
  router.delete('/api/silences/:id', async (req, res) => {
    const removed = await deps.silences.remove(req.params.id, new Date(), basicCredentials(req.headers.authorization)?.user);
    if (removed) res.status(204).end();
    else res.status(404).json({ error: `no active silence ${req.params.id.slice(0, 64)}` });
  });
  return router;
}
