import { DelayedError, type Job, type Queue } from 'bullmq';
import { hashId, renderDigest, renderStormSummary, type Alert, type Logger, type Metrics } from '@ng/core';
import type { Channel } from './channels/channel';
import type { DigestStore, Schedule } from './store/digests';
import type { HistoryStore } from './store/history';
import type { RateLimiter } from './store/rate-limit';
import type { StormBuffer } from './store/storm-buffer';
import type { Clock } from './clock';
import { sendRendered } from './pipeline/send';
import { settleFailure, type FailureDeps } from './job-failure';

export type DigestJobData =
  | { schedule: Schedule }                                                   // 'flush': scheduler tick or /api/digests/flush
  | { destinationId: string; schedule: Schedule; heading: string; alerts: Alert[] } // 'send-digest'
  | { destinationId: string; alerts?: Alert[] };                             // 'flush-storm'

interface Deps extends FailureDeps {
  queue: Queue;
  channels: ReadonlyMap<string, Channel>;
  digests: DigestStore;
  history: HistoryStore;
  limiter: RateLimiter;
  storm: StormBuffer;
  limitFor: (destinationId: string) => number;
  clock: Clock;
  tz: string;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Clock-driven work on the digests queue. A flush takes each destination's pending digest
 * atomically (one replica gets it) and hands it to a send job whose data holds the contents,
 * so a failed send retries with the same contents instead of losing them.
 */
export function createDigestProcessor(deps: Deps) {
  const headingFor = (schedule: Schedule, atMs: number) => {
    const parts = new Intl.DateTimeFormat('sv-SE', { timeZone: deps.tz, dateStyle: 'short', timeStyle: 'short' }).format(atMs);
    return schedule === 'hourly' ? `每小时汇总 ${parts}` : `每日汇总 ${parts.slice(0, 10)}`;
  };

  async function flush(job: Job) {
    const { schedule } = job.data as { schedule: Schedule };
    const at = deps.clock.now();
    const destinations = await deps.digests.destinations(schedule);
    for (const destinationId of destinations) {
      const alerts = await deps.digests.take(destinationId, schedule);
      if (alerts.length === 0) continue;
      const heading = headingFor(schedule, at);
      await deps.queue.add('send-digest', { destinationId, schedule, heading, alerts }, {
        jobId: hashId('digest', destinationId, schedule, at),
        attempts: job.opts.attempts,
        backoff: job.opts.backoff,
        removeOnComplete: { age: 86400 },
        removeOnFail: false,
      });
    }
    return `${destinations.length} destination(s)`;
  }

  async function itemsWithTotals(alerts: Alert[]) {
    return Promise.all(
      alerts.map(async (alert) => ({ alert, totals: (await deps.history.totals(alert.key)) ?? { count: alert.count ?? 1 } })),
    );
  }

  async function send(job: Job, kind: string, channelId: string, render: (budget: number) => string[]) {
    const channel = deps.channels.get(channelId);
    if (!channel) throw new Error(`no channel for destination ${channelId}`);
    const results = await sendRendered(channel, render, deps.logger);
    deps.metrics.deliveries.inc({ channel: channel.kind, outcome: 'success', errcode: String(results[0]?.errcode ?? 0) });
    deps.logger.info('消息发送成功', { kind, channel: channel.id, jobId: job.id, parts: results.length, errcode: results[0]?.errcode ?? 0 });
  }

  async function sendDigest(job: Job) {
    const { destinationId, heading, alerts } = job.data as { destinationId: string; heading: string; alerts: Alert[] };
    const items = await itemsWithTotals(alerts);
    const channel = deps.channels.get(destinationId);
    await send(job, 'digest', destinationId, (budgetBytes) =>
      renderDigest({ heading, items }, { format: channel?.format ?? 'text', budgetBytes, tz: deps.tz }),
    );
    return `digest of ${alerts.length} problem(s)`;
  }

  async function flushStorm(job: Job, token?: string) {
    const data = job.data as { destinationId: string; alerts?: Alert[] };
    if (!data.alerts) {
      const budget = await deps.limiter.tryTake(data.destinationId, deps.limitFor(data.destinationId));
      if (!budget.ok) {
        await job.moveToDelayed(Date.now() + budget.retryInMs, token);
        throw new DelayedError();
      }
      // Keep what was taken in the job itself before sending: a retry must not lose it.
      data.alerts = await deps.storm.take(data.destinationId);
      await job.updateData(data);
    }
    if (data.alerts.length === 0) return 'empty';
    const items = await itemsWithTotals(data.alerts);
    const channel = deps.channels.get(data.destinationId);
    const times = data.alerts.map((a) => a.receivedAt).sort();
    await send(job, 'storm-summary', data.destinationId, (budgetBytes) =>
      renderStormSummary(
        { items, windowStart: times[0], windowEnd: times[times.length - 1] },
        { format: channel?.format ?? 'text', budgetBytes, tz: deps.tz },
      ),
    );
    return `storm summary of ${data.alerts.length} alert(s)`;
  }

  return async function processDigestJob(job: Job<DigestJobData>, token?: string): Promise<string> {
    try {
      if (job.name === 'flush') return await flush(job);
      if (job.name === 'send-digest') return await sendDigest(job);
      if (job.name === 'flush-storm') return await flushStorm(job, token);
      throw new Error(`unknown digests job ${job.name}`);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      deps.logger.warn('消息发送失败', { kind: job.name, jobId: job.id, error: err instanceof Error ? err.message : String(err) });
      return settleFailure(err, job, token, deps);
    }
  };
}
