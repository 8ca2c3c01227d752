import type { JobsOptions, Queue } from 'bullmq';
import { deliveryKind, type DeliveryJobData } from '@ng/core';

/** A delivery to queue, with the id that makes adding it again (a retried decision or tick) a no-op. */
export interface PlannedDelivery {
  data: DeliveryJobData;
  jobId: string;
}

/** How a delivery job is named in Bull Board: what it is, where it goes, what it is about. */
function jobName(data: DeliveryJobData): string {
  const { message } = data;
  const about =
    message.kind === 'alert' ? message.alert.title : message.kind === 'digest' ? message.heading : message.kind === 'storm' ? `${'alerts' in message ? message.alerts : message.items.length} alerts` : (message.replaceName ?? message.card?.sub_title_text ?? message.taskId);
  return `${deliveryKind(message)} → ${data.destinationId}: ${about}`.slice(0, 200);
}

export function createDeliveryEnqueuer(queue: Queue, jobOptions: JobsOptions) {
  return async function enqueueDeliveries(planned: PlannedDelivery[]): Promise<void> {
    const jobs = planned.map(({ data, jobId }) => ({ name: jobName(data), data, opts: { ...jobOptions, jobId } }));
    // Most decisions queue one message. addBulk wraps its adds in MULTI, and ioredis builds each
    // MULTI by copying every script BullMQ defines: 3 % of the worker's CPU a delivery, for an
    // atomicity one job does not need.
    if (jobs.length === 1) await queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
    else if (jobs.length > 1) await queue.addBulk(jobs);
  };
}

export type EnqueueDeliveries = ReturnType<typeof createDeliveryEnqueuer>;
