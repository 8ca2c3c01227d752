import express, { type Express } from 'express';
import type { Queue } from 'bullmq';
import type { ActivePolicy, Config, HistoryReader, Links, Logger, Metrics, QUEUE_NAMES, RedisConnection, ReloadReply, SelfMonitor, SilenceStore } from '@ng/core';
import type { Enqueue } from './enqueue';
import { adminAuth } from './middleware/admin-auth';
import { errorHandler } from './middleware/error-handler';
import { sentryRoutes } from './routes/sentry';
import { alertmanagerRoutes } from './routes/alertmanager';
import { grafanaRoutes } from './routes/grafana';
import { healthRoutes } from './routes/health';
import { openApiRoutes } from './routes/openapi';
import { testRoutes } from './routes/test';
import { metricsRoutes } from './routes/metrics';
import { silenceRoutes } from './routes/silences';
import { digestRoutes } from './routes/digests';
import { historyRoutes } from './routes/history';
import { onCallRoutes } from './routes/oncall';
import { wecomCallbackRoutes } from './routes/wecom';
import { previewRoutes } from './routes/preview';
import { reloadRoutes } from './routes/reload';
import { boardRoutes } from './board';
import { consoleRoutes } from './console/router';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: RedisConnection;
  /** Every queue of QUEUE_NAMES: ingest adds to alerts and clock; Bull Board and /metrics show them all. */
  queues: Record<keyof typeof QUEUE_NAMES, Queue>;
  silences: SilenceStore;
  history: HistoryReader;
  links: Links;
  /** The key of signed links and CSRF tokens (LINK_SECRET, or the deployment's own in Redis). */
  linkSecret: () => Promise<string>;
  enqueue: Enqueue;
  /** The policy in force in this process (previews use it) and the request that reloads it everywhere. */
  policy: ActivePolicy;
  reloadEverywhere: () => Promise<ReloadReply[]>;
  selfMonitor?: SelfMonitor;
}

/** Builds the HTTP app; never listens, so tests drive it on port 0. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Webhook answers are never cached; an ETag is a hash of every response body for nothing.
  app.set('etag', false);
  const auth = adminAuth(deps.config.admin);
  // Webhooks first: every router a request passes on its way costs it a few microseconds.
  app.use(sentryRoutes(deps));
  app.use(alertmanagerRoutes(deps));
  app.use(grafanaRoutes(deps));
  app.use(wecomCallbackRoutes({ ...deps, actionsQueue: deps.queues.actions }));
  app.use(healthRoutes(deps));
  app.use(testRoutes(deps));
  app.use(openApiRoutes());
  const allQueues = Object.values(deps.queues);
  app.use(metricsRoutes({ metrics: deps.metrics, queues: allQueues, redis: deps.redis }));
  app.use(silenceRoutes({ silences: deps.silences, auth }));
  app.use(digestRoutes({ clockQueue: deps.queues.clock, config: deps.config, auth, logger: deps.logger }));
  app.use(previewRoutes({ config: deps.config, policy: deps.policy, silences: deps.silences, auth }));
  app.use(reloadRoutes({ reloadEverywhere: deps.reloadEverywhere, auth, logger: deps.logger }));
  app.use(historyRoutes({ history: deps.history, auth }));
  app.use(onCallRoutes({ config: deps.config, policy: deps.policy, auth }));
  app.use(consoleRoutes({ ...deps, deliveries: deps.queues.deliveries, actions: deps.queues.actions, auth }));
  app.use(boardRoutes({ queues: allQueues, auth, displayTz: deps.config.displayTz }));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(errorHandler(deps));
  return app;
}
