import http from 'node:http';
import axios from 'axios';
import { Worker } from 'bullmq';
import { createRedis } from '@ng/core';

/**
 * The drain limit: a BullMQ worker whose only work is the same app-message POST to the fake
 * WeCom (one token fetched at start), none of the gateway's pipeline.
 */
async function main() {
  const connection = createRedis(process.env.REDIS_URL!, 'worker');
  // The gateway's own client settings, so the difference is the pipeline, not the HTTP client.
  const client = axios.create({ baseURL: process.env.WEIXIN_API_BASE, httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }), maxRedirects: 0 });
  const { data } = await client.get(`/cgi-bin/gettoken?corpid=${process.env.WEIXIN_CORP_ID}&corpsecret=${process.env.WEIXIN_CORP_SECRET}`);
  const worker = new Worker(
    'alerts',
    async (job) => {
      await client.post(`/cgi-bin/message/send?access_token=${data.access_token}`, {
        touser: '@all', msgtype: 'text', agentid: Number(process.env.WEIXIN_AGENT_ID), text: { content: job.data.alert.title },
      });
    },
    { connection, prefix: process.env.QUEUE_PREFIX, concurrency: Number(process.env.WORKER_CONCURRENCY ?? 20) },
  );
  console.log('worker started');
  process.on('SIGTERM', async () => {
    await worker.close();
    process.exit(0);
  });
}
void main();
