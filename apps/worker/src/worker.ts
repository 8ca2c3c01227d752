import os from 'node:os';
import { Queue, Worker, type Processor } from 'bullmq';
import {
  QUEUE_NAMES,
  createMetrics,
  createPolicyHolder,
  createRedis,
  createReloadBus,
  createSelfMonitor,
  createAckStore,
  createHistoryReader,
  createHistoryWriter,
  createLinks,
  createSilenceStore,
  linkSecret,
  deliveryJobOptions,
  noiseSettings,
  policyDetails,
  retryingJobOptions,
  type Config,
  type Logger,
  type Metrics,
} from '@ng/core';
import { systemClock, type Clock } from './clock';
import { buildDestinationChannels } from './channels';
import { createProblemStore } from './store/problems';
import { createDigestStore } from './store/digests';
import { createStormStore } from './store/storm';
import { createBudget } from './store/budget';
import { createCardStore } from './store/cards';
import { createEscalationStore } from './store/escalations';
import { createActionProcessor } from './actions/processor';
import { createSentryResolver } from './sentry/resolve';
import { createDecider } from './decide';
import { createAlertProcessor } from './alert-processor';
import { createDeliveryEnqueuer } from './deliver/enqueue';
import { createDeliveryProcessor } from './deliver/processor';
import { createClockProcessor } from './clock/processor';
import { createDigestFlush } from './clock/digest-flush';
import { createRedisMemoryWatch } from './clock/redis-memory-watch';
import { createStormFlush } from './clock/storm-flush';
import { createEscalation } from './clock/escalation';
import { releaseEndedSilences } from './clock/silence-release';
import { nextDigestLabel } from './clock/digest-times';
import { upsertSchedules } from './clock/schedules';
import { createLegacyMigration, createRefusalRetry } from './upgrade';
import { watchFailures } from './failures';
import { startMetricsServer } from './metrics-server';

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
  /** Reloads POLICY_FILE in every process (SIGHUP). */
  reload(): Promise<unknown>;
  metricsPort?: number;
}

