import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, retryingJobOptions, createRedis, hashId, jobIdFor } from '@ng/core';
import { bigstormBench } from './bigstorm';
import { distinctCritical, historyApiOnce, memoryOnce } from './history';
import { shardBench } from './shard';
import { REDIS_URL, dropPrefix, freePort, median, percentile, root, sleep, startFakeWecomProc, startGateway as startGatewayProcs, startProc, type Proc } from '@ng/testkit';

/**
 * pnpm bench: every figure a median of REPEATS runs, measured against this machine's own
 * limits in the same run (a bare Express app, a bare BullMQ worker).
 */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 5);
const DRAIN_ALERTS = Number(process.env.BENCH_DRAIN_ALERTS ?? 20_000);
/**
 * BENCH_ONLY=drain (comma list of ingest, drain, latency, storm, history) runs a subset, for profiling work.
 * bigstorm and shard run only when named (BENCH_ONLY=bigstorm, BENCH_ONLY=shard): each prints its own table and writes bench/results/<mode>.json.
 */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'ingest,drain,latency,storm,history').split(','));
/** BENCH_PROFILE=1: each measured process writes a CPU profile to bench/results/profiles/<what> (read them with profile-summary). */
const profiled = (what: string) => ({
  nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'bench/results/profiles', what)}`] : [],
});

const fixtures = path.join(root, 'packages/core/test/fixtures');
const sentryBody = JSON.stringify(JSON.parse(fs.readFileSync(path.join(fixtures, 'sentry/error.created.json'), 'utf8'))); // compact, as Sentry sends it
const amBody = JSON.stringify(JSON.parse(fs.readFileSync(path.join(fixtures, 'alertmanager/firing-critical.json'), 'utf8')));
const prefix = (name: string) => `{bench-${name}-${randomBytes(3).toString('hex')}}`;

const appEnv = (url: string) => ({
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

async function waitForHealth(url: string, method = 'GET') {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(url, { method })).ok) return;
    } catch {
      // not up yet
    }
    await sleep(25);
  }
  throw new Error(`${url} never answered`);
}

// ---------------------------------------------------------------- 1. ingest vs bare Express

interface IngestFigures { rps: number; p50: number; p99: number; rssMb: number }

/** bare: Express alone; floor: Express storing a job through BullMQ; ingest: ours. */
type IngestTarget = 'bare' | 'floor' | 'ingest';
const INGEST_FILES: Record<IngestTarget, string> = {
  bare: path.join(__dirname, 'bare-express.js'),
  floor: path.join(__dirname, 'bare-express-queue.js'),
  ingest: path.join(root, 'apps/ingest/dist/main.js'),
};

async function ingestOnce(target: IngestTarget, kind: 'sentry' | 'alertmanager'): Promise<IngestFigures> {
  const port = await freePort();
  const p = prefix('ingest');
  const proc = startProc(INGEST_FILES[target], { PORT: String(port), REDIS_URL, QUEUE_PREFIX: p }, profiled(`ingest-${kind}-${target}`));
  await waitForHealth(`http://127.0.0.1:${port}/health`, target === 'bare' ? 'POST' : 'GET');
  const [pathname, body, marker] =
    kind === 'sentry' ? ['/webhook/sentry', sentryBody, 'bb78c1407cea4519aa397afc059c793d'] : ['/webhook/alertmanager', amBody, '4007b8b128cb8777'];
  let seq = 0;
  const options = {
    url: `http://127.0.0.1:${port}${pathname}`,
    connections: 50,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', ...(kind === 'sentry' ? { 'sentry-hook-resource': 'error' } : {}) },
    // Every request is a distinct event, so ingest stores every one (no free duplicates).
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body.replace(marker, `${marker.slice(0, 8)}${String(++seq).padStart(8, '0')}`) }) }],
  };
  await autocannon({ ...options, duration: 1 } as unknown as autocannon.Options); // warm-up
  const result = await autocannon({ ...options, duration: INGEST_SECONDS } as unknown as autocannon.Options);
  const rssMb = proc.peakRssMb();
  await proc.stop();
  if (target !== 'bare') await dropPrefix(p);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target}/${kind}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, rssMb };
}

