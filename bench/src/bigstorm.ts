import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRedis, hashId } from '@ng/core';
import { percentile, root, sleep, startFakeWecomProc, startRedisServer } from '@ng/testkit';
import { amWebhook, readRedis, series, startStack, webhookClient, wecomApp } from './stack';

/**
 * BENCH_ONLY=bigstorm: 100,000 Alertmanager webhooks in 60 s, each a new notification (its own
 * startsAt) of one of 1,000 problems, through one ingest and BIGSTORM_WORKERS workers (1 unless
 * set) into the fake WeCom at WeCom's real budget (30 app messages a minute). The sender is
 * Alertmanager-like: at most BIGSTORM_CONNECTIONS connections, a 10 s timeout, and on a 503 (or
 * a timeout) it retries after Retry-After (or a short backoff) until the webhook is accepted.
 * Then: every webhook accepted? every job done, nothing failed, within 2 minutes of the last
 * webhook? how many WeCom messages? Redis is a redis-server of the run's own.
 */
const N = Number(process.env.BIGSTORM_WEBHOOKS ?? 100_000);
const SECONDS = Number(process.env.BIGSTORM_SECONDS ?? 60);
const PROBLEMS = Number(process.env.BIGSTORM_PROBLEMS ?? 1000);
const WORKERS = Number(process.env.BIGSTORM_WORKERS ?? 1);
const CONNECTIONS = Number(process.env.BIGSTORM_CONNECTIONS ?? 64);
const ACCOUNT_WITHIN_MS = 120_000;
/** A sender gives a webhook up this long after the last one first left (Alertmanager would at its next group_interval). */
const GIVE_UP_AFTER_MS = 120_000;

