import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, freePort, root, startProc, waitForOutput } from '@ng/testkit';
import { startRedisCluster, startRedisSentinel, startRedisServer } from '../chaos/support';

/**
 * The first-hour mistakes with REDIS_URL, each through a real entry point: the process must end
 * within 10 s with one line naming the cause and the fix, the documented exit code, and no
 * stack trace. The table printed at the end is the one the README quotes.
 */
const ENTRY = {
  gateway: path.join(root, 'apps/gateway/dist/main.js'),
  ingest: path.join(root, 'apps/ingest/dist/main.js'),
  worker: path.join(root, 'apps/worker/dist/main.js'),
};
type Entry = keyof typeof ENTRY;

interface Ended {
  code: number | null;
  ms: number;
  output: string;
}

/**
 * A start-up that has not ended by now hangs. The times themselves are figures (printed in the
 * table below; 1–6 s here idle): a loaded CI machine must not turn them into failures.
 */
const HANG_MS = 30_000;

async function runUntilExit(entry: Entry, env: Record<string, string>): Promise<Ended> {
  const started = Date.now();
  const proc = startProc(ENTRY[entry], { PORT: String(await freePort()), METRICS_PORT: String(await freePort()), QUEUE_PREFIX: `{e2e-startup-${process.pid}}`, ...env });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), HANG_MS);
    proc.child.once('exit', (c) => (clearTimeout(timer), resolve(c)));
  });
  await proc.stop();
  return { code, ms: Date.now() - started, output: proc.output().trim() };
}

/** Stopped by kill: redis-cli shutdown cannot reach the password and TLS servers. */
const servers: Array<{ kill(): void }> = [];
const groups: Array<{ stop(): Promise<void> }> = [];
const dirs: string[] = [];
const sockets: Array<net.Server | http.Server> = [];
let ports: Record<string, number> = {};
let sentinelUrl = '';
let clusterUrl = '';
let caFile = '';

/** A self-signed certificate for localhost, as a small site makes one. */
function makeCertificate(dir: string) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  return { key, cert };
}

const listen = async (server: net.Server) => {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  sockets.push(server);
  return port;
};

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-startup-'));
  dirs.push(dir);
  const { key, cert } = makeCertificate(dir);
  caFile = cert;
  const withPassword = await startRedisServer({ args: ['--requirepass', 'right-password'] });
  const tlsPort = await freePort();
  const tls = await startRedisServer({ port: tlsPort, args: ['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no'] });
  const master = await startRedisServer();
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const full = await startRedisServer({ args: ['--maxmemory', '100kb'] });
  const readOnlyUser = await startRedisServer({ args: ['--user', 'reader', 'on', '>reader-password', '~*', '+@read', '+info', '+ping'] });
  const sentinel = await startRedisSentinel();
  const cluster = await startRedisCluster();
  servers.push(withPassword, tls, master, replica, full, readOnlyUser);
  groups.push(sentinel, cluster);
  dirs.push(...[withPassword, tls, master, replica, full, readOnlyUser].map((server) => server.dir));
  sentinelUrl = sentinel.url;
  clusterUrl = cluster.url;
  ports = {
    password: withPassword.port,
    tls: tlsPort,
    replica: replica.port,
    full: full.port,
    reader: readOnlyUser.port,
    free: await freePort(),
    http: await listen(http.createServer((_req, res) => res.end('hello'))),
    // Accepts connections and never says a word: a firewall's tarpit, a hung proxy.
    silent: await listen(net.createServer(() => undefined)),
  };
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.kill();
  for (const g of groups) await g.stop();
  for (const s of sockets) s.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const measured: Array<[string, string, number | null, number, string]> = [];
afterAll(() => {
  console.log(['case | entry | exit | ms | line', ...measured.map((row) => row.join(' | '))].join('\n'));
});

const sentinelPort = () => /:(\d+)\//.exec(sentinelUrl)![1];
const clusterNode = () => /redis-cluster:\/\/([^,]+)/.exec(clusterUrl)![1];

