import type { Logger } from './logger';

export interface SelfMonitor {
  captureError(err: unknown, context?: Record<string, unknown>): void;
  capturePermanentFailure(info: { source: string; key: string; channel: string; errcode?: number; reason: string; hint?: string }): void;
  flush(timeoutMs?: number): Promise<void>;
}

const noop: SelfMonitor = { captureError: () => undefined, capturePermanentFailure: () => undefined, flush: async () => undefined };

/**
 * The seed's 自监控闭环: with SENTRY_DSN the gateway reports its own errors and the deliveries
 * that failed for good to Sentry. Without it, @sentry/node is never loaded. Only the fields
 * given here are sent: never an alert payload, a token or a key.
 */
export function createSelfMonitor(opts: { dsn?: string; environment?: string; release?: string; logger: Logger }): SelfMonitor {
  if (!opts.dsn) return noop;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Sentry = require('@sentry/node') as typeof import('@sentry/node');
  Sentry.init({
    dsn: opts.dsn,
    environment: opts.environment,
    release: opts.release,
    defaultIntegrations: false,
    skipOpenTelemetrySetup: true,
    sendDefaultPii: false,
    // Requests and breadcrumbs could carry webhook bodies or URLs with tokens.
    beforeSend: (event) => {
      delete event.request;
      delete event.breadcrumbs;
      return event;
    },
  });
  opts.logger.info('self-monitoring to Sentry enabled');
  return {
    captureError(err, context) {
      Sentry.captureException(err, { extra: context });
    },
    capturePermanentFailure(info) {
      Sentry.captureMessage(`WeCom delivery failed for good: ${info.reason}${info.errcode !== undefined ? ` (errcode ${info.errcode})` : ''}`, {
        level: 'error',
        tags: { source: info.source, channel: info.channel, reason: info.reason, errcode: String(info.errcode ?? '') },
        extra: { key: info.key, hint: info.hint },
      });
    },
    async flush(timeoutMs = 2000) {
      await Sentry.flush(timeoutMs);
    },
  };
}
