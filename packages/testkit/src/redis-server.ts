import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './procs';

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** Is this port free to listen on (127.0.0.1)? */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A spare port for a cluster node: Redis Cluster also listens on the port + 10,000 (its bus), so
 * the port must be at most 55,535 and the bus port free too. A plain spare port is neither, about
 * one time in five: the node then refuses to start and the cluster cannot be created.
 */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port <= 55_535 && (await canListen(port + 10_000))) return port;
  }
}

/** A redis-server of the suite's own, on a spare port, optionally with AOF as in docker-compose.yml. */
export async function startRedisServer(opts: { port?: number; aof?: boolean; cluster?: boolean; dir?: string; args?: string[] } = {}) {
  const port = opts.port ?? (opts.cluster ? await freeClusterPort() : await freePort());
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
  try {
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    for (const n of nodes) n.kill();
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`redis-cli --cluster create failed: ${`${stdout ?? ''}${stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ')}`);
  }
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
