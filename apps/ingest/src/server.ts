import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Express } from 'express';
import { Queue } from 'bullmq';
import {
  QUEUE_NAMES,
  createHistoryReader,
  createLinks,
  createMetrics,
  createPolicyHolder,
  createRedis,
  createReloadBus,
  createSelfMonitor,
  createSilenceStore,
  linkSecret,
  type Config,
  type Logger,
  type Metrics,
  type RedisConnection,
  type ReloadReply,
} from '@ng/core';
import { createApp, type AppDeps } from './app';
import { createEnqueuer } from './enqueue';

function ready(redis: RedisConnection): Promise<unknown> {
  return redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', resolve));
}

/** Resolves when the promise settles or after ms, whichever comes first; never rejects. */
function settledWithin(ms: number, promise: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}

export interface RunningIngest {
  port: number;
  /** The express app it serves: the OpenAPI test reads its routes from it. */
  app: Express;
  close(): Promise<void>;
  /** Reloads POLICY_FILE in every process (SIGHUP). */
  reload(): Promise<ReloadReply[]>;
}

/** Starts ingest on config.port (0 = any): connections fail fast so a webhook gets 503, not a hang. */
export async function startIngest(options: { config: Config; logger: Logger; metrics?: Metrics }): Promise<RunningIngest> {
  const { config, logger } = options;
  const metrics = options.metrics ?? createMetrics('ingest');
  const redis = createRedis(config.redisUrl, 'producer');
  redis.on('error', (err) => logger.warn('Redis connection error', { error: err.message }));
  const connection = createRedis(config.redisUrl, 'producer');
  connection.on('error', () => undefined); // reported once above
  const queue = (name: string) => new Queue(name, { connection, prefix: config.queuePrefix }).on('error', () => undefined);
  const queues = Object.fromEntries(Object.entries(QUEUE_NAMES).map(([key, name]) => [key, queue(name)])) as AppDeps['queues'];
  // Give Redis a moment, so the first webhooks do not meet a connection in progress and no
  // queue is closed in the middle of BullMQ's start-up check (its failure would then surface
  // as an unhandled rejection). If Redis is down, start anyway: webhooks get 503 until it is back.
  await settledWithin(2000, Promise.all([ready(redis), ...Object.values(queues).map((q) => q.waitUntilReady())]));
  if (redis.status !== 'ready') logger.error(`Redis is not reachable at ${config.redisUrl.replace(/\/\/[^@]*@/, '//')}: webhooks get 503 until it is back (start Redis or set REDIS_URL)`);
  const silences = createSilenceStore({ redis, prefix: config.queuePrefix });
  const history = createHistoryReader({ redis, prefix: config.queuePrefix });
  const secret = () => linkSecret(redis, config.queuePrefix, config.linkSecret);
  const links = createLinks({ publicUrl: config.publicUrl, secret, ttlMs: config.linkTtlMs });
  const enqueue = createEnqueuer(queues.alerts, config);
  const selfMonitor = createSelfMonitor({ dsn: config.sentry.dsn, logger });
  // ingest routes nothing, but previews use the policy, and /health and the metrics say which one is in force.
  const policy = createPolicyHolder({ config, logger, metrics, build: () => undefined });
  const bus = createReloadBus({ redisUrl: config.redisUrl, prefix: config.queuePrefix, process: `ingest@${os.hostname()}:${process.pid}`, logger, reload: () => policy.reload() });
  const reloadEverywhere = () => bus.reloadEverywhere();
  const app = createApp({ config, logger, metrics, redis, queues, silences, history, links, linkSecret: secret, enqueue, policy, reloadEverywhere, selfMonitor });

  const server = app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Slow clients must not pin sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  logger.info('ingest listening', { port });

  return {
    port,
    app,
    reload: reloadEverywhere,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.allSettled([...Object.values(queues).map((q) => q.close()), bus.close()]);
      redis.disconnect();
      connection.disconnect();
    },
  };
}