export async function bigstormBench() {
  const redis = await startRedisServer();
  const wecom = await startFakeWecomProc({});
  const stack = await startStack({
    redisUrl: redis.url, prefix: '{ng}', workers: WORKERS,
    // As shipped, but WeCom's real budget and the operators' log level.
    env: { ...wecomApp(wecom.url), APP_RATE_LIMIT_PER_MIN: '30', LOG_LEVEL: 'info' },
  });
  const info = createRedis(redis.url, 'worker');
  const client = webhookClient(stack.port, CONNECTIONS);
  try {
    await sleep(1000);
    const redisBefore = await readRedis(info);
    const cpu0 = process.cpuUsage();

    let accepted = 0;
    let firstTry = 0;
    let after503 = 0;
    let afterError = 0;
    let refused = 0;
    let gaveUp = 0;
    let lastSentAt = 0;
    let lastFirstAnsweredAt = 0;
    let lastAcceptedAt = 0;
    let allSentAt: number | undefined;
    const statuses: Record<string, number> = {};
    const retryAfters: Record<string, number> = {};
    const saw503 = new Set<number>();
    const firstLatencies: number[] = [];
    let settle: () => void = () => undefined;
    const allSettled = new Promise<void>((r) => (settle = r));
    const settled = () => accepted + refused + gaveUp === N && settle();

    /** Attempt `tries` of webhook i; its connection is already acquired. */
    const fire = (i: number, body: string, tries: number) => {
      const t0 = performance.now();
      void client.post('/webhook/alertmanager', body).then((answer) => {
        client.release();
        const now = Date.now();
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (tries === 1) {
          firstLatencies.push(performance.now() - t0);
          lastFirstAnsweredAt = now;
        }
        if (answer.status >= 200 && answer.status < 300) {
          accepted++;
          lastAcceptedAt = now;
          if (tries === 1) firstTry++;
          else if (saw503.has(i)) after503++;
          else afterError++;
          return settled();
        }
        if (answer.status >= 400 && answer.status < 500) {
          refused++; // Alertmanager does not retry a 4xx either
          return settled();
        }
        if (answer.status === 503) saw503.add(i);
        if (answer.retryAfterS) retryAfters[answer.retryAfterS] = (retryAfters[answer.retryAfterS] ?? 0) + 1;
        const waitMs = answer.retryAfterS ? answer.retryAfterS * 1000 : Math.min(500 * 2 ** (tries - 1), 8000);
        if (now + waitMs > (allSentAt ?? Infinity) + GIVE_UP_AFTER_MS) {
          gaveUp++;
          return settled();
        }
        setTimeout(() => void client.acquire().then(() => fire(i, body, tries + 1)), waitMs);
      });
    };

    // Every second: how far the sender and the queue are.
    const timeline: Array<{ s: number; sent: number; accepted: number; alertsWaiting: number }> = [];
    let sent = 0;
    const start = Date.now();
    let sampling = false;
    const sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      void stack.queues.alerts
        .getJobCounts('waiting', 'prioritized')
        .then((c) => timeline.push({ s: Math.round((Date.now() - start) / 1000), sent, accepted, alertsWaiting: (c.waiting ?? 0) + (c.prioritized ?? 0) }))
        .catch(() => undefined)
        .finally(() => (sampling = false));
    }, 1000);

    for (let i = 0; i < N; i++) {
      const due = start + (i * SECONDS * 1000) / N;
      const ahead = due - Date.now();
      if (ahead >= 1) await sleep(ahead);
      await client.acquire();
      const n = i % PROBLEMS;
      // A new notification (its own startsAt) about one of the problems.
      fire(i, amWebhook(`BigStorm${n}`, hashId('bigstorm', n).slice(0, 16), new Date(start + i).toISOString()), 1);
      sent++;
      lastSentAt = Date.now();
    }
    allSentAt = lastSentAt;
    await allSettled;
    clearInterval(sampler);
    const clientCpu = process.cpuUsage(cpu0);

    // Accounted for: no alert or delivery job left, no storm summary to come, nothing failed.
    let left = await stack.left();
    let accountedAt: number | undefined;
    const lastWebhook = lastAcceptedAt || allSentAt;
    while (Date.now() < lastWebhook + ACCOUNT_WITHIN_MS + 180_000) {
      left = await stack.left();
      if (left.alerts + left.deliveries + left.stormTicks === 0) {
        accountedAt = Date.now();
        break;
      }
      await sleep(250);
    }
    await sleep(500); // the fake WeCom's count of the last send
    const metrics = await stack.metrics();
    const stats = await wecom.stats();
    const redisAfter = await readRedis(info);
    const cpu = {
      ingest: stack.ingest.cpuSeconds(),
      workers: stack.workers.reduce((s, w) => s + w.cpuSeconds(), 0),
      redis: redisAfter.cpu - redisBefore.cpu,
      fakeWecom: wecom.proc.cpuSeconds(),
      client: (clientCpu.user + clientCpu.system) / 1e6,
    };
    const sendSeconds = (allSentAt - start) / 1000;
    const answeredSeconds = (lastFirstAnsweredAt - start) / 1000;
    const fates = series(metrics.workers, 'ng_alert_fates_total');
    const results = {
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgAtEnd: os.loadavg() },
      setup: { webhooks: N, seconds: SECONDS, problems: PROBLEMS, workers: WORKERS, connections: CONNECTIONS, appRateLimitPerMin: 30, redis: 'own redis-server', logLevel: 'info' },
      webhooks: {
        firstTry2xx: firstTry, after503Accepted: after503, afterTimeoutOrErrorAccepted: afterError, neverAccepted: N - accepted, refused4xx: refused, gaveUp,
        statusesOfAllAttempts: statuses, retryAfterSeconds: retryAfters,
      },
      send: {
        offeredPerSec: N / SECONDS,
        lastLeftAfterSec: sendSeconds,
        achievedPerSec: N / sendSeconds,
        lastFirstAnswerAfterSec: answeredSeconds,
        lastAcceptedAfterSec: (lastWebhook - start) / 1000,
        firstTryLatencyMs: { p50: Math.round(percentile(firstLatencies, 50)), p99: Math.round(percentile(firstLatencies, 99)), max: Math.round(Math.max(...firstLatencies)) },
        peakAlertBacklog: Math.max(0, ...timeline.map((t) => t.alertsWaiting)),
      },
      accounted: {
        withinLimit: accountedAt !== undefined && accountedAt - lastWebhook <= ACCOUNT_WITHIN_MS,
        secondsAfterLastWebhook: accountedAt === undefined ? null : (accountedAt - lastWebhook) / 1000,
        left: { alerts: left.alerts, deliveries: left.deliveries, stormTicks: left.stormTicks, failed: left.failed },
        alertJobsCompleted: left.alertsCompleted,
        deliveryJobsCompleted: left.deliveriesCompleted,
        fates,
        fatesTotal: Object.values(fates).reduce((a, b) => a + b, 0),
        deliveries: series(metrics.workers, 'ng_deliveries_total'),
        ingestRejected: series(metrics.ingest, 'ng_webhooks_rejected_total'),
        ingestEnqueued: series(metrics.ingest, 'ng_jobs_enqueued_total'),
      },
      wecom: { messages: stats.accepted, sendCalls: stats.sendCalls, gettokenCalls: stats.gettokenCalls },
      cpuSeconds: cpu,
      redisMemoryMb: Math.round(redisAfter.usedMemory / 2 ** 20),
      timeline,
    };
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/bigstorm.json'), `${JSON.stringify(results, null, 2)}\n`);

    const f = (x: number, d = 0) => x.toFixed(d);
    const w = results.webhooks;
    const rows = [
      ['setup', `${N} Alertmanager webhooks offered over ${SECONDS} s (${f(N / SECONDS)}/s), ${PROBLEMS} problems; 1 ingest + ${WORKERS} worker${WORKERS > 1 ? 's' : ''}; APP_RATE_LIMIT_PER_MIN=30; ${CONNECTIONS} connections`],
      ['answered 2xx first try', `${w.firstTry2xx}`],
      ['503, then accepted', `${w.after503Accepted}${w.afterTimeoutOrErrorAccepted ? `; timed out or refused connection, then accepted: ${w.afterTimeoutOrErrorAccepted}` : ''} (all attempts: ${Object.entries(statuses).map(([s, n]) => `${s}×${n}`).join(', ')})`],
      ['never accepted', `${w.neverAccepted}${refused ? ` (${refused} answered 4xx)` : ''}`],
      ['send rate achieved', `${f(results.send.achievedPerSec)}/s: the last webhook left after ${f(sendSeconds, 1)} s, its first answer came at ${f(answeredSeconds, 1)} s, the last acceptance at ${f(results.send.lastAcceptedAfterSec, 1)} s; first-try latency p50 ${results.send.firstTryLatencyMs.p50} ms, p99 ${results.send.firstTryLatencyMs.p99} ms`],
      ['accounted for', accountedAt === undefined ? `NOT drained ${f((Date.now() - lastWebhook) / 1000)} s after the last webhook: ${JSON.stringify(results.accounted.left)}` : `${f(results.accounted.secondsAfterLastWebhook!, 1)} s after the last webhook (peak backlog ${results.send.peakAlertBacklog} alert jobs); ${left.failed} failed; ${left.alertsCompleted} alert jobs done; fates ${Object.entries(fates).map(([k, v]) => `${k.replace(/[{}"]|fate=/g, '')} ${v}`).join(', ')}`],
      ['WeCom messages sent', `${stats.accepted} (${stats.sendCalls} send calls)`],
      ['CPU seconds', Object.entries(cpu).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ') + `; Redis ${results.redisMemoryMb} MB at the end`],
    ];
    console.log(`\nbigstorm (${os.cpus().length} cores, node ${process.version})\n\n| | |\n|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n\n(bench/results/bigstorm.json)`);
    return results;
  } finally {
    client.close();
    info.disconnect();
    await stack.stop();
    await wecom.proc.stop();
    await redis.stop();
  }
}
