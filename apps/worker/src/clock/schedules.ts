import type { JobsOptions, Queue } from 'bullmq';
import { digestCron } from './digest-times';

/** How often the sweep runs: ended silences are released, leftovers of an upgrade moved. */
export const SWEEP_EVERY_MS = 30_000;

/**
 * The clock's schedules are BullMQ job schedulers: they live in Redis, so a restart keeps them
 * and N replicas still fire each tick once. Upserting replaces a changed time in place.
 */
export async function upsertSchedules(clock: Queue, opts: { dailyDigestAt: string; tz: string; jobOptions: JobsOptions }): Promise<void> {
  for (const schedule of ['hourly', 'daily'] as const) {
    await clock.upsertJobScheduler(`digest-${schedule}`, { pattern: digestCron(schedule, opts.dailyDigestAt).pattern, tz: opts.tz }, {
      name: 'digest',
      data: { schedule },
      opts: { ...opts.jobOptions, removeOnComplete: { age: 86400 } },
    });
  }
  await clock.upsertJobScheduler('sweep', { every: SWEEP_EVERY_MS }, { name: 'sweep', data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
}
