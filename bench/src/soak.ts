import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { appEnv, root, sleep, startFakeWecomProc, startGateway, startRedisServer } from '@ng/testkit';
import { summarizeLog, type LogSummary } from './logs';
import { plotLines } from './plot';
import { byLabel, redisMemory, scrape, startSampler, sumOf, type LoadCounters, type MetricSample } from './sample';
import { createMix, STANDING, type Draw } from './soak-mix';
import { FLAT_LIMIT_PCT, growthOf, verdictLine, windowsOf, type Verdict } from './verdict';

/**
 * pnpm bench:soak: an hour of steady Alertmanager traffic through ingest and two workers (each
 * its own process, on a redis-server of the soak's own, into the fake WeCom), sampled every
 * 10 s. The verdicts: memory flat, no error, every alert accounted for. Not part of CI.
 */
const SAMPLE_MS = 10_000;
const DRAIN_TIMEOUT_MS = 5 * 60_000;
/** BullMQ keeps at most this many completed jobs per queue (retryingJobOptions, packages/core). */
const COMPLETED_KEPT = 100_000;

/** The gateway's retention caps the soak passes on when set (see settings). */
const GATEWAY_CAPS = ['HISTORY_MAX_ALERTS', 'DEDUP_MAX_PROBLEMS'];

function fail(message: string): never {
  throw new Error(message);
}

