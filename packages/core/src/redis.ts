import { Redis, Cluster, type RedisOptions } from 'ioredis';

/**
 * producer: fail fast (ingest must answer 503 quickly, never hang a webhook).
 * worker:   wait forever (BullMQ workers need maxRetriesPerRequest: null).
 * probe:    one try, no reconnection (the start-up check and the doctor report, never wait).
 */
export type RedisRole = 'producer' | 'worker' | 'probe';

export type RedisConnection = Redis | Cluster;

const PROBE_TIMEOUT_MS = 2000;

function roleOptions(role: RedisRole): RedisOptions {
  if (role === 'probe') {
    return {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: PROBE_TIMEOUT_MS,
      commandTimeout: PROBE_TIMEOUT_MS,
      retryStrategy: () => null,
      sentinelRetryStrategy: () => null,
    };
  }
  return role === 'producer'
    ? {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 1000,
        commandTimeout: 1000,
        retryStrategy: (times) => Math.min(times * 100, 1000),
      }
    : { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) };
}

export interface HostPort {
  host: string;
  port: number;
}

/** Where REDIS_URL points, without its password: what start-up errors and the doctor name. */
export type RedisTarget =
  | { kind: 'single'; node: HostPort; db: number; tls: boolean }
  | { kind: 'sentinel'; nodes: HostPort[]; masterName: string; password?: string }
  | { kind: 'cluster'; nodes: HostPort[]; password?: string };

const MULTI_HOST = /^(redis-sentinel|redis-cluster):\/\/(?::([^@]*)@)?([^/]+)(?:\/(.*))?$/;

function hostsOf(list: string): HostPort[] {
  return list.split(',').map((hostPort) => {
    const match = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(hostPort.trim());
    if (!match) throw new Error(`"${hostPort}" is not host:port`);
    return { host: match[1], port: Number(match[2] ?? 6379) };
  });
}

/**
 * Reads REDIS_URL:
 *   redis://[[user]:password@]host:port[/db], rediss://…     a single server (rediss: TLS)
 *   redis-sentinel://[:password@]h1:p1,h2:p2/master-name      Sentinel
 *   redis-cluster://[:password@]h1:p1,h2:p2                   Cluster (queue prefix must be a hash tag)
 * Throws an Error saying what it cannot read.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const multi = MULTI_HOST.exec(url);
  if (multi) {
    const [, scheme, password, hosts, masterName] = multi;
    const auth = password ? { password: decodeURIComponent(password) } : {};
    if (scheme === 'redis-cluster') return { kind: 'cluster', nodes: hostsOf(hosts), ...auth };
    return { kind: 'sentinel', nodes: hostsOf(hosts), masterName: masterName || 'mymaster', ...auth };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`unknown scheme ${parsed.protocol}//`);
  if (!parsed.hostname) throw new Error('no host');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`"/${db}" is not a database number`);
  return { kind: 'single', node: { host: parsed.hostname, port: Number(parsed.port || 6379) }, db: Number(db || 0), tls: parsed.protocol === 'rediss:' };
}

export const hostPort = (node: HostPort) => `${node.host}:${node.port}`;

/** "127.0.0.1:6379", "127.0.0.1:6379 db 3", "Sentinel 10.0.0.1:26379 (master mymaster)", "Cluster h1:7000, h2:7001". */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'single') return `${hostPort(target.node)}${target.db ? ` db ${target.db}` : ''}`;
  const nodes = target.nodes.map(hostPort).join(', ');
  return target.kind === 'sentinel' ? `Sentinel ${nodes} (master ${target.masterName})` : `Cluster ${nodes}`;
}

/** Opens a connection from REDIS_URL (forms: parseRedisUrl). */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): RedisConnection {
  const options = { ...roleOptions(role), ...extra };
  const target = parseRedisUrl(url);
  if (target.kind === 'single') return new Redis(url, options);
  const auth = target.password ? { password: target.password } : {};
  if (target.kind === 'sentinel') return new Redis({ ...options, ...auth, sentinels: target.nodes, name: target.masterName });
  return new Cluster(target.nodes, {
    redisOptions: { ...options, ...auth },
    enableOfflineQueue: options.enableOfflineQueue,
    ...(role === 'probe' ? { lazyConnect: true, clusterRetryStrategy: () => null } : {}),
  });
}
