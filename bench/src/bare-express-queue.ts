import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createRedis, hashId, normalizeSentry, type Alert } from '@ng/core';
import { createEnqueuer } from '@ng/ingest/dist/enqueue';
import { root } from '@ng/testkit';

/**
 * The floor under ingest: express.json() plus ingest's own enqueuer (the adds of concurrent
 * requests coalesced into one addBulk per tick, 202 after Redis has them) storing an alert as
 * large as ingest's. No verification, normalization, logging or metrics: what ingest costs
 * beyond this is the gateway's own request handling.
 */
const fixture = path.join(root, 'packages/core/test/fixtures/sentry/error.created.json');
const outcome = normalizeSentry({ resource: 'error', body: JSON.parse(fs.readFileSync(fixture, 'utf8')), receivedAt: new Date() });
if (!outcome.handled) throw new Error('the fixture carries no alert');
const template: Alert = outcome.alerts[0];

const queue = new Queue(QUEUE_NAMES.alerts, { connection: createRedis(process.env.REDIS_URL!, 'producer'), prefix: process.env.QUEUE_PREFIX });
const enqueue = createEnqueuer(queue, { deliveryAttempts: 12, backoffBaseMs: 2000 });
let seq = 0;

const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
app.post(/.*/, async (_req, res) => {
  await enqueue([{ ...template, idempotencyKey: hashId('floor', ++seq), receivedAt: new Date().toISOString() }]);
  res.status(202).json({ status: 'accepted' });
});
const server = app.listen(Number(process.env.PORT), () => console.log('bare express + queue listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