function settings(env: NodeJS.ProcessEnv) {
  const number = (name: string, fallback: number, check: (n: number) => boolean, what: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !check(n)) throw new Error(`${name} must be ${what}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const minutes = number('BENCH_SOAK_MINUTES', 60, (n) => n >= 2 && n <= 24 * 60, 'a number of minutes from 2 to 1440 (the first 10 %, at least a minute, is warm-up)');
  return {
    minutes,
    rate: number('BENCH_SOAK_RATE', 100, (n) => Number.isInteger(n) && n >= 1 && n <= 2000, 'a whole number of alerts a second from 1 to 2000'),
    warmupMinutes: number('BENCH_SOAK_WARMUP_MINUTES', Math.max(1, minutes * 0.1), (n) => n >= 1 && n <= minutes / 2, `a number of minutes from 1 to half the run (${minutes / 2})`),
    output: /^[a-z0-9-]+$/.test(env.BENCH_SOAK_OUTPUT ?? 'soak') ? (env.BENCH_SOAK_OUTPUT ?? 'soak') : fail('BENCH_SOAK_OUTPUT must be a file name of a-z, 0-9 and -'),
    // The retention caps, lowered to see Redis level off within a run (as shipped when unset).
    caps: Object.fromEntries(GATEWAY_CAPS.filter((name) => env[name]).map((name) => [name, env[name]!])),
  };
}

function requireRedisServer() {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('the soak starts a redis-server of its own, so that Redis memory is the gateway\'s alone: install it (apt-get install redis-server)');
  return found.stdout.trim();
}

/**
 * POSTs a webhook to ingest and says how it went: the status code, or why there was none. Idle
 * sockets are closed here after 4 s, before ingest's keep-alive timeout (Node's 5 s) closes them:
 * otherwise a socket picked just as the server closes it fails with ECONNRESET, a race of the
 * client's, not something the gateway did.
 */
function poster(port: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 });
  const post = (pathname: string, body: string): Promise<string> =>
    new Promise((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: pathname, method: 'POST', agent, timeout: 10_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'timeout' })));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/** Posts `rate` webhooks a second, on schedule: when the loop falls behind it catches up. */
async function load(post: (body: string) => Promise<string>, rate: number, seconds: number, counters: LoadCounters & { alerts: number; byDraw: Record<Draw, number>; critical: number; codes: Record<string, number> }) {
  const mix = createMix();
  const start = Date.now();
  const total = Math.round(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total; ) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate) + 1);
    for (; i < due; i++) {
      const { kind, severity, body } = mix.next();
      counters.sent++;
      const p = post(body).then((code) => {
        counters.answered++;
        counters.codes[code] = (counters.codes[code] ?? 0) + 1;
        if (/^2\d\d$/.test(code)) {
          counters.alerts++;
          counters.byDraw[kind]++;
          if (severity === 'critical') counters.critical++;
        } else counters.non2xx++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await sleep(Math.max(1, start + (i * 1000) / rate - Date.now()));
  }
  await Promise.all(inFlight);
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

async function main() {
  const { minutes, rate, warmupMinutes, output, caps } = settings(process.env);
  const redisVersion = requireRedisServer();
  const runSeconds = minutes * 60;
  const w = windowsOf(runSeconds, warmupMinutes * 60);
  const counters = { sent: 0, answered: 0, non2xx: 0, alerts: 0, critical: 0, byDraw: { resend: 0, refire: 0, 'state-change': 0, 'one-off': 0, first: 0 } as Record<Draw, number>, codes: {} as Record<string, number> };
  console.log(`soak: ${f(minutes, 1)} min at ${rate} alerts/s, 1 ingest + 2 workers, warm-up ${f(w.warmupS)} s; windows compared ${f(w.first[0])}–${f(w.first[1])} s and ${f(w.last[0])}–${f(w.last[1])} s${Object.keys(caps).length ? `; caps ${Object.entries(caps).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);

  // Everything started is stopped, whatever happens: an hour's run must not leave processes behind.
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  // Stopped early (Ctrl-C, kill): the processes go too, and nothing is judged.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`soak: ${signal}, stopping what it started`);
      void stopAll().then(() => process.exit(130));
    });
  }
  const redisServer = await startRedisServer();
  const redisDir = redisServer.dir;
  stops.push(() => redisServer.stop());
  const measured = await (async () => {
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    stops.push(async () => redis.disconnect());
    // The WeCom keeps no messages, only counts: its memory is not what is measured.
    const wecom = await startFakeWecomProc({ FAKE_WECOM_KEEP_MESSAGES: '0' });
    stops.push(() => wecom.proc.stop());
    // The gateway as shipped (testkit's start shortens locks, backoff and storm summaries for the
    // suites; these are the defaults back), logging at info as operators run it.
    const gw = await startGateway({
      redisUrl: redisServer.url,
      workers: 2,
      name: 'soak',
      env: { ...appEnv(wecom.url), JOB_LOCK_MS: '30000', BACKOFF_BASE_MS: '2000', STORM_INTERVAL: '1m', LOG_LEVEL: 'info', ...caps },
    });
    stops.push(() => gw.stop());
    const procs = { ingest: gw.ingest, 'worker-1': gw.workers[0], 'worker-2': gw.workers[1] };
    for (const port of gw.workerPorts) {
      for (let i = 0; i < 400 && !(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)); i++) await sleep(25);
    }

    const startedAt = Date.now();
    const sampler = startSampler({
      pids: Object.fromEntries(Object.entries(procs).map(([name, p]) => [name, p.child.pid!])),
      redis,
      prefix: gw.prefix,
      queues: [gw.queue, gw.deliveries],
      counters: () => ({ sent: counters.sent, answered: counters.answered, non2xx: counters.non2xx }),
      startedAt,
      everyMs: SAMPLE_MS,
    });
    stops.push(() => sampler.stop());
    const progress = setInterval(() => {
      const s = sampler.samples.at(-1);
      if (s) console.log(`  ${f(s.t / 60, 1)} min: ${s.answered} answered (${s.non2xx} not 2xx), RSS ${Object.entries(s.rssMb).map(([n, mb]) => `${n} ${f(mb)}`).join(', ')} MB, Redis ${f(s.redisUsedMb, 1)} MB (pending digests ${f(s.digestsMb, 1)})`);
    }, 60_000);
    stops.push(async () => clearInterval(progress));
    const client = poster(gw.port);
    stops.push(async () => client.close());
    await load((body) => client.post('/webhook/alertmanager', body), rate, runSeconds, counters);
    const loadSeconds = (Date.now() - startedAt) / 1000;
    clearInterval(progress);
    await sampler.stop();

    // The end: everything accepted is decided, every message sent (a storm summary may be a minute away).
    let drainedAfterS: number | undefined;
    try {
      drainedAfterS = (await gw.drained(DRAIN_TIMEOUT_MS)) / 1000;
    } catch {
      // reported by the queue counts below
    }
    const alive = Object.fromEntries(Object.entries(procs).map(([name, p]) => [name, p.child.exitCode === null && p.child.signalCode === null]));
    const workerMetrics: MetricSample[] = [];
    for (const port of gw.workerPorts) workerMetrics.push(...(await scrape(`http://127.0.0.1:${port}/metrics`)));
    const ingestMetrics = await scrape(`http://127.0.0.1:${gw.port}/metrics`);
    const counts = {
      alerts: await gw.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'),
      deliveries: await gw.deliveries.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'),
    };
    const wecomStats = await wecom.stats();
    const redisAfterDrain = { ...(await redisMemory(redis)), keys: await redis.dbsize() };
    return { procs, startedAt, loadSeconds, sampler, drainedAfterS, alive, workerMetrics, ingestMetrics, counts, wecomStats, redisAfterDrain };
  })().finally(stopAll);
  const { procs, startedAt, loadSeconds, sampler, drainedAfterS, alive, workerMetrics, ingestMetrics, counts, wecomStats, redisAfterDrain } = measured;
  const logs: Record<string, LogSummary> = {};
  for (const [name, p] of Object.entries(procs)) logs[name] = await summarizeLog(p.logFile);

  // ---------------------------------------------------------------- verdicts, from the data
  const samples = sampler.samples;
  const memory = {
    ...Object.fromEntries(Object.keys(procs).map((name) => [`${name} RSS`, growthOf(samples, (s) => s.rssMb[name], w)])),
    'Redis used_memory': growthOf(samples, (s) => s.redisUsedMb, w),
    // The pending digests grow until their hour or day ends, by design: the rest of Redis is
    // what the caps bound.
    'Redis used_memory without the pending digests': growthOf(samples, (s) => s.redisUsedMb - s.digestsMb, w),
  };
  const verdicts: Verdict[] = Object.entries(memory).map(([what, g]) => ({
    what: `${what} flat`,
    pass: g.flat,
    detail: `median ${f(g.first, 1)} MB (${g.firstSamples} samples) → ${f(g.last, 1)} MB (${g.lastSamples} samples), ${g.growthPct >= 0 ? '+' : ''}${f(g.growthPct, 1)} % (limit +${FLAT_LIMIT_PCT} %)`,
  }));

  const fates = byLabel(workerMetrics, 'ng_alert_fates_total', 'fate');
  const decided = Object.entries(fates).filter(([fate]) => fate !== 'failed').reduce((a, [, n]) => a + n, 0);
  const deliveries = (where: Record<string, string>) => sumOf(workerMetrics, 'ng_deliveries_total', where);
  const delivered = deliveries({ outcome: 'success' });
  const deliveryProblems = workerMetrics.filter((m) => m.name === 'ng_deliveries_total' && m.labels.outcome !== 'success' && m.value > 0);
  const errorLines = Object.values(logs).reduce((a, l) => a + l.errorCount, 0);
  const foreignLines = Object.values(logs).reduce((a, l) => a + l.foreignCount, 0);
  const failed = counts.alerts.failed + counts.deliveries.failed + (fates.failed ?? 0);
  verdicts.push({
    what: 'no error',
    pass: counters.non2xx === 0 && failed === 0 && errorLines === 0 && foreignLines === 0 && deliveryProblems.length === 0 && Object.values(alive).every(Boolean),
    detail: `${counters.non2xx} webhooks not 2xx of ${counters.answered} (answers: ${Object.entries(counters.codes).map(([c, n]) => `${c} ${n}`).join(', ')}); ${failed} failed jobs; ${errorLines} error-level log lines and ${foreignLines} lines that are not the gateway's JSON (${Object.entries(logs).map(([n, l]) => `${n} ${l.errorCount}+${l.foreignCount}`).join(', ')}); ${deliveryProblems.reduce((a, m) => a + m.value, 0)} WeCom calls not accepted; processes alive to the end: ${Object.entries(alive).map(([n, a]) => `${n} ${a ? 'yes' : 'NO'}`).join(', ')}`,
  });

  // Accounting. Every accepted alert either repeats a notification whose job Redis already
  // holds (same job id: stored once) or is a job of its own, decided once by a worker (a fate);
  // each queued one is a WeCom message sent; merged ones went into storm summaries, digested
  // ones wait for their digest. The soak knows which alerts repeat a notification it sent.
  const enqueued = sumOf(ingestMetrics, 'ng_jobs_enqueued_total');
  const repeats = counters.byDraw.resend;
  const expectedJobs = counters.alerts - repeats;
  const left = (c: Record<string, number>) => c.waiting + c.active + c.delayed + c.prioritized;
  const capped = counts.alerts.completed >= COMPLETED_KEPT;
  const alertMessages = deliveries({ kind: 'alert', outcome: 'success' });
  const escalations = sumOf(workerMetrics, 'ng_escalations_total');
  const checks: Array<[string, boolean]> = [
    [`ingest stored ${enqueued} of ${counters.alerts} accepted alerts`, enqueued === counters.alerts],
    [`${repeats} repeated an earlier notification (kept as its one job), ${expectedJobs} were new: the workers decided ${decided} (${Object.entries(fates).map(([k, n]) => `${k} ${n}`).join(', ')})`, capped ? decided >= expectedJobs && decided <= counters.alerts : decided === expectedJobs],
    [`${counts.alerts.completed} completed alert jobs in Redis`, capped || counts.alerts.completed === expectedJobs],
    [`${fates.queued ?? 0} queued → ${alertMessages} alert messages sent${escalations ? ` (${escalations} of them escalations)` : ''}`, alertMessages === (fates.queued ?? 0) + escalations],
    [`${fates.merged ?? 0} merged → ${deliveries({ kind: 'storm', outcome: 'success' })} storm summaries sent`, !fates.merged || deliveries({ kind: 'storm', outcome: 'success' }) > 0],
    [`${fates.digested ?? 0} digested (${deliveries({ kind: 'digest', outcome: 'success' })} digests sent during the run; the rest wait for the next)`, true],
    [`the fake WeCom accepted ${wecomStats.accepted} messages, the workers logged ${Object.values(logs).reduce((a, l) => a + l.sentParts, 0)} sent (${delivered} deliveries)`, wecomStats.accepted === Object.values(logs).reduce((a, l) => a + l.sentParts, 0)],
    [`left in the queues: alerts ${left(counts.alerts)}, deliveries ${left(counts.deliveries)}${drainedAfterS === undefined ? ` (not drained ${DRAIN_TIMEOUT_MS / 60_000} min after the load)` : `; drained ${f(drainedAfterS, 1)} s after the load`}`, left(counts.alerts) + left(counts.deliveries) === 0],
  ];
  verdicts.push({
    what: 'every alert accounted for',
    pass: checks.every(([, ok]) => ok),
    detail: `${checks.map(([text, ok]) => `${ok ? '' : '✘ '}${text}`).join('; ')}${capped ? `; BullMQ's cap of ${COMPLETED_KEPT} completed jobs was reached, so a repeat of an evicted job id is decided again: checked as a range` : ''}`,
  });

  // Not a verdict: what Redis's growth went with. Completed alert jobs are kept 24 h (100,000 at
  // most) and each decided alert is kept in the history (HISTORY_RETENTION, HISTORY_MAX_ALERTS),
  // so a run shorter than those grows by design; bytes per kept job that stay put say retention,
  // not a leak.
  const kept = growthOf(samples, (s) => s.queues.alerts?.completed ?? NaN, w);
  const redisGrowth = memory['Redis used_memory'];
  // Once the cap of kept jobs is reached their number stands still: no bytes per job to give.
  const keptPerJob = kept.last === kept.first ? 'the number at its cap, so no bytes per job' : `${f(((redisGrowth.last - redisGrowth.first) * 1024 * 1024) / (kept.last - kept.first))} bytes per job kept (its history record, problem state and deliveries included)`;
  const notes = [
    `Redis used_memory ${f(redisGrowth.first, 1)} → ${f(redisGrowth.last, 1)} MB while the completed alert jobs Redis keeps went ${f(kept.first)} → ${f(kept.last)}: ${keptPerJob}; ${f(redisAfterDrain.usedMb, 1)} MB and ${redisAfterDrain.keys} keys after the drain`,
  ];

  const results = {
    at: new Date(startedAt).toISOString(),
    machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, redis: redisVersion },
    settings: { minutes, rate, warmupMinutes, caps, sampleSeconds: SAMPLE_MS / 1000, workers: 2, standingProblems: STANDING, loadSeconds },
    windows: w,
    verdicts,
    pass: verdicts.every((v) => v.pass),
    memory,
    notes,
    load: { ...counters },
    accounting: { enqueued, expectedJobs, repeats, fates, deliveries: byLabel(workerMetrics.filter((m) => m.labels.outcome === 'success'), 'ng_deliveries_total', 'kind'), wecom: { accepted: wecomStats.accepted, sendCalls: wecomStats.sendCalls }, queues: counts, drainedAfterS },
    redisAfterDrain,
    logs,
    samplesMissed: sampler.missed(),
    samples,
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, `bench/results/${output}.json`), `${JSON.stringify(results, null, 2)}\n`);

  const series: Record<string, (s: (typeof samples)[number]) => number> = {
    ...Object.fromEntries(Object.keys(procs).map((name) => [name, (s: (typeof samples)[number]) => s.rssMb[name]])),
    'Redis used_memory': (s) => s.redisUsedMb,
    'Redis: pending digests': (s) => s.digestsMb,
  };
  await plotLines(
    Object.entries(series).map(([name, value]) => ({ name, points: samples.map((s) => [s.t, value(s)] as [number, number]) })),
    {
      title: `Soak: ${f(loadSeconds / 60, 1)} min at ${rate} alerts/s, 1 ingest + 2 workers${Object.keys(caps).length ? `, ${Object.entries(caps).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`,
      subtitle: [
        `RSS of each process, Redis used_memory and its pending digests, every ${SAMPLE_MS / 1000} s; ${results.at.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cores} cores, node ${process.version}`,
        results.pass ? 'all verdicts pass' : `failed: ${verdicts.filter((v) => !v.pass).map((v) => v.what).join(', ')}`,
      ],
      spans: [
        { label: 'warm-up', from: 0, to: w.warmupS, shade: false },
        { label: 'first window', from: w.first[0], to: w.first[1] },
        { label: 'last window', from: w.last[0], to: w.last[1] },
      ],
      file: path.join(root, `docs/bench/${output}.png`),
    },
  );
  // An hour's logs are hundreds of MB: kept only when a verdict failed, to read why.
  const logFiles = Object.values(procs).map((p) => p.logFile);
  if (results.pass) for (const file of logFiles) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  fs.rmSync(redisDir, { recursive: true, force: true });
  console.log(`\n${verdicts.map(verdictLine).join('\n')}\n${notes.map((n) => `note  ${n}`).join('\n')}\n\n(bench/results/${output}.json, docs/bench/${output}.png${results.pass ? '' : `; the logs: ${logFiles.join(' ')}`})`);
  process.exitCode = results.pass ? 0 : 1;
}

main().catch((err) => {
  console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
