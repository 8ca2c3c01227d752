import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { onCall, PayloadError, type ActivePolicy, type Config } from '@ng/core';
import { shiftView } from '../oncall';

const querySchema = Joi.object({
  at: Joi.date().iso().messages({ 'date.format': 'at must be an ISO 8601 time, e.g. 2026-12-24T09:00:00+08:00', 'date.base': 'at must be an ISO 8601 time, e.g. 2026-12-24T09:00:00+08:00' }),
});

/** GET /api/oncall: who of each rotation of the policy in force is on call now (or ?at=), and who is next (admin). */
export function onCallRoutes(deps: { config: Config; policy: ActivePolicy; auth: RequestHandler }): Router {
  const router = Router();
  router.get('/api/oncall', deps.auth, (req, res) => {
    const { error, value } = querySchema.validate(req.query, { abortEarly: false });
    if (error) throw new PayloadError(error.details.map((d) => d.message.replace(/"/g, '')).join('; '), error.details[0]?.path.join('.'));
    const atMs = (value.at as Date | undefined)?.getTime() ?? Date.now();
    const tz = deps.config.displayTz;
    const rotations = deps.policy.current.policy.rotations.map((rotation) => {
      const { now, next } = onCall(rotation, atMs, tz);
      return { id: rotation.id, every: rotation.every, handoff: rotation.handoff, now: shiftView(now, tz), next: shiftView(next, tz) };
    });
    res.json({ at: new Date(atMs).toISOString(), tz, rotations });
  });
  return router;
}
