import type { RequestHandler } from 'express';
import { basicCredentials, bearerToken, safeEqual, UnauthorizedError } from './secrets';

/**
 * WEBHOOK_TOKEN for Alertmanager and Grafana: as a Bearer token (their `authorization`
 * settings) or as a basic-auth password. Without a token configured, the door is open.
 */
export function webhookToken(expected: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!expected) return next();
    const header = req.header('authorization');
    const given = bearerToken(header) ?? basicCredentials(header)?.password;
    if (given && safeEqual(given, expected)) return next();
    next(new UnauthorizedError('missing or wrong token: send WEBHOOK_TOKEN as a Bearer token (Alertmanager http_config.authorization, Grafana "Authorization header") or as the basic-auth password', 'Bearer'));
  };
}
