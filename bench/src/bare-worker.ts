import http from 'node:http';
import axios from 'axios';
import { Queue, Worker } from 'bullmq';
import { createRedis, deliveryJobOptions } from '@ng/core';

/**
 * The drain limits: BullMQ workers whose only work is the same app-message POST to the fake
 * WeCom (one token fetched at start), none of the gateway's pipeline.
 *
 * BARE_TWO_JOBS=1 is the one-exit floor: every alert job only queues one delivery job (the
 * gateway's delivery job options, the alert as its data) and the deliveries queue makes the
 * POST, so every alert passes through two jobs as issue 10 requires of the gateway.
 */
async function main() {
  const connection = createRedis(process.env.REDIS_URL!, 'worker');
  const prefix = process.env.QUEUE_PREFIX;
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 20);
  // The gateway's own client settings, so the difference is the pipeline, not the HTTP client.
  const client = axios.create({ baseURL: process.env.WEIXIN_API_BASE, httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }), maxRedirects: 0 });
  const { data } = await client.get(`/cgi-bin/gettoken?corpid=${process.env.WEIXIN_CORP_ID}&corpsecret=${process.env.WEIXIN_CORP_SECRET}`);
  const post = (title: string) =>
    client.post(`/cgi-bin/message/send?access_token=${data.access_token}`, { touser: '@all', msgtype: 'text', agentid: Number(process.env.WEIXIN_AGENT_ID), text: { content: title } });

  // Closed in this order on SIGTERM: the workers, then the queue they add to.
  const open: Array<Worker | Queue> = [];
  if (process.env.BARE_TWO_JOBS === '1') {
    const deliveries = new Queue('deliveries', { connection, prefix });
    const options = deliveryJobOptions({ attempts: 3, backoffBaseMs: 100 });
    open.push(new Worker('alerts', async (job) => void (await deliveries.add('delivery', { alert: job.data.alert }, { ...options, jobId: `delivery-${job.id}` })), { connection, prefix, concurrency }));
    open.push(new Worker('deliveries', async (job) => void (await post(job.data.alert.title)), { connection, prefix, concurrency }), deliveries);
  } else {
    open.push(new Worker('alerts', async (job) => void (await post(job.data.alert.title)), { connection, prefix, concurrency }));
  }
  console.log('worker started');
  process.on('SIGTERM', async () => {
    for (const o of open) await o.close();
    process.exit(0);
  });
}
void main();