/** Composition of the consumer half: stores → decide (alerts) → deliver (deliveries) → clock ticks. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createMetrics('worker');
  const { queuePrefix: prefix, displayTz: tz } = config;
  const bullConnection = createRedis(config.redisUrl, 'worker');
  // Many jobs run at once: their state commands of one tick go out in one write.
  const state = createRedis(config.redisUrl, 'worker', { enableAutoPipelining: true });
  const selfMonitor = createSelfMonitor({ dsn: config.sentry.dsn, logger });

  // The policy in force and what is built from it; a reload (POST /-/reload, SIGHUP) replaces them together.
  const active = createPolicyHolder({
    config,
    logger,
    metrics,
    build: (policy) => ({ noise: noiseSettings(config, policy), channels: buildDestinationChannels(policy.destinations, { config, redis: state, logger, metrics, clock }) }),
  });
  const noise = () => active.current.built.noise;

  // What every replica shares, in Redis.
  const problems = createProblemStore({ redis: state, prefix, dedupWindowMs: () => noise().dedupWindowMs, clock, maxProblems: config.dedupMaxProblems });
  const digests = createDigestStore({ redis: state, prefix });
  const storm = createStormStore({ redis: state, prefix, clock });
  const silences = createSilenceStore({ redis: state, prefix });
  const budget = createBudget({ redis: state, prefix, clock });
  const history = createHistoryWriter({ redis: state, prefix, retentionMs: config.historyRetentionMs, maxAlerts: config.historyMaxAlerts });
  const acks = createAckStore({ redis: state, prefix, retentionMs: config.historyRetentionMs });
  const cards = createCardStore({ redis: state, prefix });
  const escalations = createEscalationStore({ redis: state, prefix, retentionMs: config.historyRetentionMs });
  const links = createLinks({ publicUrl: config.publicUrl, secret: () => linkSecret(state, prefix, config.linkSecret), ttlMs: config.linkTtlMs, now: clock.now });

  const queue = (name: string) => new Queue(name, { connection: bullConnection, prefix });
  const alertsQueue = queue(QUEUE_NAMES.alerts);
  const deliveriesQueue = queue(QUEUE_NAMES.deliveries);
  const clockQueue = queue(QUEUE_NAMES.clock);
  const actionsQueue = queue(QUEUE_NAMES.actions);
  const jobOptions = retryingJobOptions({ attempts: config.deliveryAttempts, backoffBaseMs: config.backoffBaseMs });
  const enqueueDeliveries = createDeliveryEnqueuer(deliveriesQueue, deliveryJobOptions({ attempts: config.deliveryAttempts, backoffBaseMs: config.backoffBaseMs }));
  const schedule = () => upsertSchedules(clockQueue, { dailyDigestAt: noise().dailyDigestAt, tz, jobOptions });
  await schedule();
  const bus = createReloadBus({
    redisUrl: config.redisUrl,
    prefix,
    process: `worker@${os.hostname()}:${process.pid}`,
    logger,
    reload: () => {
      const dailyDigestAt = noise().dailyDigestAt;
      const result = active.reload();
      // The daily digest's time lives in Redis, in the clock's schedule.
      if (noise().dailyDigestAt !== dailyDigestAt) schedule().catch((err: Error) => logger.error('could not move the daily digest', { error: err.message }));
      return result;
    },
  });
  const legacy = createLegacyMigration({ connection: bullConnection, prefix, clockQueue, enqueueDeliveries, problems, logger });
  const retryRefused = createRefusalRetry({ deliveries: deliveriesQueue, logger });

  const scheduleStormSummary = async (destinationId: string) => {
    await clockQueue.add('storm', { destinationId }, { ...jobOptions, delay: config.stormIntervalMs });
  };

  // Decide, then deliver: the alerts queue decides, the deliveries queue is the only way out.
  const decide = createDecider({
    active,
    problems,
    silences,
    acks,
    escalations,
    digests,
    storm,
    clock,
    tz,
    stormThreshold: config.stormThreshold,
    nextDigestLabel: (schedule) => nextDigestLabel(schedule, clock.now(), tz, noise().dailyDigestAt),
    scheduleStormSummary,
  });
  const flushDigests = createDigestFlush({ digests, problems, history, enqueueDeliveries, clock, tz });
  const escalation = createEscalation({ active, escalations, acks, silences, problems, enqueueDeliveries, clockQueue, jobOptions, clock, tz, metrics, logger });
  const watchRedisMemory = createRedisMemoryWatch({ redis: state, logger, now: () => clock.now() });
  const flushStorm = createStormFlush({ storm, problems, history, enqueueDeliveries, scheduleSummary: scheduleStormSummary, clock });
  const processors: Record<string, Processor> = {
    [QUEUE_NAMES.alerts]: createAlertProcessor({ decide, enqueueDeliveries, escalation, history, clock, logger, metrics }),
    [QUEUE_NAMES.deliveries]: createDeliveryProcessor({ active, budget, problems, history, links, cards, clock, tz, lateNoticeAfterMs: config.lateNoticeAfterMs, freqLimitDelayMs: config.freqLimitDelayMs, metrics, logger, selfMonitor }),
    [QUEUE_NAMES.actions]: createActionProcessor({
      cards,
      acks,
      silences,
      problems,
      history: createHistoryReader({ redis: state, prefix }),
      enqueueDeliveries,
      sentry: createSentryResolver(config),
      // The first app that may read member names (any app of this corp can).
      memberName: async (userId) => [...active.current.built.channels.values()].find((c) => c.memberName)?.memberName?.(userId),
      clock,
      tz,
      logger,
      metrics,
    }),
    [QUEUE_NAMES.clock]: createClockProcessor({
      digest: flushDigests,
      storm: flushStorm,
      escalate: escalation.tick,
      sweep: async () => ({
        released: await releaseEndedSilences({ silences, alertsQueue, jobOptions, clock, logger, keepMs: config.historyRetentionMs }),
        forgotten: await history.trim(clock.now()),
        problemsForgotten: await problems.forget(),
        moved: await legacy.migrate(),
        retried: await retryRefused(),
        redisMemory: await watchRedisMemory(),
      }),
    }),
  };

  // A crashed replica's jobs go back to the queue once their lock lapses; a job may be caught
  // in several crashes before it counts as failed.
  const recovery = { lockDuration: config.jobLockMs, stalledInterval: config.jobLockMs, maxStalledCount: 5 };
  const workers = Object.entries(processors).map(
    ([name, processor]) =>
      new Worker(name, processor, { connection: bullConnection, prefix, concurrency: name === QUEUE_NAMES.clock ? 4 : config.workerConcurrency, ...recovery }),
  );
  for (const w of workers) watchFailures(w, { metrics, logger, selfMonitor });

  const queues = [alertsQueue, deliveriesQueue, clockQueue, actionsQueue];
  const metricsServer = options.metricsServer
    ? await startMetricsServer(metrics, config.metricsPort, {
        beforeScrape: async () => {
          for (const q of queues) {
            const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
            for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: q.name, state }, n);
          }
        },
        details: () => policyDetails(active.current),
      })
    : undefined;
  const address = metricsServer?.address();
  const metricsPort = typeof address === 'object' && address ? address.port : undefined;
  for (const override of noise().overrides) logger.info(`policy file setting: ${override}`);
  logger.info('worker started', { channels: [...active.current.built.channels.keys()], policy: active.current.policy.hash, concurrency: config.workerConcurrency, metricsPort });

  return {
    metricsPort,
    reload: () => bus.reloadEverywhere(),
    async close() {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      // Worker.close() waits for jobs in flight; past the grace period we leave them to
      // BullMQ's stalled-job recovery on another replica.
      await Promise.race([Promise.all(workers.map((w) => w.close())), deadline]);
      metricsServer?.close();
      await Promise.allSettled([...queues.map((q) => q.close()), legacy.close(), bus.close(), selfMonitor.flush(2000)]);
      bullConnection.disconnect();
      state.disconnect();
    },
  };
}
