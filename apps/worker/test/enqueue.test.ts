import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, deliveryJobOptions, QUEUE_NAMES, type DeliveryJobData } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { createDeliveryEnqueuer } from '../src/deliver/enqueue';
import { criticalAlert } from './support/alerts';
import { REDIS_URL, uniquePrefix } from './support/harness';

const connection = createRedis(REDIS_URL, 'worker');
const queues: Queue[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const q of queues) await q.close();
  connection.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

function setup() {
  const prefix = uniquePrefix('enqueue');
  prefixes.push(prefix);
  const queue = new Queue(QUEUE_NAMES.deliveries, { connection, prefix });
  queues.push(queue);
  return { queue, enqueue: createDeliveryEnqueuer(queue, deliveryJobOptions({ attempts: 3, backoffBaseMs: 100 })) };
}

const card = (n: number, destinationId: string): DeliveryJobData => ({ destinationId, message: { kind: 'alert', alert: criticalAlert(n), repeat: false, mentions: [], claimant: String(n) } });

describe('queueing deliveries (one job added alone, several in one MULTI)', () => {
  it('a decision retried after a crash queues each message once, whether it names one destination or several', async () => {
    const { queue, enqueue } = setup();
    const one = [{ data: card(1, 'oncall'), jobId: 'd-1-oncall' }];
    const two = [
      { data: card(2, 'oncall'), jobId: 'd-2-oncall' },
      { data: card(2, 'ops'), jobId: 'd-2-ops' },
    ];
    for (let run = 0; run < 2; run++) {
      await enqueue(one);
      await enqueue(two);
    }
    await enqueue([]);
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual(['d-1-oncall', 'd-2-oncall', 'd-2-ops']);
    const single = jobs.find((j) => j.id === 'd-1-oncall')!;
    // Named for Bull Board, with the delivery options (a completed delivery is kept an hour).
    expect(single.name).toBe('alert → oncall: Problem1');
    expect(single.opts).toMatchObject({ attempts: 3, removeOnComplete: { age: 3600, count: 10_000 } });
    expect(single.data).toEqual(one[0].data);
  });
});