async function ingestBench() {
  const out: Record<string, { bare: IngestFigures; floor: IngestFigures; ingest: IngestFigures; ratio: number; p99Ratio: number; floorRatio: number }> = {};
  for (const kind of ['sentry', 'alertmanager'] as const) {
    const runs: Record<IngestTarget, IngestFigures[]> = { bare: [], floor: [], ingest: [] };
    // Interleaved, so a slow minute of a shared machine falls on all three alike.
    for (let i = 0; i < REPEATS; i++) {
      for (const target of ['bare', 'floor', 'ingest'] as const) runs[target].push(await ingestOnce(target, kind));
    }
    const med = (list: IngestFigures[]): IngestFigures => ({
      rps: median(list.map((r) => r.rps)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      rssMb: Math.max(...list.map((r) => r.rssMb)),
    });
    const bare = med(runs.bare);
    const floor = med(runs.floor);
    const ingest = med(runs.ingest);
    out[kind] = { bare, floor, ingest, ratio: ingest.rps / bare.rps, p99Ratio: ingest.p99 / bare.p99, floorRatio: floor.rps / bare.rps };
    console.log(`ingest ${kind}: bare ${bare.rps.toFixed(0)} req/s, bare + BullMQ ${floor.rps.toFixed(0)} req/s (${out[kind].floorRatio.toFixed(2)}×), ingest ${ingest.rps.toFixed(0)} req/s (${out[kind].ratio.toFixed(2)}×)`);
  }
  return out;
}

// ---------------------------------------------------------------- 2. worker drain

/** gateway: as shipped; gateway-nohistory: HISTORY_MAX_ALERTS=0, to show what the history costs. */
type DrainKind = 'gateway' | 'gateway-nohistory' | 'bare';

async function drainOnce(kind: DrainKind, processes: number) {
  const wecom = await startFakeWecomProc({ FAKE_WECOM_KEEP_MESSAGES: '0', FAKE_WECOM_ROBOT_PER_MINUTE: '100000000' });
  const p = prefix('drain');
  const connection = createRedis(REDIS_URL, 'worker');
  const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix: p });
  // The gateway's work ends when the message is delivered (its own job on the deliveries queue).
  const finished = kind === 'bare' ? queue : new Queue(QUEUE_NAMES.deliveries, { connection, prefix: p });
  const opts = retryingJobOptions({ attempts: 3, backoffBaseMs: 100 });
  const tag = randomBytes(3).toString('hex');
  for (let i = 0; i < DRAIN_ALERTS; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, DRAIN_ALERTS - i) }, (_, j) => {
        const alert = distinctCritical(i + j, tag);
        return { name: alert.kind, data: { alert }, opts: { ...opts, jobId: jobIdFor(alert) } };
      }),
    );
  }
  const procs: Proc[] = [];
  for (let i = 0; i < processes; i++) {
    const file = kind === 'bare' ? path.join(__dirname, 'bare-worker.js') : path.join(root, 'apps/worker/dist/main.js');
    const history: Record<string, string> = kind === 'gateway-nohistory' ? { HISTORY_MAX_ALERTS: '0' } : {};
    procs.push(startProc(file, { REDIS_URL, QUEUE_PREFIX: p, METRICS_PORT: String(await freePort()), ...appEnv(wecom.url), ...history }, profiled(`drain-${kind}x${processes}`)));
  }
  // Rate = completions between the first one seen and the last, so start-up does not count.
  let first: { at: number; done: number } | undefined;
  let done = 0;
  const deadline = Date.now() + 300_000;
  while (done < DRAIN_ALERTS && Date.now() < deadline) {
    done = await finished.getCompletedCount();
    if (!first && done > 0) first = { at: Date.now(), done };
    await sleep(25);
  }
  const end = Date.now();
  const cpu = procs.reduce((sum, proc) => sum + proc.cpuSeconds(), 0);
  const failed = (await queue.getFailedCount()) + (finished === queue ? 0 : await finished.getFailedCount());
  await Promise.all(procs.map((proc) => proc.stop()));
  const stats = await wecom.stats();
  await wecom.proc.stop();
  await Promise.all([queue.close(), finished.close()]);
  connection.disconnect();
  await dropPrefix(p);
  if (done < DRAIN_ALERTS || failed > 0) throw new Error(`${kind}×${processes}: ${done}/${DRAIN_ALERTS} completed, ${failed} failed`);
  const rate = (DRAIN_ALERTS - (first?.done ?? 0)) / ((end - (first?.at ?? end)) / 1000);
  return { alertsPerSec: rate, cpuSeconds: cpu, cpuMsPerAlert: (cpu * 1000) / DRAIN_ALERTS, delivered: stats.accepted };
}

async function drainBench() {
  const configs = [['gateway', 1], ['gateway', 2], ['gateway-nohistory', 1], ['bare', 1], ['bare', 2]] as const;
  const runs = new Map<string, Array<{ alertsPerSec: number; cpuMsPerAlert: number }>>();
  // Interleaved, so a slow minute of a shared machine falls on every configuration alike.
  for (let i = 0; i < REPEATS; i++) {
    for (const [kind, n] of configs) runs.set(`${kind}×${n}`, [...(runs.get(`${kind}×${n}`) ?? []), await drainOnce(kind, n)]);
  }
  const out: Record<string, { alertsPerSec: number; cpuMsPerAlert: number }> = {};
  for (const [name, list] of runs) {
    out[name] = { alertsPerSec: median(list.map((r) => r.alertsPerSec)), cpuMsPerAlert: median(list.map((r) => r.cpuMsPerAlert)) };
    console.log(`drain ${name}: ${out[name].alertsPerSec.toFixed(0)} alerts/s`);
  }
  return out;
}

