import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import {
  PayloadError,
  detectWebhook,
  loadExample,
  parsePolicy,
  previewWebhook,
  type ActivePolicy,
  type Config,
  type SilenceStore,
  type Webhook,
} from '@ng/core';
import { rawJsonBody } from '../middleware/json-body';

/** The body when it is not a webhook itself: a bundled example or a webhook, and optionally a policy to try. */
const envelope = Joi.object({
  example: Joi.string().max(100),
  webhook: Joi.object(),
  /** Sentry-Hook-Resource of `webhook`, when its shape does not say. */
  resource: Joi.string().max(40),
  /** A policy (YAML or JSON text) instead of the one in force. */
  policy: Joi.string().max(256 * 1024),
}).xor('example', 'webhook');

/** A policy sent with a preview reads no file on this server: its templates are inline. */
const noFiles = () => {
  throw new Error('a policy sent with a preview cannot name template files: write them inline');
};

/**
 * POST /api/preview (admin): what each destination would receive for a webhook, as if it were
 * its first occurrence. The body is the webhook as Sentry (with its Sentry-Hook-Resource header)
 * or Alertmanager posts it, or {"example": name} / {"webhook": body, "resource"?, "policy"?}.
 */
export function previewRoutes(deps: { config: Config; policy: ActivePolicy; silences: SilenceStore; auth: RequestHandler }): Router {
  const router = Router();
  router.post('/api/preview', deps.auth, ...rawJsonBody(deps.config.bodyLimit), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    let webhook: Webhook;
    let policyText: string | undefined;
    if (body && typeof body === 'object' && ('example' in body || 'webhook' in body)) {
      const { error, value } = envelope.validate(body);
      if (error) throw new PayloadError(error.message.replace(/"/g, ''), String(error.details[0]?.path[0] ?? ''));
      webhook = value.example ? loadExample(value.example) : detectWebhook(value.webhook, value.resource);
      policyText = value.policy;
    } else {
      webhook = detectWebhook(body, req.header('sentry-hook-resource') || undefined);
    }
    const policy = policyText === undefined ? deps.policy.current.policy : parsePolicy(deps.config, { file: "the request's policy", text: policyText, readFile: noFiles });
    const now = new Date();
    res.json(await previewWebhook({ webhook, policy, config: deps.config, now, silenced: (alert) => deps.silences.match(alert, now.getTime()) }));
  });
  return router;
}
