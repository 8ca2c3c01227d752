import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createRedis, jobIdFor, retryingJobOptions, type RedisConnection } from '@ng/core';
import { REDIS_URL, dropPrefix, freePort, root, sleep, startFakeWecomProc, startProc, type Proc } from '@ng/testkit';
import { distinctCritical } from './history';

/** The drain figures: how fast workers empty a queue of distinct criticals into the fake WeCom. */
const DRAIN_ALERTS = Number(process.env.BENCH_DRAIN_ALERTS ?? 20_000);

/** BENCH_PROFILE=1: each measured process writes a CPU profile to bench/results/profiles/<what> (read them with profile-summary). */
export const profiled = (what: string) => ({
  nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'bench/results/profiles', what)}`] : [],
});

export const prefix = (name: string) => `{bench-${name}-${randomBytes(3).toString('hex')}}`;

export const appEnv = (url: string) => ({
  WEIXIN_API_BASE: url,
  WEIXIN_CORP_ID: 'ww-test-corp',
  WEIXIN_CORP_SECRET: 'test-corp-secret-value',
  WEIXIN_AGENT_ID: '1000002',
  APP_RATE_LIMIT_PER_MIN: '100000000',
  // Every alert its own card: the drain and latency figures measure the pipeline, not storm merging.
  STORM_THRESHOLD: '100000000',
  // As operators run it: two log lines per alert (消息发送成功 and its fate).
  LOG_LEVEL: 'info',
});


export interface DrainOptions {
  alerts?: number;
  /** More settings for the workers (a POLICY_FILE, say). */
  env?: Record<string, string>;
  /** Runs before the workers start, with the run's prefix: stores silences, say. */
  setup?: (prefix: string, connection: RedisConnection) => Promise<void>;
  /** Names the CPU profile, when BENCH_PROFILE is set. */
  profileName?: string;
}

/**
 * gateway: as shipped; gateway-nohistory: HISTORY_MAX_ALERTS=0, to show what the history costs;
 * bare: a BullMQ worker that only POSTs; bare-two-jobs: the one-exit floor, every alert a job
 * that queues a delivery job that POSTs (bare-worker.ts).
 */
export type DrainKind = 'gateway' | 'gateway-nohistory' | 'bare' | 'bare-two-jobs';

export async function drainOnce(kind: DrainKind, processes: number, opts: DrainOptions = {}) {
  const alerts = opts.alerts ?? DRAIN_ALERTS;
  const wecom = await startFakeWecomProc({ FAKE_WECOM_KEEP_MESSAGES: '0', FAKE_WECOM_ROBOT_PER_MINUTE: '100000000' });
  const p = prefix('drain');
  const connection = createRedis(REDIS_URL, 'worker');
  const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix: p });
  // The gateway's work ends when the message is delivered (its own job on the deliveries queue).
  const bare = kind === 'bare' || kind === 'bare-two-jobs';
  const deliveries = kind === 'bare' ? undefined : new Queue(QUEUE_NAMES.deliveries, { connection, prefix: p });
  const jobOpts = retryingJobOptions({ attempts: 3, backoffBaseMs: 100 });
  const tag = randomBytes(3).toString('hex');
  for (let i = 0; i < alerts; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, alerts - i) }, (_, j) => {
        const alert = distinctCritical(i + j, tag);
        return { name: alert.kind, data: { alert }, opts: { ...jobOpts, jobId: jobIdFor(alert) } };
      }),
    );
  }
  await opts.setup?.(p, connection);
  const procs: Proc[] = [];
  for (let i = 0; i < processes; i++) {
    const file = bare ? path.join(__dirname, 'bare-worker.js') : path.join(root, 'apps/worker/dist/main.js');
    const variant: Record<string, string> = kind === 'gateway-nohistory' ? { HISTORY_MAX_ALERTS: '0' } : kind === 'bare-two-jobs' ? { BARE_TWO_JOBS: '1' } : {};
    procs.push(startProc(file, { REDIS_URL, QUEUE_PREFIX: p, METRICS_PORT: String(await freePort()), ...appEnv(wecom.url), ...variant, ...opts.env }, profiled(opts.profileName ?? `drain-${kind}x${processes}`)));
  }
  // Rate and CPU = between the first completion seen and the last, so start-up does not count.
  const cpuNow = () => procs.reduce((sum, proc) => sum + proc.cpuSeconds(), 0);
  let first: { at: number; done: number; cpu: number } | undefined;
  let done = 0;
  const deadline = Date.now() + 300_000;
  while (done < alerts && Date.now() < deadline) {
    // Counted where the messages arrive: the gateway keeps only 10,000 completed delivery jobs.
    done = (await wecom.stats()).accepted;
    if (!first && done > 0) first = { at: Date.now(), done, cpu: cpuNow() };
    await sleep(25);
  }
  const end = Date.now();
  const cpu = cpuNow() - (first?.cpu ?? 0);
  const failed = (await queue.getFailedCount()) + ((await deliveries?.getFailedCount()) ?? 0);
  await Promise.all(procs.map((proc) => proc.stop()));
  const stats = await wecom.stats();
  await wecom.proc.stop();
  await Promise.all([queue.close(), deliveries?.close()]);
  connection.disconnect();
  await dropPrefix(p);
  if (done < alerts || failed > 0) throw new Error(`${kind}×${processes}: ${done}/${alerts} delivered, ${failed} failed`);
  const measured = alerts - (first?.done ?? 0);
  const rate = measured / ((end - (first?.at ?? end)) / 1000);
  return { alertsPerSec: rate, cpuSeconds: cpu, cpuMsPerAlert: (cpu * 1000) / measured, delivered: stats.accepted };
}

