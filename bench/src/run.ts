import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, retryingJobOptions, createRedis, hashId, jobIdFor } from '@ng/core';
import { appEnv, drainOnce, prefix, profiled } from './drain';
import { bigstormBench } from './bigstorm';
import { historyApiOnce, memoryOnce } from './history';
import { bigDigestBench, workGrowsBench } from './scale';
import { shardBench } from './shard';
import { REDIS_URL, dropPrefix, freePort, median, percentile, root, sleep, startFakeWecomProc, startGateway as startGatewayProcs, startProc, type Proc } from '@ng/testkit';

/**
 * pnpm bench: every figure a median of REPEATS runs, measured against this machine's own
 * limits in the same run (a bare Express app, a bare BullMQ worker).
 */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 5);
/**
 * BENCH_ONLY=drain (comma list of ingest, drain, scale, digest, latency, storm, history) runs a subset, for profiling work;
 * scale includes digest, whose size BENCH_DIGEST_PROBLEMS sets (default 10,000).
 * bigstorm and shard run only when named (BENCH_ONLY=bigstorm, BENCH_ONLY=shard): each prints its own table and writes bench/results/<mode>.json.
 */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'ingest,drain,scale,latency,storm,history').split(','));
const fixtures = path.join(root, 'packages/core/test/fixtures');
const sentryBody = JSON.stringify(JSON.parse(fs.readFileSync(path.join(fixtures, 'sentry/error.created.json'), 'utf8'))); // compact, as Sentry sends it
const amBody = JSON.stringify(JSON.parse(fs.readFileSync(path.join(fixtures, 'alertmanager/firing-critical.json'), 'utf8')));

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
    console.log(`ingest ${kind}: bare ${bare.rps.toFixed(0)} req/s, bare + BullMQ ${floor.rps.toFixed(0)} req/s (${out[kind].floorRatio.toFixed(2)}×), ingest ${ingest.rps.toFixed(0)} req/s (${(ingest.rps / floor.rps).toFixed(2)}× the floor), p99 ${ingest.p99}/${floor.p99} ms, peak RSS ${ingest.rssMb.toFixed(0)}/${floor.rssMb.toFixed(0)} MB`);
  }
  return out;
}

// ---------------------------------------------------------------- 2. worker drain

