import { UnrecoverableError, type Job } from 'bullmq';
import { clockTickSchema, type ClockTick, type EscalationTick } from '@ng/core';

export interface TickHandlers {
  digest: (schedule: 'hourly' | 'daily') => Promise<{ digests: number; alerts: number }>;
  storm: (destinationId: string) => Promise<{ alerts: number }>;
  sweep: () => Promise<unknown>;
  escalate: (tick: EscalationTick) => Promise<unknown>;
}

/**
 * The clock queue carries ticks only: digest schedules, storm summaries, the sweep, escalation
 * levels. A tick
 * queues messages and never sends one; its return value is what it did (POST /api/digests/flush
 * answers with it).
 */
export function createClockProcessor(handlers: TickHandlers) {
  return async function tick(job: Job): Promise<unknown> {
    const { error } = clockTickSchema.validate({ name: job.name, data: job.data });
    if (error) throw new UnrecoverableError(`not a clock tick: ${error.message}`);
    const t = { name: job.name, data: job.data } as ClockTick;
    switch (t.name) {
      case 'digest':
        return handlers.digest(t.data.schedule);
      case 'storm':
        return handlers.storm(t.data.destinationId);
      case 'sweep':
        return handlers.sweep();
      case 'escalate':
        return handlers.escalate(t.data);
    }
  };
}
