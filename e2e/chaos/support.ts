import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, createRedis, hashId } from '@ng/core';
import { REDIS_URL, dropPrefix, freePort, root, sleep, startFakeWecomProc, startProc, type Proc } from '@ng/testkit';

export { freePort, sleep, startFakeWecomProc };

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/**
 * A redis-server of the suite's own, on a spare port, optionally with AOF as in docker-compose.yml;
 * args come last, so they override (e.g. --requirepass, --maxmemory-policy, TLS).
 */
export async function startRedisServer(opts: { port?: number; aof?: boolean; cluster?: boolean; dir?: string; args?: string[] } = {}) {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction'];
  args.push('--appendonly', opts.aof ? 'yes' : 'no', '--appendfsync', 'everysec');
  if (opts.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000');
  args.push(...(opts.args ?? []));
  let child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const waitUp = async () => {
    for (let i = 0; i < 200 && !(await portOpen(port)); i++) await sleep(25);
  };
  await waitUp();
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    /** A clean stop: with AOF, Redis fsyncs before it exits. */
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        execFileSync('redis-cli', ['-p', String(port), 'shutdown']);
      } catch {
        child.kill('SIGTERM');
      }
      await exited;
    },
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitUp();
      // Loading the AOF can take a moment after the port opens.
      for (let i = 0; i < 200; i++) {
        try {
          if (execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG') return;
        } catch {
          // still loading
        }
        await sleep(25);
      }
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** A local Redis Cluster of three masters (redis-cli --cluster create). */
export async function startRedisCluster() {
  const nodes: Array<Awaited<ReturnType<typeof startRedisServer>>> = [];
  for (let i = 0; i < 3; i++) nodes.push(await startRedisServer({ cluster: true }));
  execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const info = execFileSync('redis-cli', ['-p', String(nodes[0].port), 'cluster', 'info'], { encoding: 'utf8' });
    if (info.includes('cluster_state:ok')) break;
    await sleep(50);
  }
  return {
    url: `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    async stop() {
      for (const n of nodes) n.kill();
    },
  };
}

/** A master and one Sentinel watching it (quorum 1), reached as redis-sentinel://…/mymaster. */
export async function startRedisSentinel() {
  const master = await startRedisServer();
  const port = await freePort();
  const conf = path.join(master.dir, 'sentinel.conf');
  fs.writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${master.dir}\nsentinel monitor mymaster 127.0.0.1 ${master.port} 1\nsentinel down-after-milliseconds mymaster 2000\n`);
  const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await portOpen(port)); i++) await sleep(25);
  return {
    url: `redis-sentinel://127.0.0.1:${port}/mymaster`,
    async stop() {
      sentinel.kill('SIGKILL');
      master.kill();
    },
  };
}

export const appEnv = (wecomUrl: string) => ({
  WEIXIN_API_BASE: wecomUrl,
  WEIXIN_CORP_ID: 'ww-test-corp',
  WEIXIN_CORP_SECRET: 'test-corp-secret-value',
  WEIXIN_AGENT_ID: '1000002',
});

export function uniquePrefix(name: string) {
  return `{chaos-${name}-${randomBytes(3).toString('hex')}}`;
}

