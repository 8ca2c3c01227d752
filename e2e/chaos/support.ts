import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hashId } from '@ng/core';
import { freePort, root, sleep, startFakeWecomProc } from '@ng/testkit';

export { appEnv, freePort, sleep, startFakeWecomProc, startGateway, uniquePrefix } from '@ng/testkit';

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** A redis-server of the suite's own, on a spare port, optionally with AOF as in docker-compose.yml. */
export async function startRedisServer(opts: { port?: number; aof?: boolean; cluster?: boolean; dir?: string } = {}) {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction'];
  args.push('--appendonly', opts.aof ? 'yes' : 'no', '--appendfsync', 'everysec');
  if (opts.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000');
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