async function drainBench() {
  const configs = [['gateway', 1], ['gateway', 2], ['gateway-nohistory', 1], ['bare', 1], ['bare', 2], ['bare-two-jobs', 1], ['bare-two-jobs', 2]] as const;
  const runs = new Map<string, Array<{ alertsPerSec: number; cpuMsPerAlert: number }>>();
  // Interleaved, so a slow minute of a shared machine falls on every configuration alike.
  for (let i = 0; i < REPEATS; i++) {
    for (const [kind, n] of configs) runs.set(`${kind}×${n}`, [...(runs.get(`${kind}×${n}`) ?? []), await drainOnce(kind, n)]);
  }
  const out: Record<string, { alertsPerSec: number; cpuMsPerAlert: number }> = {};
  for (const [name, list] of runs) {
    out[name] = { alertsPerSec: median(list.map((r) => r.alertsPerSec)), cpuMsPerAlert: median(list.map((r) => r.cpuMsPerAlert)) };
    console.log(`drain ${name}: ${out[name].alertsPerSec.toFixed(0)} alerts/s, ${out[name].cpuMsPerAlert.toFixed(2)} ms CPU/alert`);
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
  // WeCom's real budget here (30 app messages a minute per recipient set) and the shipped storm
  // threshold: appEnv turns storm merging off for the pipeline figures.
  const gw = await startGateway({ APP_RATE_LIMIT_PER_MIN: '30', STORM_THRESHOLD: '10' });
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

// ---------------------------------------------------------------- 5. the alert history and Redis memory

const HISTORY_SIZES = (process.env.BENCH_HISTORY_SIZES ?? '10000,100000').split(',').map(Number);
/** Redis bytes per alert after this many distinct alerts (1000000 takes about 15 minutes more). */
const MEMORY_SIZES = (process.env.BENCH_MEMORY_SIZES ?? '10000,100000').split(',').map(Number);

async function historyBench() {
  const memory = [];
  for (const size of MEMORY_SIZES) {
    memory.push(await memoryOnce(size));
    console.log(`redis after ${size} alerts: ${memory.at(-1)?.bytesPerAlert} B/alert`, memory.at(-1)?.byFamily);
  }
  const memoryWithout = await memoryOnce(MEMORY_SIZES[0], { HISTORY_MAX_ALERTS: '0' });
  console.log(`redis: ${memoryWithout.bytesPerAlert} B/alert without the history`);
  const api = [];
  for (const size of HISTORY_SIZES) {
    api.push(await historyApiOnce(size));
    console.log(`/api/alerts with ${size} alerts:`, api.at(-1)?.queries);
  }
  return { memory, memoryWithout, api };
}

// ---------------------------------------------------------------- report

const f = (n: number, d = 0) => n.toFixed(d);
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

async function main() {
  const started = Date.now();
  console.log(`bench on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ${REPEATS} repeats`);
  const ingest = ONLY.has('ingest') ? await ingestBench() : undefined;
  const drain = ONLY.has('drain') ? await drainBench() : undefined;
  const scale = ONLY.has('scale') ? await workGrowsBench(REPEATS) : undefined;
  const digest = ONLY.has('scale') || ONLY.has('digest') ? await bigDigestBench() : undefined;
  if (digest) console.log('digest:', digest);
  const latency = ONLY.has('latency') ? await latencyBench() : undefined;
  if (latency) console.log('end to end:', latency);
  const storm = ONLY.has('storm') ? await stormBench() : undefined;
  if (storm) console.log('storm:', storm);
  const history = ONLY.has('history') ? await historyBench() : undefined;
  if (ONLY.has('bigstorm')) await bigstormBench();
  if (ONLY.has('shard')) await shardBench();
  if (!ingest || !drain || !scale || !digest || !latency || !storm || !history) return;
  const results = { at: new Date().toISOString(), machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, repeats: REPEATS, ingest, drain, scale, digest, latency, storm, history, seconds: (Date.now() - started) / 1000 };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  // benchmark | limit (same run) | notification-gateway | ratio | target | verdict
  const rows: string[][] = [
    ...(['sentry', 'alertmanager'] as const).map((kind) => {
      const r = ingest[kind];
      const floorRatio = r.ingest.rps / r.floor.rps;
      const p99Ratio = r.ingest.p99 / r.floor.p99;
      const rssOver = r.ingest.rssMb - r.floor.rssMb;
      return [
        kind === 'sentry' ? '1. ingest, Sentry error.created (3 KB)' : '1. ingest, Alertmanager (1 alert)',
        `Express + BullMQ (the floor) ${f(r.floor.rps)} req/s p99 ${r.floor.p99} ms, RSS ${f(r.floor.rssMb)} MB; bare Express ${f(r.bare.rps)} req/s p99 ${r.bare.p99} ms, RSS ${f(r.bare.rssMb)} MB`,
        `ingest ${f(r.ingest.rps)} req/s p50 ${r.ingest.p50} ms p99 ${r.ingest.p99} ms, RSS ${f(r.ingest.rssMb)} MB`,
        `${f(floorRatio, 2)}× req/s, ${f(p99Ratio, 2)}× p99, RSS ${rssOver < 0 ? '−' : '+'}${f(Math.abs(rssOver))} MB of the floor (${f(r.ratio, 2)}× req/s of bare Express)`,
        '≥ 0.9× req/s, ≤ 1.2× p99, ≤ +15 MB',
        verdict(floorRatio >= 0.9 && p99Ratio <= 1.2 && rssOver <= 15),
      ];
    }),
    ...([1, 2] as const).map((n) => {
      const ratio = drain[`gateway×${n}`].alertsPerSec / drain[`bare×${n}`].alertsPerSec;
      const floor = drain[`bare-two-jobs×${n}`];
      return [
        `2. worker drain, ${n} process${n > 1 ? 'es' : ''}`,
        `bare BullMQ worker ${f(drain[`bare×${n}`].alertsPerSec)} alerts/s, ${f(drain[`bare×${n}`].cpuMsPerAlert, 2)} ms CPU/alert; the one-exit floor (two jobs an alert) ${f(floor.alertsPerSec)} alerts/s, ${f(floor.cpuMsPerAlert, 2)} ms`,
        `gateway ${f(drain[`gateway×${n}`].alertsPerSec)} alerts/s, ${f(drain[`gateway×${n}`].cpuMsPerAlert, 2)} ms CPU/alert`,
        `${f(ratio, 2)}× (${f(drain[`gateway×${n}`].alertsPerSec / floor.alertsPerSec, 2)}× of the one-exit floor)`,
        '≥ 0.8×',
        verdict(ratio >= 0.8),
      ];
    }),
    ['2. worker drain, history off (HISTORY_MAX_ALERTS=0), 1 process', `bare ${f(drain['bare×1'].alertsPerSec)} alerts/s`, `gateway ${f(drain['gateway-nohistory×1'].alertsPerSec)} alerts/s, ${f(drain['gateway-nohistory×1'].cpuMsPerAlert, 2)} ms CPU/alert`, `the history costs ${f(((drain['gateway×1'].cpuMsPerAlert - drain['gateway-nohistory×1'].cpuMsPerAlert) / drain['gateway×1'].cpuMsPerAlert) * 100)} % of the worker's CPU per alert`, '', ''],
    ...(['silences', 'routes'] as const).map((what) => {
      const list = scale[what];
      const growth = list.at(-1)!.cpuMsPerAlert / list[0].cpuMsPerAlert;
      return [`6. worker CPU per alert against active ${what}`, '', list.map((r) => `${r.size}: ${f(r.cpuMsPerAlert, 3)} ms`).join(', '), `${f(growth, 2)}× from ${list[0].size} to ${list.at(-1)!.size}`, '≤ 1.5×', verdict(growth <= 1.5)];
    }),
    [`6. a digest of ${digest.problems} pending problems`, `${digest.limitBytes} B per message`, `delivered ${f(digest.seconds, 1)} s after the flush, ${digest.parts} part(s), the largest ${digest.maxPartBytes} B`, `waiting: ${digest.pendingBytesPerProblem} B per problem in Redis; delivery job ${f(digest.jobBytes / 1024, 0)} KB; worker RSS ${digest.workerRssBeforeMb} → ${digest.workerRssPeakMb} MB at the flush`, 'within the byte budget', verdict(digest.maxPartBytes <= digest.limitBytes)],
    ['3. end to end at 200 alerts/s', '', `p50 ${f(latency.p50)} ms, p99 ${f(latency.p99)} ms (${latency.alerts} alerts)`, '', '', ''],
    ['4. storm: 10,000 webhooks, 50 problems, 10 s', '', `${storm.answered2xx}/${storm.webhooks} answered 2xx, ${storm.wecomMessages} WeCom messages, all counted ${f(storm.countedAfterLastSec, 1)} s after the last`, '', 'every webhook 2xx', verdict(storm.answered2xx === storm.webhooks)],
    ...history.memory.map((m) => [`5. Redis per accepted alert after ${m.alerts} distinct criticals`, `${history.memoryWithout.bytesPerAlert} B without the history (${history.memoryWithout.alerts} alerts)`, `${m.bytesPerAlert} B (${f((m.bytesPerAlert * m.alerts) / 2 ** 20)} MB in all)`, Object.entries(m.byFamily).slice(0, 4).map(([k, v]) => `${k} ${v} B`).join(', '), '', '']),
    ...history.api.map((a) => [`5. /api/alerts, ${a.size} alerts in the history`, '', Object.entries(a.queries).map(([q, r]) => `${q}: p50 ${r.p50} ms, p99 ${r.p99} ms`).join('; '), '', '', '']),
  ];
  const table = ['| benchmark | limit (same run) | notification-gateway | ratio | target | verdict |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const machine = `${results.machine.cores} cores (${results.machine.model}), node ${results.machine.node}, ${REPEATS} repeats, median; ${results.at.slice(0, 10)}`;
  fs.writeFileSync(path.join(root, 'bench/results/latest.md'), `${machine}\n\n${table}\n`);
  console.log(`\n${table}\n\n(${f(results.seconds)} s; bench/results/latest.json and latest.md)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