/** ingest and workers as real processes, sharing one prefix and one Redis. */
export async function startGateway(opts: { redisUrl: string; env: Record<string, string>; workers: number; name: string; ingestNodeArgs?: string[] }) {
  const prefix = uniquePrefix(opts.name);
  const port = await freePort();
  const common: Record<string, string> = { REDIS_URL: opts.redisUrl, QUEUE_PREFIX: prefix, JOB_LOCK_MS: '2000', BACKOFF_BASE_MS: '200', ...opts.env };
  const ingest = startProc(path.join(root, 'apps/ingest/dist/main.js'), { ...common, PORT: String(port) }, { nodeArgs: opts.ingestNodeArgs });
  const workers: Proc[] = [];
  const startWorker = async () => {
    const proc = startProc(path.join(root, 'apps/worker/dist/main.js'), { ...common, METRICS_PORT: String(await freePort()) });
    workers.push(proc);
    return proc;
  };
  for (let i = 0; i < opts.workers; i++) await startWorker();
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      // starting
    }
    await sleep(25);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const connection = createRedis(opts.redisUrl, 'worker');
  const queue = new Queue(QUEUE_NAMES.alerts, { connection, prefix });
  return {
    prefix,
    port,
    ingest,
    workers,
    queue,
    startWorker,
    /** POST a body; resolves with the status code (0 when the connection failed). */
    post(pathname: string, body: string, headers: Record<string, string> = {}): Promise<number> {
      return new Promise((resolve) => {
        const req = http.request(
          { host: '127.0.0.1', port, path: pathname, method: 'POST', agent, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.on('timeout', () => req.destroy());
        req.end(body);
      });
    },
    /** Waits until no alert job is waiting, active or delayed. */
    async drained(timeoutMs = 120_000): Promise<number> {
      const started = Date.now();
      for (;;) {
        try {
          const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (c.waiting + c.active + c.delayed + c.prioritized === 0) return Date.now() - started;
        } catch {
          // Redis restarting
        }
        if (Date.now() - started > timeoutMs) throw new Error('the queue did not drain');
        await sleep(100);
      }
    },
    logs(): string {
      return [ingest, ...workers].map((p) => p.output()).join('\n');
    },
    async stop() {
      await Promise.all([ingest.stop(), ...workers.map((w) => w.stop())]);
      agent.destroy();
      await queue.close().catch(() => undefined);
      connection.disconnect();
      // The suite's own Redis servers go away with it; the shared one keeps nothing of the run.
      if (opts.redisUrl === REDIS_URL) await dropPrefix(prefix);
    },
  };
}

/** One Alertmanager notification holding one distinct firing alert. */
export function alertmanagerWebhook(n: number, opts: { severity?: string; tag?: string } = {}): string {
  const alertname = `Chaos${opts.tag ?? ''}${n}x`;
  return JSON.stringify({
    receiver: 'gateway', status: 'firing', version: '4', groupKey: `{}:{alertname="${alertname}"}`, truncatedAlerts: 0,
    groupLabels: { alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am:9093',
    alerts: [{
      status: 'firing', labels: { alertname, severity: opts.severity ?? 'critical', instance: `node-${n % 50}:9100`, job: 'node' },
      annotations: { summary: `chaos alert ${n}` }, startsAt: '2026-11-25T06:00:00.000Z', endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '', fingerprint: hashId('chaos', opts.tag, n).slice(0, 16),
    }],
  });
}

/**
 * The ledger of a scenario: every accepted alert is delivered (alone or inside a storm summary),
 * counted as a duplicate, digested, silenced or failed with a reason; lost must be 0.
 */
export function ledger(input: {
  accepted: string[]; // alert names answered 202
  messages: Array<{ content: string }>;
  failedNames?: string[];
  otherFates?: Record<string, number>;
}) {
  const namePattern = /Chaos[\w]*?\d+x/g;
  const deliveredCounts = new Map<string, number>();
  let summarised = 0;
  for (const m of input.messages) {
    const names = new Set(m.content.match(namePattern) ?? []);
    for (const name of names) deliveredCounts.set(name, (deliveredCounts.get(name) ?? 0) + 1);
    const storm = /风暴合并: (\d+) 条告警/.exec(m.content);
    if (storm) summarised += Number(storm[1]) - names.size;
  }
  const failed = new Set(input.failedNames ?? []);
  const missing = input.accepted.filter((name) => !deliveredCounts.has(name) && !failed.has(name));
  // Alerts counted inside a storm summary's "+N more" are delivered, unnamed.
  const lost = Math.max(0, missing.length - summarised);
  const duplicateSends = [...deliveredCounts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return {
    accepted: input.accepted.length,
    delivered: input.accepted.length - missing.length + Math.min(summarised, missing.length),
    failed: failed.size,
    ...input.otherFates,
    lost,
    duplicateSends,
    missingExamples: lost > 0 ? missing.slice(0, 5) : [],
  };
}

/** Appends a scenario's ledger to the report printed at the end of the suite. */
export function report(scenario: string, row: Record<string, unknown>) {
  const file = path.join(root, 'e2e/chaos/ledger.json');
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  all[scenario] = row;
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`[ledger] ${scenario}: ${JSON.stringify(row)}`);
}
