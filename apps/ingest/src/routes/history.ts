import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { PayloadError, severitySchema, sourceSchema, type HistoryReader } from '@ng/core';

const querySchema = Joi.object({
  status: Joi.string().valid('firing', 'resolved', 'assigned', 'ignored', 'unresolved'),
  severity: severitySchema,
  source: sourceSchema,
  environment: Joi.string().max(100),
  service: Joi.string().max(200),
  fate: Joi.string().valid('queued', 'duplicate', 'digested', 'merged', 'silenced', 'dropped'),
  q: Joi.string().max(200),
  from: Joi.date().iso(),
  to: Joi.date().iso(),
  cursor: Joi.string().max(500),
  limit: Joi.number().integer().min(1).max(500),
});

/** GET /api/alerts, /api/alerts/:id, /api/problems: the alert history as JSON (admin). */
export function historyRoutes(deps: { history: HistoryReader; auth: RequestHandler }): Router {
  const router = Router();
  router.get('/api/alerts', deps.auth, async (req, res) => {
    const { error, value } = querySchema.validate(req.query, { abortEarly: false });
    if (error) throw new PayloadError(error.details.map((d) => d.message.replace(/"/g, '')).join('; '), error.details[0]?.path.join('.'));
    const { cursor, limit, from, to, ...filters } = value;
    res.json(await deps.history.query({ ...filters, fromMs: from?.getTime(), toMs: to?.getTime() }, { cursor, limit }));
  });
  router.get('/api/alerts/:id', deps.auth, async (req, res) => {
    const id = String(req.params.id);
    const record = await deps.history.get(id);
    if (!record) {
      res.status(404).json({ error: `no alert ${id.slice(0, 64)} in the history` });
      return;
    }
    res.json({ ...record, problem: await deps.history.problem(record.alert.key) });
  });
  router.get('/api/problems', deps.auth, async (_req, res) => {
    res.json({ problems: await deps.history.openProblems() });
  });
  return router;
}
