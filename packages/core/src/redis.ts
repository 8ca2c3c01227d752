import { Redis, Cluster, type RedisOptions } from 'ioredis';

/**
 * producer: fail fast (ingest must answer 503 quickly, never hang a webhook).
 * worker:   wait forever (BullMQ workers need maxRetriesPerRequest: null).
 */
export type RedisRole = 'producer' | 'worker';

export type RedisConnection = Redis | Cluster;

function roleOptions(role: RedisRole): RedisOptions {
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

function hostsOf(list: string): Array<{ host: string; port: number }> {
  return list.split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':');
    return { host, port: Number(port || 6379) };
  });
}

/**
 * Opens a connection from REDIS_URL:
 *   redis://[:password@]host:port[/db], rediss://…          a single server
 *   redis-sentinel://[:password@]h1:p1,h2:p2/master-name      Sentinel
 *   redis-cluster://[:password@]h1:p1,h2:p2                   Cluster (queue prefix must be a hash tag)
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): RedisConnection {
  const options = { ...roleOptions(role), ...extra };
  const match = /^(redis-sentinel|redis-cluster):\/\/(?::([^@]*)@)?([^/]+)(?:\/(.+))?$/.exec(url);
  if (!match) return new Redis(url, options);
  const [, scheme, password, hosts, masterName] = match;
  const auth = password ? { password: decodeURIComponent(password) } : {};
  if (scheme === 'redis-sentinel') {
    return new Redis({ ...options, ...auth, sentinels: hostsOf(hosts), name: masterName ?? 'mymaster' });
  }
  return new Cluster(hostsOf(hosts), { redisOptions: { ...options, ...auth }, enableOfflineQueue: options.enableOfflineQueue });
}
