import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createLogger, loadConfig } from '@ng/core';
import { startIngest } from '../src/server';
import { fixtureText, startTestIngest } from './support';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A Redis of our own that we can stop and start again on the same port. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

describe('Redis outage', () => {
  let redis: ChildProcess | undefined;
  afterAll(() => {
    redis?.kill('SIGKILL');
  });

  it('answers 503 with Retry-After while Redis is down, and 202 again once it is back, without a restart', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const ingest = await startTestIngest({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const body = fixtureText('alertmanager/firing-critical.json');
    try {
      expect((await ingest.post('/webhook/alertmanager', body)).status).toBe(202);

      redis.kill('SIGKILL');
      await new Promise((resolve) => redis?.once('exit', resolve));
      // Sentry gives a webhook 1 s: the answer must come well within it.
      const down = await fetch(`${ingest.base}/webhook/alertmanager`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(1000) });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${ingest.base}/ready`)).status).toBe(503);
      expect((await fetch(`${ingest.base}/health`)).status).toBe(200);

      redis = await startRedis(port);
      let status = 0;
      for (let i = 0; i < 100 && status !== 202; i++) {
        status = (await ingest.post('/webhook/alertmanager', body.replace('4007b8b128cb8777', '4007b8b128cb8778'))).status;
        if (status !== 202) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(202);
      expect(await ingest.queue.getWaitingCount()).toBe(1);
    } finally {
      await ingest.close();
    }
  });

  it('answers 503 within Sentry\'s second when Redis has been down since start-up (BullMQ would wait for it)', async () => {
    // Not startTestIngest: its own queue would wait for that Redis too.
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, PORT: '0' });
    const ingest = await startIngest({ config, logger: createLogger({ service: 'ingest', secrets: [], stream: new PassThrough() }) });
    try {
      const res = await fetch(`http://127.0.0.1:${ingest.port}/webhook/alertmanager`, { method: 'POST', body: fixtureText('alertmanager/firing-critical.json'), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(1000) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await ingest.close();
    }
  });
});
