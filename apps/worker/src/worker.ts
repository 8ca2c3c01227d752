import { Queue, Worker } from 'bullmq';
import {
  QUEUE_NAMES,
  alertJobOptions,
  createMetrics,
  createRedis,
  createSelfMonitor,
  createSilenceStore,
  type Config,
  type Logger,
  type Metrics,
} from '@ng/core';
import { systemClock, type Clock } from './clock';
import { buildDestinationChannels } from './channels';
import { loadPolicy, type Policy } from './policy';
import { createHistoryStore } from './store/history';
import { createRateLimiter } from './store/rate-limit';
import { createStormBuffer } from './store/storm-buffer';
import { createDigestStore, digestCron, nextDigestTime } from './store/digests';
import { validateStage } from './pipeline/validate';
import { dedupStage } from './pipeline/dedup';
import { policyStage } from './pipeline/policy';
import { silenceStage } from './pipeline/silence';
import { digestStage } from './pipeline/digest';
import { rateLimitStage } from './pipeline/rate-limit';
import { deliverStage } from './pipeline/deliver';
import { createAlertProcessor } from './alert-processor';
import { createDigestProcessor } from './digest-processor';
import { startMetricsServer } from './metrics-server';
import { releaseEndedSilences } from './silence-release';
import type { DeliveryError } from './wecom/classify';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  metrics?: Metrics;
  clock?: Clock;
  /** Serve /metrics and /health on config.metricsPort (off in all-in-one mode, where ingest serves them). */
  metricsServer?: boolean;
}

export interface RunningWorker {
  /** Stops taking jobs, lets in-flight ones finish within the grace period, closes connections. */
  close(): Promise<void>;
  metricsPort?: number;
}