// ---------------------------------------------------------------- 3 and 4. end to end

/** ingest + one worker + the fake WeCom, each its own process. */
async function startGateway(env: Record<string, string>) {
  const wecom = await startFakeWecomProc({ FAKE_WECOM_ROBOT_PER_MINUTE: '100000000' });
  const gw = await startGatewayProcs({ redisUrl: REDIS_URL, workers: 1, name: 'bench-e2e', env: { ...appEnv(wecom.url), STORM_INTERVAL: '1m', ...env } });
  return {
    wecom,
    post: (body: string) => gw.post('/webhook/alertmanager', body),
    /** When nothing is left to deliver. */
    drained: async () => (await gw.drained(), Date.now()),
    async stop() {
      await gw.stop();
      await wecom.proc.stop();
    },
  };
}

function amWebhook(alertname: string, fingerprint: string, startsAt: string, severity = 'critical'): string {
  return JSON.stringify({
    receiver: 'gateway', status: 'firing', version: '4', groupKey: `{}:{alertname="${alertname}"}`, truncatedAlerts: 0,
    groupLabels: { alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am:9093',
    alerts: [{ status: 'firing', labels: { alertname, severity, instance: 'node-1:9100', job: 'node' }, annotations: { summary: 'bench' }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint }],
  });
}

async function latencyBench() {
  const gw = await startGateway({});
  const rate = 200;
  const seconds = 10;
  const sent = new Map<string, number>();
  const start = Date.now();
  const pending: Array<Promise<number>> = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const name = `Lat${i}x`;
    sent.set(name, Date.now());
    pending.push(gw.post(amWebhook(name, hashId('lat', i).slice(0, 16), new Date().toISOString())));
  }
  const codes = await Promise.all(pending);
  await gw.drained();
  await sleep(200);
  const stats = await gw.wecom.stats();
  await gw.stop();
  const latencies: number[] = [];
  for (const m of stats.messages) {
    const name = /Lat\d+x/.exec(m.content)?.[0];
    if (name && sent.has(name)) latencies.push(m.at - sent.get(name)!);
  }
  if (codes.some((c) => c !== 202) || latencies.length !== rate * seconds) throw new Error(`latency: ${latencies.length} delivered, codes ${[...new Set(codes)]}`);
  return { ratePerSec: rate, alerts: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function stormBench() {
  // WeCom's real budget here: 30 app messages a minute per recipient set.
  const gw = await startGateway({ APP_RATE_LIMIT_PER_MIN: '30' });
  const total = 10_000;
  const problems = 50;
  const start = Date.now();
  const codes: number[] = [];
  const batch: Array<Promise<number>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 10_000) / total;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const n = i % problems;
    // Each webhook a new notification (its own startsAt) about one of 50 problems.
    batch.push(gw.post(amWebhook(`Storm${n}`, hashId('storm', n).slice(0, 16), new Date(start + i).toISOString())).then((c) => (codes.push(c), c)));
  }
  await Promise.all(batch);
  const sentAll = Date.now();
  const drainedAt = await gw.drained();
  const stats = await gw.wecom.stats();
  await gw.stop();
  const ok = codes.filter((c) => c >= 200 && c < 300).length;
  return { webhooks: total, answered2xx: ok, sendSeconds: (sentAll - start) / 1000, wecomMessages: stats.accepted, countedAfterLastSec: (drainedAt - sentAll) / 1000 };
}

// ---------------------------------------------------------------- 5. the alert history

const HISTORY_SIZES = (process.env.BENCH_HISTORY_SIZES ?? '10000,100000').split(',').map(Number);

async function historyBench() {
  const memory = await memoryOnce(10_000);
  const memoryWithout = await memoryOnce(10_000, { HISTORY_MAX_ALERTS: '0' });
  console.log(`redis: ${memory.bytesPerAlert} B/alert with the history, ${memoryWithout.bytesPerAlert} B/alert without`, memory.byFamily);
  const api = [];
  for (const size of HISTORY_SIZES) {
    api.push(await historyApiOnce(size));
    console.log(`/api/alerts with ${size} alerts:`, api.at(-1)?.queries);
  }
  return { memory, memoryWithout, api };
}

// ---------------------------------------------------------------- report

