import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPrefix, freePort, root, startProc, waitForOutput, REDIS_URL, type Proc } from '@ng/testkit';

/**
 * The metrics ports as the README documents them per mode: all-in-one serves ingest's and the
 * worker's metrics on PORT and opens nothing else; in split mode ingest serves PORT and each
 * worker METRICS_PORT (with /health).
 */
const prefixes = { gateway: `{e2e-metrics-aio-${process.pid}}`, split: `{e2e-metrics-split-${process.pid}}` };
const procs: Proc[] = [];

function start(app: 'gateway' | 'ingest' | 'worker', env: Record<string, string>): Proc {
  const prefix = app === 'gateway' ? prefixes.gateway : prefixes.split;
  const proc = startProc(path.join(root, `apps/${app}/dist/main.js`), { REDIS_URL, QUEUE_PREFIX: prefix, ...env });
  procs.push(proc);
  return proc;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

async function metricsOf(port: number, until: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (until.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${until} on :${port}/metrics`);
}

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all(Object.values(prefixes).map((p) => dropPrefix(p)));
});

describe('metrics ports per mode', () => {
  it('all-in-one: ingest and worker metrics on PORT, METRICS_PORT stays closed', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const gateway = start('gateway', { PORT: String(port), METRICS_PORT: String(metricsPort) });
    await waitForOutput(gateway, 'ingest listening');
    expect((await fetch(`http://127.0.0.1:${port}/test`, { method: 'POST' })).status).toBe(202);
    const text = await metricsOf(port, /ng_deliveries_total\{kind="test",channel="log",outcome="success",errcode="0",app="all-in-one"\} 1/);
    expect(text).toMatch(/ng_jobs_enqueued_total\{source="test",app="all-in-one"\} 1/);
    expect(await listening(metricsPort)).toBe(false);
  });

  it('split: ingest on PORT, each worker on its METRICS_PORT with /health', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const ingest = start('ingest', { PORT: String(port) });
    const worker = start('worker', { METRICS_PORT: String(metricsPort) });
    await Promise.all([waitForOutput(ingest, 'ingest listening'), waitForOutput(worker, 'worker started')]);
    expect((await fetch(`http://127.0.0.1:${port}/test`, { method: 'POST' })).status).toBe(202);
    await metricsOf(metricsPort, /ng_deliveries_total\{kind="test",channel="log",outcome="success",errcode="0",app="worker"\} 1/);
    expect(await metricsOf(port, /app="ingest"/)).toMatch(/ng_jobs_enqueued_total\{source="test",app="ingest"\} 1/);
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/health`)).json()).toMatchObject({ status: 'ok', policy: { hash: expect.any(String) } });
  });
});