/** Composition of the consumer half: stores → stages → BullMQ workers. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createMetrics('worker');
  const prefix = config.queuePrefix;
  const policy: Policy = loadPolicy(config);
  const dedupWindowMs = policy.dedupWindowMs ?? config.dedupWindowMs;
  const dailyAt = policy.dailyDigestAt ?? config.dailyDigestAt;

  const bullConnection = createRedis(config.redisUrl, 'worker');
  // Many jobs run at once: their state commands of one tick go out in one write.
  const state = createRedis(config.redisUrl, 'worker', { enableAutoPipelining: true });
  const selfMonitor = createSelfMonitor({ dsn: config.sentry.dsn, logger });

  const history = createHistoryStore({ redis: state, prefix, dedupWindowMs, clock });
  const limiter = createRateLimiter({ redis: state, prefix, clock });
  const storm = createStormBuffer({ redis: state, prefix, clock });
  const digests = createDigestStore({ redis: state, prefix, clock });
  const silences = createSilenceStore({ redis: state, prefix });
  const channels = buildDestinationChannels(policy.destinations, { config, redis: state, logger, metrics, clock });
  const limitFor = (destinationId: string) =>
    channels.get(destinationId)?.kind === 'wecom-robot' ? config.robotRateLimitPerMin : config.appRateLimitPerMin;

  const alertsQueue = new Queue(QUEUE_NAMES.alerts, { connection: bullConnection, prefix });
  const digestsQueue = new Queue(QUEUE_NAMES.digests, { connection: bullConnection, prefix });
  const jobOptions = alertJobOptions({ attempts: config.deliveryAttempts, backoffBaseMs: config.backoffBaseMs });

  // Clock-aligned digests and the silence sweep are BullMQ job schedulers: they live in Redis,
  // so a restart keeps them and N replicas still fire each tick once.
  for (const schedule of ['hourly', 'daily'] as const) {
    const { pattern } = digestCron(schedule, dailyAt);
    await digestsQueue.upsertJobScheduler(`digest-${schedule}`, { pattern, tz: config.displayTz }, {
      name: 'flush',
      data: { schedule },
      opts: { ...jobOptions, removeOnComplete: { age: 86400 } },
    });
  }
  await digestsQueue.upsertJobScheduler('release-silences', { every: 30_000 }, { name: 'release-silences', data: {} });

  const failureDeps = {
    metrics,
    freqLimitDelayMs: config.freqLimitDelayMs,
    onPermanent: (err: DeliveryError, job: { id?: string; data: unknown }) => {
      const alert = (job.data as { alert?: { source: string; key: string } }).alert;
      selfMonitor.capturePermanentFailure({
        source: alert?.source ?? 'digest',
        key: alert?.key ?? String(job.id),
        channel: 'wecom',
        errcode: err.classification.errcode,
        reason: err.classification.reason,
        hint: err.classification.hint,
      });
      if (alert) void history.release(alert as never, String(job.id));
    },
  };

  const nextDigestLabel = (schedule: 'hourly' | 'daily') => {
    const at = nextDigestTime(schedule, clock.now(), config.displayTz, dailyAt);
    return new Intl.DateTimeFormat('sv-SE', { timeZone: config.displayTz, dateStyle: schedule === 'daily' ? 'short' : undefined, timeStyle: 'short' }).format(at);
  };

  const stages = [
    validateStage(),
    dedupStage({ history }),
    policyStage({ policy }),
    silenceStage({ silences, history, clock }),
    digestStage({ digests, nextDigestLabel }),
    rateLimitStage({
      limiter,
      storm,
      limitFor,
      scheduleStormFlush: async (destinationId, delayMs) => {
        await digestsQueue.add('flush-storm', { destinationId }, { ...jobOptions, delay: delayMs });
      },
    }),
    deliverStage({ channels, history, limiter, metrics, clock, tz: config.displayTz, lateNoticeAfterMs: config.lateNoticeAfterMs }),
  ];

  // A crashed replica's jobs go back to the queue once their lock lapses; a job may be caught
  // in several crashes before it counts as failed.
  const recovery = { lockDuration: config.jobLockMs, stalledInterval: config.jobLockMs, maxStalledCount: 5 };
  const alertWorker = new Worker(QUEUE_NAMES.alerts, createAlertProcessor({ stages, logger, ...failureDeps }), {
    connection: bullConnection,
    prefix,
    concurrency: config.workerConcurrency,
    ...recovery,
  });
  const digestProcessor = createDigestProcessor({
    queue: digestsQueue,
    channels,
    digests,
    history,
    limiter,
    storm,
    limitFor,
    clock,
    tz: config.displayTz,
    logger,
    ...failureDeps,
  });
  const digestWorker = new Worker(
    QUEUE_NAMES.digests,
    async (job, token) =>
      job.name === 'release-silences'
        ? releaseEndedSilences({ silences, alertsQueue, jobOptions, clock, logger })
        : digestProcessor(job, token),
    { connection: bullConnection, prefix, concurrency: 4, ...recovery },
  );

  for (const w of [alertWorker, digestWorker]) {
    w.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
      if (final) {
        metrics.fates.inc({ fate: 'failed' });
        logger.error('job failed for good: kept in the failed set (Bull Board → failed → retry)', {
          jobId: job.id,
          queue: w.name,
          key: (job.data as { alert?: { key?: string } }).alert?.key,
          reason: err.message,
        });
      }
    });
    w.on('error', (err) => {
      logger.error('worker error', { error: err.message });
      selfMonitor.captureError(err, { queue: w.name });
    });
  }

  const metricsServer = options.metricsServer
    ? await startMetricsServer(metrics, config.metricsPort, async () => {
        const counts = await alertsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: QUEUE_NAMES.alerts, state }, n);
      })
    : undefined;
  const address = metricsServer?.address();
  logger.info('worker started', {
    channels: [...channels.values()].map((c) => c.id),
    concurrency: config.workerConcurrency,
    metricsPort: typeof address === 'object' && address ? address.port : undefined,
  });

  return {
    metricsPort: typeof address === 'object' && address ? address.port : undefined,
    async close() {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      // Worker.close() waits for jobs in flight; past the grace period we leave them to
      // BullMQ's stalled-job recovery on another replica.
      await Promise.race([Promise.all([alertWorker.close(), digestWorker.close()]), deadline]);
      metricsServer?.close();
      await Promise.allSettled([alertsQueue.close(), digestsQueue.close(), selfMonitor.flush(2000)]);
      bullConnection.disconnect();
      state.disconnect();
    },
  };
}
