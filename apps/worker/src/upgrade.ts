import { Queue } from 'bullmq';
import { CONTRACT_REFUSED, hashId, LEGACY_DIGESTS_QUEUE, summarizeDigest, summarizeStorm, type Alert, type Logger, type RedisConnection } from '@ng/core';
import { withTotals } from './clock/digest-flush';
import type { EnqueueDeliveries } from './deliver/enqueue';
import { deliveryContractError } from './deliver/processor';
import type { ProblemStore } from './store/problems';

/**
 * The first release kept digest flushes and sends on a `digests` queue that this release no
 * longer reads. During a rolling upgrade the old workers may still add jobs there, so the
 * clock's sweep moves whatever it finds: a digest or storm summary with its contents becomes a
 * delivery, a flush becomes a clock tick, the old schedulers go. Remove this file once no
 * deployment runs the first release.
 */
export function createLegacyMigration(deps: { connection: RedisConnection; prefix: string; clockQueue: Queue; enqueueDeliveries: EnqueueDeliveries; problems: ProblemStore; logger: Logger }) {
  const legacy = new Queue(LEGACY_DIGESTS_QUEUE, { connection: deps.connection, prefix: deps.prefix });

  async function move(job: { id?: string; name: string; data: Record<string, unknown> }): Promise<void> {
    const { destinationId, alerts, schedule, heading } = job.data as { destinationId?: string; alerts?: Alert[]; schedule?: 'hourly' | 'daily'; heading?: string };
    const jobId = hashId('legacy', job.id);
    if (job.name === 'send-digest' && destinationId && alerts) {
      const items = await withTotals(deps.problems, alerts);
      await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'digest', heading: heading ?? '汇总', ...summarizeDigest(items) } }, jobId }]);
    } else if (job.name === 'flush-storm' && destinationId && alerts?.length) {
      const times = alerts.map((a) => a.receivedAt).sort();
      const items = await withTotals(deps.problems, alerts);
      await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'storm', ...summarizeStorm(items), windowStart: times[0], windowEnd: times[times.length - 1] } }, jobId }]);
    } else if (job.name === 'flush-storm' && destinationId) {
      await deps.clockQueue.add('storm', { destinationId }, { jobId });
    } else if (job.name === 'flush' && schedule) {
      await deps.clockQueue.add('digest', { schedule }, { jobId });
    }
    // 'release-silences' needs no move: the sweep does it.
  }

  return {
    /** Moves the first release's pending jobs; answers how many it moved. */
    async migrate(): Promise<number> {
      for (const scheduler of await legacy.getJobSchedulers()) await legacy.removeJobScheduler(scheduler.key);
      const jobs = await legacy.getJobs(['waiting', 'delayed', 'prioritized', 'paused']);
      let moved = 0;
      for (const job of jobs) {
        await move(job);
        // An old worker may have taken it meanwhile: then it is that worker's to finish.
        if (await job.remove().then(() => true, () => false)) moved++;
      }
      if (moved) deps.logger.info('moved jobs of the first release to this release’s queues', { moved, queue: LEGACY_DIGESTS_QUEUE });
      return moved;
    },
    close: () => legacy.close(),
  };
}

/** Failed deliveries looked at on each sweep, newest first: an upgrade's refusals are recent. */
const REFUSALS_LOOKED_AT = 100;

/**
 * During a rolling upgrade a worker of the release before refuses, as not matching its queue
 * contract, a delivery this release queued (a digest or storm summary that carries only what its
 * card shows). The clock's sweep retries such a delivery as soon as this release reads it, so
 * the overlap of old and new workers costs a delay, not a message left for a person to retry.
 * While old workers still run, one may refuse it again; the next sweep tries again.
 */
export function createRefusalRetry(deps: { deliveries: Queue; logger: Logger }) {
  return async function retryRefused(): Promise<number> {
    let retried = 0;
    for (const job of await deps.deliveries.getJobs(['failed'], 0, REFUSALS_LOOKED_AT - 1)) {
      if (!job?.failedReason?.startsWith(CONTRACT_REFUSED) || deliveryContractError(job.data) !== undefined) continue;
      // Another worker's sweep may have retried it first.
      if (await job.retry('failed').then(() => true, () => false)) retried++;
    }
    if (retried) deps.logger.info('retried deliveries that a worker of an older release refused', { retried });
    return retried;
  };
}
