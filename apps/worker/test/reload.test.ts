import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createRedis, jobIdFor, retryingJobOptions } from '@ng/core';
import { dropPrefix, startFakeWecom, type FakeWecom, type Proc } from '@ng/testkit';
import { REDIS_URL, startWorkerProcesses, uniquePrefix, waitFor } from './support/harness';
import { criticalAlert } from './support/alerts';

const policy = (template: string) => `
destinations:
  - { id: oncall, type: app }
templates:
  alertmanager:
    text: |
${template
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;

/** Three real worker processes reloading one POLICY_FILE while alerts keep coming. */
describe('policy reload across worker processes', () => {
  let wecom: FakeWecom;
  let workers: Proc[] = [];
  let ports: number[] = [];
  const prefix = uniquePrefix('reload');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reload-')), 'policy.yaml');
  const connection = createRedis(REDIS_URL, 'worker');
  const alerts = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
  const opts = retryingJobOptions({ attempts: 5, backoffBaseMs: 50 });
  let sent = 0;
  const send = async (n: number) => {
    const list = Array.from({ length: n }, () => criticalAlert(++sent));
    await alerts.addBulk(list.map((alert) => ({ name: alert.kind, data: { alert }, opts: { ...opts, jobId: jobIdFor(alert) } })));
  };
  const get = async (port: number, what: 'health' | 'metrics') => (await fetch(`http://127.0.0.1:${port}/${what}`))[what === 'health' ? 'json' : 'text']();
  const hashes = async () => Promise.all(ports.map(async (p) => ((await get(p, 'health')) as { policy: { hash: string } }).policy.hash));
  const reloadMetric = async (port: number) => Number(/^ng_config_last_reload_successful\{app="worker"\} (\d+)/m.exec(await get(port, 'metrics'))?.[1]);

  beforeAll(async () => {
    wecom = await startFakeWecom();
    fs.writeFileSync(file, policy('V1 {{ alert.title }}'));
    ({ workers, ports } = await startWorkerProcesses(3, { prefix, wecomUrl: wecom.url, env: { POLICY_FILE: file } }));
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await alerts.close();
    connection.disconnect();
    await wecom.close();
    await dropPrefix(prefix);
  });

  it('a broken file keeps the old policy everywhere; a fixed one takes effect in every process within 2 s; no job lost, no restart', async () => {
    await send(20);
    await waitFor(() => wecom.messages.length === 20, 'the first 20 cards');
    expect(wecom.messages.every((m) => /^V1 Problem\d+$/.test(m.content))).toBe(true);
    const [v1] = await hashes();
    expect(await hashes()).toEqual([v1, v1, v1]);

    // Broken: an unclosed tag on line 2 of the template, which starts on line 7 of the file.
    fs.writeFileSync(file, policy('V2 {{ alert.title }}\n{% if alert.job %}'));
    workers[0].child.kill('SIGHUP');
    await waitFor(() => workers.every((w) => w.output().includes('policy reload failed')), 'every worker to refuse the broken file', 5000);
    // The reason names the file, line and column of the template inside it.
    for (const w of workers) expect(w.output()).toContain(`${file}:8:7: tag {% if alert.job %} not closed","level":"error","message":"policy reload failed`);
    for (const p of ports) expect(await reloadMetric(p)).toBe(0);
    expect(await hashes()).toEqual([v1, v1, v1]);
    await send(20);
    await waitFor(() => wecom.messages.length === 40, '20 more cards with the old policy');
    expect(wecom.messages.slice(20).every((m) => m.content.startsWith('V1 '))).toBe(true);

    // Fixed, while alerts keep coming.
    fs.writeFileSync(file, policy('V2 {{ alert.title }} ({{ alert.job }})'));
    const producing = (async () => {
      for (let i = 0; i < 10; i++) {
        await send(5);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const asked = Date.now();
    workers[1].child.kill('SIGHUP');
    await waitFor(async () => new Set(await hashes()).size === 1 && (await hashes())[0] !== v1, 'every worker on the new policy', 2000);
    const tookMs = Date.now() - asked;
    console.log(`[reload] 3 worker processes on the new policy ${tookMs} ms after SIGHUP`);
    expect(tookMs).toBeLessThan(2000);
    for (const p of ports) expect(await reloadMetric(p)).toBe(1);
    await producing;
    await send(10);
    await waitFor(() => wecom.messages.length === sent, `all ${sent} cards`, 15_000);

    // No job lost or sent twice; the last ones carry the new template; nobody restarted.
    const titles = wecom.messages.map((m) => /Problem\d+/.exec(m.content)?.[0]);
    expect(new Set(titles).size).toBe(sent);
    expect(wecom.messages.slice(-10).every((m) => /^V2 Problem\d+ \(redis-exporter\)$/.test(m.content))).toBe(true);
    for (const w of workers) {
      expect(w.child.exitCode).toBeNull();
      expect(w.output().match(/worker started/g)).toHaveLength(1);
    }
  });
});
