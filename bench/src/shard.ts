import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRedis, hashId } from '@ng/core';
import { root, sleep, startFakeWecomProc, startRedisServer } from '@ng/testkit';
import { amWebhook, readRedis, startStack, webhookClient, wecomApp, type RedisReading } from './stack';

/**
 * BENCH_ONLY=shard: what one accepted alert costs Redis, read from Redis's own INFO. The gateway
 * (one ingest, one worker, the fake WeCom) runs against a redis-server of its own; SHARD_ALERTS
 * distinct criticals go through ingest's HTTP endpoint (so ingest's writes count) and are each
 * delivered as a card (no storm merging, no rate limit). CPU, commands and network bytes before
 * and after, divided by the alerts, say how many alerts a second one Redis shard sustains.
 */
const N = Number(process.env.SHARD_ALERTS ?? 20_000);
const CONNECTIONS = Number(process.env.SHARD_CONNECTIONS ?? 32);
const IDLE_MS = 5000;

export async function shardBench() {
  const redis = await startRedisServer();
  const wecom = await startFakeWecomProc({ FAKE_WECOM_KEEP_MESSAGES: '0', FAKE_WECOM_ROBOT_PER_MINUTE: '100000000' });
  const stack = await startStack({
    redisUrl: redis.url, prefix: '{ng}', workers: 1,
    // Every alert its own card, as in the drain benchmark; warn: the Node processes' logs cost Redis nothing.
    env: { ...wecomApp(wecom.url), APP_RATE_LIMIT_PER_MIN: '100000000', STORM_THRESHOLD: '100000000', LOG_LEVEL: 'warn' },
  });
  const info = createRedis(redis.url, 'worker');
  const client = webhookClient(stack.port, CONNECTIONS);
  try {
    await sleep(2000);
    // The idle gateway's own load on Redis (blocked workers, clock ticks), to set beside the figure.
    const idleFrom = await readRedis(info);
    await sleep(IDLE_MS);
    const before = await readRedis(info);

    let accepted = 0;
    const statuses: Record<string, number> = {};
    const send = async (body: string) => {
      for (let tries = 1; ; tries++) {
        await client.acquire();
        const answer = await client.post('/webhook/alertmanager', body);
        client.release();
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status >= 200 && answer.status < 300) return void accepted++;
        if ((answer.status >= 400 && answer.status < 500) || tries >= 20) return;
        await sleep(answer.retryAfterS ? answer.retryAfterS * 1000 : 500);
      }
    };
    const start = Date.now();
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < N; i++) {
      // Distinct problems, each one firing critical: every alert becomes its own card.
      sends.push(send(amWebhook(`Shard${i}`, hashId('shard', i).slice(0, 16), new Date(start).toISOString())));
    }
    await Promise.all(sends);
    const sentAt = Date.now();
    // Delivered: the fake WeCom has every card (asked over HTTP, which costs Redis nothing) and no job is left.
    let stats = await wecom.stats();
    let left = await stack.left();
    while ((stats.accepted < accepted || left.alerts + left.deliveries > 0) && Date.now() < sentAt + 300_000) {
      await sleep(250);
      stats = await wecom.stats();
      if (stats.accepted >= accepted) left = await stack.left();
    }
    const doneAt = Date.now();
    const after = await readRedis(info);
    if (accepted < N || stats.accepted < N || left.failed > 0) {
      throw new Error(`shard: ${accepted}/${N} accepted (${JSON.stringify(statuses)}), ${stats.accepted} delivered, ${left.failed} failed`);
    }

    const per = (a: RedisReading, b: RedisReading, k: 'cpu' | 'cpuMain' | 'commandsProcessed' | 'netIn' | 'netOut') => ((b[k] ?? 0) - (a[k] ?? 0)) / N;
    const callsDelta: Record<string, number> = {};
    for (const [cmd, calls] of Object.entries(after.calls)) {
      const d = calls - (before.calls[cmd] ?? 0);
      if (d > 0) callsDelta[cmd] = d;
    }
    const totalCalls = Object.values(callsDelta).reduce((a, b) => a + b, 0);
    const idleSeconds = (before.at - idleFrom.at) / 1000;
    const cpuMsPerAlert = per(before, after, 'cpu') * 1000;
    const mainMsPerAlert = before.cpuMain === undefined ? undefined : per(before, after, 'cpuMain') * 1000;
    const limiting = mainMsPerAlert ?? cpuMsPerAlert;
    const seconds = (doneAt - start) / 1000;
    const results = {
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, redis: /redis_version:(\S+)/.exec(await info.info('server'))?.[1], loadavgAtEnd: os.loadavg() },
      setup: { alerts: N, connections: CONNECTIONS, ingest: 1, workers: 1, note: 'distinct criticals via POST /webhook/alertmanager, each delivered as its own card; history on (as shipped)' },
      accepted, statuses, delivered: stats.accepted,
      seconds: { send: (sentAt - start) / 1000, total: seconds },
      alertsPerSecHere: N / seconds,
      redisCpuShareOfOneCoreHere: (after.cpu - before.cpu) / seconds,
      perAlert: {
        cpuMs: cpuMsPerAlert,
        cpuMainThreadMs: mainMsPerAlert,
        commandstatsCalls: totalCalls / N,
        commandsProcessed: per(before, after, 'commandsProcessed'),
        netInBytes: per(before, after, 'netIn'),
        netOutBytes: per(before, after, 'netOut'),
        usedMemoryBytes: (after.usedMemory - before.usedMemory) / N,
        topCommands: Object.fromEntries(Object.entries(callsDelta).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, Number((v / N).toFixed(2))])),
      },
      idlePerSec: {
        cpuMs: ((before.cpu - idleFrom.cpu) * 1000) / idleSeconds,
        commands: (before.commandsProcessed - idleFrom.commandsProcessed) / idleSeconds,
      },
      oneShard: { alertsPerSecAt100: 1000 / limiting, alertsPerSecAt70: 700 / limiting, from: mainMsPerAlert === undefined ? 'used_cpu_sys + used_cpu_user' : 'main thread CPU' },
    };
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench/results/shard.json'), `${JSON.stringify(results, null, 2)}\n`);

    const f = (x: number, d = 0) => x.toFixed(d);
    const p = results.perAlert;
    const rows = [
      ['Redis CPU', `${f(p.cpuMs, 3)} ms (process)${p.cpuMainThreadMs === undefined ? '' : `, ${f(p.cpuMainThreadMs, 3)} ms (main thread)`}`],
      ['commands', `${f(p.commandstatsCalls, 1)} (INFO commandstats calls, inside Lua included); ${f(p.commandsProcessed, 1)} total_commands_processed; most: ${Object.entries(p.topCommands).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(', ')}`],
      ['network', `${f(p.netInBytes)} B in, ${f(p.netOutBytes)} B out`],
      ['memory', `${f(p.usedMemoryBytes)} B (used_memory, completed jobs and history kept)`],
      ['one shard, one core at 100 %', `${f(results.oneShard.alertsPerSecAt100)} alerts/s`],
      ['one shard at 70 %', `${f(results.oneShard.alertsPerSecAt70)} alerts/s`],
      ['this run', `${N} alerts in ${f(seconds, 1)} s (${f(results.alertsPerSecHere)}/s), Redis at ${f(results.redisCpuShareOfOneCoreHere * 100)} % of a core; idle gateway: ${f(results.idlePerSec.cpuMs, 1)} ms Redis CPU/s, ${f(results.idlePerSec.commands, 1)} commands/s`],
    ];
    console.log(`\nshard: Redis per accepted alert (${N} distinct criticals, ingest HTTP → 1 worker → fake WeCom)\n\n| per alert | |\n|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n\n(bench/results/shard.json)`);
    return results;
  } finally {
    client.close();
    info.disconnect();
    await stack.stop();
    await wecom.proc.stop();
    await redis.stop();
  }
}