async function main() {
  const started = Date.now();
  console.log(`bench on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ${REPEATS} repeats`);
  const ingest = ONLY.has('ingest') ? await ingestBench() : undefined;
  const drain = ONLY.has('drain') ? await drainBench() : undefined;
  const latency = ONLY.has('latency') ? await latencyBench() : undefined;
  const storm = ONLY.has('storm') ? await stormBench() : undefined;
  const history = ONLY.has('history') ? await historyBench() : undefined;
  if (ONLY.has('bigstorm')) await bigstormBench();
  if (ONLY.has('shard')) await shardBench();
  if (!ingest || !drain || !latency || !storm || !history) return;
  const results = { at: new Date().toISOString(), machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, repeats: REPEATS, ingest, drain, latency, storm, history, seconds: (Date.now() - started) / 1000 };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  const f = (n: number, d = 0) => n.toFixed(d);
  const rows = [
    ...(['sentry', 'alertmanager'] as const).map((kind) => {
      const r = ingest[kind];
      return [
        kind === 'sentry' ? '1. ingest, Sentry error.created (3 KB)' : '1. ingest, Alertmanager (1 alert)',
        `bare Express ${f(r.bare.rps)} req/s p50 ${r.bare.p50} ms p99 ${r.bare.p99} ms, RSS ${f(r.bare.rssMb)} MB; Express + BullMQ ${f(r.floor.rps)} req/s (${f(r.floorRatio, 2)}×) p99 ${r.floor.p99} ms, RSS ${f(r.floor.rssMb)} MB`,
        `ingest ${f(r.ingest.rps)} req/s p50 ${r.ingest.p50} ms p99 ${r.ingest.p99} ms, RSS ${f(r.ingest.rssMb)} MB`,
        `${f(r.ratio, 2)}× req/s, ${f(r.p99Ratio, 2)}× p99 of bare Express; ${f(r.ingest.rps / r.floor.rps, 2)}× req/s of Express + BullMQ`,
      ];
    }),
    ['2. worker drain, 1 process', `bare ${f(drain['bare×1'].alertsPerSec)} alerts/s`, `gateway ${f(drain['gateway×1'].alertsPerSec)} alerts/s, ${f(drain['gateway×1'].cpuMsPerAlert, 2)} ms CPU/alert`, `${f(drain['gateway×1'].alertsPerSec / drain['bare×1'].alertsPerSec, 2)}×`],
    ['2. worker drain, 2 processes', `bare ${f(drain['bare×2'].alertsPerSec)} alerts/s`, `gateway ${f(drain['gateway×2'].alertsPerSec)} alerts/s, ${f(drain['gateway×2'].cpuMsPerAlert, 2)} ms CPU/alert`, `${f(drain['gateway×2'].alertsPerSec / drain['bare×2'].alertsPerSec, 2)}×`],
    ['2. worker drain, history off (HISTORY_MAX_ALERTS=0), 1 process', `bare ${f(drain['bare×1'].alertsPerSec)} alerts/s`, `gateway ${f(drain['gateway-nohistory×1'].alertsPerSec)} alerts/s, ${f(drain['gateway-nohistory×1'].cpuMsPerAlert, 2)} ms CPU/alert`, `the history costs ${f(((drain['gateway×1'].cpuMsPerAlert - drain['gateway-nohistory×1'].cpuMsPerAlert) / drain['gateway×1'].cpuMsPerAlert) * 100)} % of the worker's CPU per alert`],
    ['3. end to end at 200 alerts/s', '', `p50 ${f(latency.p50)} ms, p99 ${f(latency.p99)} ms (${latency.alerts} alerts)`, ''],
    ['4. storm: 10,000 webhooks, 50 problems, 10 s', '', `${storm.answered2xx}/${storm.webhooks} answered 2xx, ${storm.wecomMessages} WeCom messages, all counted ${f(storm.countedAfterLastSec, 1)} s after the last`, ''],
    ['5. Redis per accepted alert (10,000 distinct criticals, steady state)', `${history.memoryWithout.bytesPerAlert} B without the history`, `${history.memory.bytesPerAlert} B with it`, `history ${history.memory.bytesPerAlert - history.memoryWithout.bytesPerAlert} B/alert`],
    ...history.api.map((a) => [`5. /api/alerts, ${a.size} alerts in the history`, '', Object.entries(a.queries).map(([q, r]) => `${q}: p50 ${r.p50} ms, p99 ${r.p99} ms`).join('; '), '']),
  ];
  const table = ['| benchmark | limit (same run) | notification-gateway | ratio |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const machine = `${results.machine.cores} cores (${results.machine.model}), node ${results.machine.node}, ${REPEATS} repeats, median; ${results.at.slice(0, 10)}`;
  fs.writeFileSync(path.join(root, 'bench/results/latest.md'), `${machine}\n\n${table}\n`);
  console.log(`\n${table}\n\n(${f(results.seconds)} s; bench/results/latest.json and latest.md)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
