import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, alertJobOptions, createRedis, hashId, normalizeSentry, type Alert } from '@ng/core';
import { root } from '@ng/testkit';

/**
 * The floor under ingest: express.json() plus the cheapest durable store BullMQ allows (the
 * adds of concurrent requests coalesced into one addBulk per tick, 202 after Redis has them),
 * of an alert as large as ingest's. No verification, normalization, logging or metrics: what
 * ingest costs beyond this is the gateway's own code.
 */
const fixture = path.join(root, 'packages/core/test/fixtures/sentry/error.created.json');
const outcome = normalizeSentry({ resource: 'error', body: JSON.parse(fs.readFileSync(fixture, 'utf8')), receivedAt: new Date() });
if (!outcome.handled) throw new Error('the fixture carries no alert');
const template: Alert = outcome.alerts[0];

const queue = new Queue(QUEUE_NAMES.alerts, { connection: createRedis(process.env.REDIS_URL!, 'producer'), prefix: process.env.QUEUE_PREFIX });
const opts = alertJobOptions({ attempts: 12, backoffBaseMs: 2000 });
let pending: Array<{ job: Parameters<Queue['addBulk']>[0][number]; done: (err?: unknown) => void }> = [];
let seq = 0;

async function flush() {
  const batch = pending;
  pending = [];
  try {
    await queue.addBulk(batch.map((p) => p.job));
    for (const p of batch) p.done();
  } catch (err) {
    for (const p of batch) p.done(err);
  }
}

const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
app.post(/.*/, async (_req, res) => {
  const idempotencyKey = hashId('floor', ++seq);
  const alert = { ...template, idempotencyKey, receivedAt: new Date().toISOString() };
  await new Promise<void>((resolve, reject) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push({ job: { name: alert.kind, data: { alert }, opts: { ...opts, jobId: idempotencyKey } }, done: (err) => (err ? reject(err) : resolve()) });
  });
  res.status(202).json({ status: 'accepted' });
});
const server = app.listen(Number(process.env.PORT), () => console.log('bare express + queue listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
