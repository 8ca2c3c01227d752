import type { ErrorRequestHandler } from 'express';
import { PayloadError, PolicyError, type Logger, type Metrics, type SelfMonitor } from '@ng/core';
import { StoreUnavailableError } from '../enqueue';
import { UnsupportedMediaTypeError } from './json-body';
import { UnauthorizedError } from './secrets';

/** Which source a webhook path belongs to, for metrics and the word "Sentry" in logs. */
const SOURCE_OF_PATH: Record<string, { source: string; origin: string }> = {
  '/webhook/sentry': { source: 'sentry', origin: 'Sentry' },
  '/webhook/alertmanager': { source: 'alertmanager', origin: 'Alertmanager' },
  '/webhook/grafana': { source: 'grafana', origin: 'Grafana' },
  '/webhook/wecom': { source: 'wecom', origin: 'WeCom' },
};

/** ioredis failing fast because Redis is down or unreachable (not a bug: answer 503). */
function isRedisUnavailable(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /enableOfflineQueue|ECONNREFUSED|Connection is closed|MaxRetriesPerRequest|Command timed out/.test(message);
}

/**
 * The one place errors become answers. Bodies are short and secret-free: Alertmanager logs
 * every non-2xx body. 503 (never 4xx) for a transient fault, so Sentry/Alertmanager retry.
 */
export function errorHandler(deps: { logger: Logger; metrics: Metrics; selfMonitor?: SelfMonitor }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { source, origin } = SOURCE_OF_PATH[req.path.replace(/\/+$/, '')] ?? {};
    const answer = (status: number, reason: string, message: string) => {
      if (source) deps.metrics.webhooksRejected.inc({ source, reason });
      const level = status >= 500 ? 'error' : 'warn';
      // The answer stays generic for a 500 and a store failure; the log gets the real cause.
      const cause = (status === 500 || err instanceof StoreUnavailableError) && err instanceof Error ? err.message : message;
      deps.logger[level](`${origin ?? 'request'} rejected`, { status, reason, error: cause, path: req.path, origin });
      res.status(status).json({ error: message });
    };
    if (err instanceof PayloadError) return answer(400, 'invalid_payload', err.message);
    if (err instanceof PolicyError) return answer(400, 'invalid_policy', err.message);
    if (err instanceof UnsupportedMediaTypeError) return answer(415, 'unsupported_media_type', err.message);
    if (err instanceof UnauthorizedError) {
      if (err.challenge) res.setHeader('WWW-Authenticate', err.challenge);
      return answer(401, 'unauthorized', err.message);
    }
    if (err instanceof StoreUnavailableError && err.outOfMemory) {
      res.setHeader('Retry-After', '30');
      return answer(503, 'redis_full', 'Redis is full (maxmemory reached, policy noeviction): retry later');
    }
    if (err instanceof StoreUnavailableError || isRedisUnavailable(err)) {
      res.setHeader('Retry-After', '5');
      return answer(503, 'store_unavailable', 'queue unavailable, retry later');
    }
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return answer(413, 'too_large', 'body exceeds the size limit');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return answer(415, 'unsupported_media_type', (err as Error).message);
    if (type === 'request.aborted' || type === 'request.size.invalid') return answer(400, 'bad_request', (err as Error).message);
    deps.selfMonitor?.captureError(err, { path: req.path });
    return answer(500, 'internal', 'internal error');
  };
}