/** case, entry, environment, exit code, the line (after "<entry> cannot start: "). */
const CASES: Array<[string, Entry, () => Record<string, string>, number, RegExp]> = [
  ['no scheme', 'gateway', () => ({ REDIS_URL: '127.0.0.1:6379' }), 2, /^invalid configuration: REDIS_URL="127\.0\.0\.1:6379": expected redis:\/\/\[:password@\]host:port\[\/db\], .* e\.g\. REDIS_URL=redis:\/\/127\.0\.0\.1:6379$/],
  ['nothing listens', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.free}` }), 3, /^Redis at 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED, waited \d s\): start Redis .* or set REDIS_URL/],
  ['nothing listens', 'ingest', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.free}` }), 3, /^Redis at 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED/],
  ['nothing listens', 'worker', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.free}` }), 3, /^Redis at 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED/],
  ['wrong password', 'gateway', () => ({ REDIS_URL: `redis://:wrong@127.0.0.1:${ports.password}` }), 2, /^Redis at 127\.0\.0\.1:\d+ refused the password in REDIS_URL \(WRONGPASS\): put the right one in REDIS_URL, e\.g\. REDIS_URL=redis:\/\/:PASSWORD@127\.0\.0\.1:\d+ /],
  ['wrong password', 'ingest', () => ({ REDIS_URL: `redis://:wrong@127.0.0.1:${ports.password}` }), 2, /\(WRONGPASS\)/],
  ['wrong password', 'worker', () => ({ REDIS_URL: `redis://:wrong@127.0.0.1:${ports.password}` }), 2, /\(WRONGPASS\)/],
  ['password missing', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.password}` }), 2, /^Redis at 127\.0\.0\.1:\d+ wants a password and REDIS_URL gives none \(NOAUTH\): add it, e\.g\. REDIS_URL=redis:\/\/:PASSWORD@127\.0\.0\.1:\d+$/],
  ['no such database', 'gateway', () => ({ REDIS_URL: `${REDIS_URL}/99` }), 2, /^Redis at [\d.:]+ has no database 99 \(ERR DB index is out of range\): .* e\.g\. REDIS_URL=redis:\/\/[\d.:]+\/0$/],
  ['rediss:// to a plain Redis', 'gateway', () => ({ REDIS_URL: REDIS_URL.replace(/^redis:/, 'rediss:') }), 3, /did not complete a TLS handshake \(ETIMEDOUT, waited \d s\): if it does not serve TLS write REDIS_URL=redis:\/\//],
  ['redis:// to a TLS port', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.tls}` }), 2, /closed the connection before answering \(ECONNRESET\), as a TLS-only port does: write REDIS_URL=rediss:\/\/127\.0\.0\.1:\d+$/],
  ['TLS certificate not trusted', 'gateway', () => ({ REDIS_URL: `rediss://localhost:${ports.tls}` }), 2, /shows a TLS certificate Node does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\): give Node its CA, e\.g\. NODE_EXTRA_CA_CERTS=/],
  ['TLS certificate for another name', 'gateway', () => ({ REDIS_URL: `rediss://127.0.0.1:${ports.tls}`, NODE_EXTRA_CA_CERTS: caFile }), 2, /made for another name \(ERR_TLS_CERT_ALTNAME_INVALID\)/],
  ['sentinel URL at a plain Redis', 'gateway', () => ({ REDIS_URL: `redis-sentinel://${REDIS_URL.slice('redis://'.length)}/mymaster` }), 2, /is a Redis server, not a Sentinel \(ERR unknown command 'sentinel'\): write REDIS_URL=redis:\/\//],
  ['sentinel: unknown master name', 'gateway', () => ({ REDIS_URL: sentinelUrl.replace(/mymaster$/, 'mymastr') }), 2, /^Sentinel 127\.0\.0\.1:\d+ watches no master named "mymastr" \(it knows mymaster\): .* e\.g\. REDIS_URL=redis-sentinel:\/\/127\.0\.0\.1:\d+\/mymaster$/],
  ['redis:// at a Sentinel', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${sentinelPort()}` }), 2, /is a Sentinel, not the Redis that keeps the data: write REDIS_URL=redis-sentinel:\/\//],
  ['cluster URL at a plain Redis', 'gateway', () => ({ REDIS_URL: `redis-cluster://${REDIS_URL.slice('redis://'.length)}` }), 2, /is not a Cluster node \(cluster_enabled:0\): write REDIS_URL=redis:\/\//],
  ['redis:// at a Cluster node', 'gateway', () => ({ REDIS_URL: `redis://${clusterNode()}` }), 2, /is a Redis Cluster node: write REDIS_URL=redis-cluster:\/\//],
  ['cluster: no node answers', 'gateway', () => ({ REDIS_URL: `redis-cluster://127.0.0.1:${ports.free}` }), 3, /not reachable \(ECONNREFUSED/],
  ['a read-only replica', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.replica}` }), 2, /is a read-only replica \(READONLY\): point REDIS_URL at the master/],
  ['Redis full (maxmemory, noeviction)', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.full}` }), 2, /is full \(OOM, maxmemory reached and nothing may be evicted\): raise its maxmemory or free memory/],
  ['an ACL user without writes', 'gateway', () => ({ REDIS_URL: `redis://reader:reader-password@127.0.0.1:${ports.reader}` }), 2, /lets the REDIS_URL user in but not write \(NOPERM\)/],
  ['not Redis (an HTTP server)', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.http}` }), 2, /^Something answers at 127\.0\.0\.1:\d+, but not as Redis does/],
  ['accepts, never answers', 'gateway', () => ({ REDIS_URL: `redis://127.0.0.1:${ports.silent}` }), 3, /did not answer \(ETIMEDOUT, waited \d s\)/],
];

describe('start-up with a wrong REDIS_URL: one line, an exit code, no hang', () => {
  it.concurrent.each(CASES)('%s (%s)', async (name, entry, env, exitCode, line) => {
    const ended = await runUntilExit(entry, env());
    const printed = ended.output.replace(new RegExp(`^${entry} cannot start: `), '');
    measured.push([name, entry, ended.code, ended.ms, printed.split('\n').join(' ')]);
    expect(ended.output.startsWith(`${entry} cannot start: `), ended.output).toBe(true);
    expect(printed).toMatch(line);
    expect(ended.output).not.toMatch(/^\s+at /m);
    expect(ended.output).not.toContain('[ioredis]');
    expect(ended.code).toBe(exitCode);
    expect(ended.ms).toBeLessThan(HANG_MS);
  });
});

describe('start-up with a right REDIS_URL of every form', () => {
  const starts = async (env: Record<string, string>) => {
    const proc = startProc(ENTRY.worker, { METRICS_PORT: String(await freePort()), QUEUE_PREFIX: `{e2e-startup-ok-${process.pid}}`, ...env });
    try {
      await waitForOutput(proc, 'worker started', 15_000);
      expect(proc.output()).toMatch(/"message":"Redis ready"/);
    } finally {
      await proc.stop();
    }
  };
  it('Sentinel', () => starts({ REDIS_URL: sentinelUrl }));
  it('Cluster', () => starts({ REDIS_URL: clusterUrl }));
  it('TLS with the CA given to Node', () => starts({ REDIS_URL: `rediss://localhost:${ports.tls}`, NODE_EXTRA_CA_CERTS: caFile }));
  it('a password', () => starts({ REDIS_URL: `redis://:right-password@127.0.0.1:${ports.password}` }));
});
