import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, byteLength, createRedis, createSilenceStore, jobIdFor, retryingJobOptions, type Alert } from '@ng/core';
import { REDIS_URL, currentRssMb, median, sleep, startFakeWecomProc, startGateway } from '@ng/testkit';
import { appEnv, drainOnce } from './drain';
import { distinctCritical } from './history';
import { pendingDigestBytes } from './sample';

/**
 * "Flat as the work grows": the worker's CPU per alert with many active silences or policy
 * routes, and a digest of very many pending problems.
 */

const SCALE_ALERTS = Number(process.env.BENCH_SCALE_ALERTS ?? 10_000);

/**
 * n routes that the bench's alerts never match (so each alert tries them all: the worst case),
 * half by label equality, half by a label regex, then the defaults.
 */
function policyWithRoutes(n: number): string {
  const routes = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? `  - { name: r${i}, match: { labels: { team: team-${i} } }, destinations: [oncall] }`
      : `  - { name: r${i}, match: { labels: { instance: '/^rack-${i}-.*/' } }, destinations: [oncall] }`,
  );
  return ['destinations:', '  - { id: oncall, type: app }', 'defaults: { destinations: [oncall] }', n ? 'routes:' : 'routes: []', ...routes, ''].join('\n');
}

/** n active silences that hold none of the bench's alerts: half alertname equality, half an instance regex. */
async function storeSilences(n: number, prefix: string, connection: ReturnType<typeof createRedis>) {
  const store = createSilenceStore({ redis: connection, prefix });
  for (let i = 0; i < n; i++) {
    const matchers = i % 2 === 0 ? [{ name: 'alertname', op: '=', value: `Quiet${i}` }] : [{ name: 'instance', op: '=~', value: `quiet-${i}-.*` }];
    await store.create({ matchers, duration: '2h', comment: 'bench' }, new Date(), 'bench');
  }
}

export interface ScaleRow {
  what: string;
  size: number;
  cpuMsPerAlert: number;
}

/** Worker CPU per alert against the number of silences and of routes (medians of `repeats` interleaved runs). */
export async function workGrowsBench(repeats: number): Promise<{ silences: ScaleRow[]; routes: ScaleRow[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const configs: Array<{ what: 'silences' | 'routes'; size: number }> = [
    { what: 'silences', size: 0 },
    { what: 'silences', size: 100 },
    { what: 'silences', size: 1000 },
    { what: 'routes', size: 50 },
    { what: 'routes', size: 500 },
  ];
  const runs = new Map<string, number[]>();
  for (let r = 0; r < repeats; r++) {
    for (const c of configs) {
      const file = path.join(dir, `routes-${c.what === 'routes' ? c.size : 0}.yaml`);
      fs.writeFileSync(file, policyWithRoutes(c.what === 'routes' ? c.size : 0));
      const result = await drainOnce('gateway', 1, {
        alerts: SCALE_ALERTS,
        env: { POLICY_FILE: file },
        setup: c.what === 'silences' ? (prefix, connection) => storeSilences(c.size, prefix, connection) : undefined,
        profileName: `scale-${c.what}-${c.size}`,
      });
      const key = `${c.what}:${c.size}`;
      runs.set(key, [...(runs.get(key) ?? []), result.cpuMsPerAlert]);
      console.log(`scale ${key}: ${result.cpuMsPerAlert.toFixed(3)} ms CPU/alert`);
    }
  }
  const row = (what: 'silences' | 'routes', size: number): ScaleRow => ({ what, size, cpuMsPerAlert: median(runs.get(`${what}:${size}`)!) });
  const base = row('silences', 0);
  return {
    silences: [base, row('silences', 100), row('silences', 1000)],
    // 0 routes is the same run as 0 silences: the defaults only.
    routes: [{ ...base, what: 'routes' }, row('routes', 50), row('routes', 500)],
  };
}

const DIGEST_PROBLEMS = Number(process.env.BENCH_DIGEST_PROBLEMS ?? 10_000);

/** A distinct warning: the seed's policy sends warnings to the hourly digest. */
function distinctWarning(n: number): Alert {
  const alert = distinctCritical(n, 'digest');
  return { ...alert, severity: 'warning', level: 'warning', labels: { ...alert.labels, severity: 'warning' } };
}

/**
 * A digest of 10,000 pending problems: the worker files them (hourly digest), then
 * POST /api/digests/flush; the time from the flush request to the digest's delivery, and its
 * parts' bytes against the app's 2,048-byte limit.
 */
export async function bigDigestBench() {
  const wecom = await startFakeWecomProc({});
  const gw = await startGateway({ redisUrl: REDIS_URL, workers: 1, name: 'bench-digest', env: { ...appEnv(wecom.url), ADMIN_ALLOW_OPEN: 'true', LOG_LEVEL: 'warn' } });
  const connection = createRedis(REDIS_URL, 'worker');
  try {
    const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix: gw.prefix });
    const opts = retryingJobOptions({ attempts: 3, backoffBaseMs: 100 });
    for (let i = 0; i < DIGEST_PROBLEMS; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, DIGEST_PROBLEMS - i) }, (_, j) => {
        const alert = distinctWarning(i + j);
        return { name: alert.kind, data: { alert }, opts: { ...opts, jobId: jobIdFor(alert) } };
      }));
    }
    await gw.drained(300_000);
    await queue.close();
    // What the pending problems hold in Redis while they wait for their hour.
    const pendingBytes = await pendingDigestBytes(connection, gw.prefix);
    const before = (await wecom.stats()).messages.length;
    // The worker's resident memory while it builds and sends the digest, sampled every 20 ms.
    const workerPid = gw.workers[0].child.pid;
    const rssBeforeMb = currentRssMb(workerPid);
    let rssPeakMb = rssBeforeMb;
    const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, currentRssMb(workerPid))), 20);
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${gw.port}/api/digests/flush`, { method: 'POST' });
    // 200 with what went out, or 202 when the flush outlasts the answer's 10 s (a bigger digest): then it runs on.
    if (res.status !== 200 && res.status !== 202) throw new Error(`digest: the flush answered ${res.status} ${await res.text()}`);
    for (const deadline = Date.now() + 300_000; Date.now() < deadline && (await wecom.stats()).messages.length === before; ) await sleep(50);
    const seconds = (Date.now() - started) / 1000;
    await gw.drained(300_000);
    clearInterval(sampler);
    const parts = (await wecom.stats()).messages.slice(before).map((m) => byteLength(m.content));
    // What the digest's delivery job keeps in Redis for as long as completed jobs are kept.
    const job = (await gw.deliveries.getJobs(['completed'])).find((j) => j?.data.message.kind === 'digest');
    if (job?.data.message.problems !== DIGEST_PROBLEMS) throw new Error(`digest: the flush carried ${job?.data.message.problems} problems, expected ${DIGEST_PROBLEMS}`);
    const jobBytes = job ? Buffer.byteLength(JSON.stringify(job.data)) : Number.NaN;
    return { problems: DIGEST_PROBLEMS, seconds, parts: parts.length, maxPartBytes: Math.max(...parts), limitBytes: 2048, jobBytes, pendingBytesPerProblem: Math.round(pendingBytes / DIGEST_PROBLEMS), workerRssBeforeMb: Math.round(rssBeforeMb), workerRssPeakMb: Math.round(rssPeakMb) };
  } finally {
    connection.disconnect();
    await gw.stop();
    await wecom.proc.stop();
  }
}
