import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createLogger, createRedis, loadConfig, secretsOf } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { startIngest } from '../src/server';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const fixtures = path.resolve(__dirname, '../../../packages/core/test/fixtures');
export const fixtureText = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');
export const fixture = (name: string) => JSON.parse(fixtureText(name));

/** ingest on port 0 against real Redis with its own queue prefix, its log lines captured. */
export async function startTestIngest(env: Record<string, string> = {}) {
  const prefix = `{t-ingest-${randomBytes(4).toString('hex')}}`;
  const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', BODY_LIMIT: '64kb', ...env });
  const stream = new PassThrough();
  let log = '';
  stream.on('data', (d) => (log += d));
  const logger = createLogger({ service: 'ingest', secrets: secretsOf(config), stream });
  const ingest = await startIngest({ config, logger });
  const connection = createRedis(config.redisUrl, 'worker');
  const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
  // Closed before BullMQ's start-up check ends, a queue on a shared connection rejects unhandled.
  await queue.waitUntilReady();
  const base = `http://127.0.0.1:${ingest.port}`;
  return {
    config,
    base,
    queue,
    log: () => log,
    post(pathname: string, body: string, headers: Record<string, string> = {}) {
      return fetch(`${base}${pathname}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    },
    async jobs() {
      return queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
    },
    async close() {
      await ingest.close();
      await queue.close();
      connection.disconnect();
      // Every key of the test on the shared Redis: both queues, silences, whatever it wrote.
      if (config.redisUrl === REDIS_URL) await dropPrefix(prefix);
    },
  };
}
