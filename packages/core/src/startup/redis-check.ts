import { randomBytes } from 'node:crypto';
import { createRedis, describeRedisTarget, hostPort, parseRedisUrl, type HostPort, type RedisConnection, type RedisTarget } from '../redis';
import { misdirected, redisProblem, type ProblemContext, type RedisProblem } from './redis-problems';

/** What the doctor reports about a Redis that passed the check. */
export interface RedisFacts {
  version: string;
  mode: string;
  maxmemory: number;
  usedMemory: number;
  maxmemoryPolicy: string;
  aof: boolean;
}

export type RedisCheck = { ok: true; target: string; facts: RedisFacts } | { ok: false; target: string; problem: RedisProblem };

/** Long enough for a Redis started beside the gateway (compose, a pod) to come up; short of the 10 s an operator waits. */
const WAIT_MS = 5000;
const RETRY_PAUSE_MS = 250;
/** Bounds one attempt even when something accepts the connection and never answers. */
const ATTEMPT_MS = 2500;

type Attempt = { facts: RedisFacts } | { error: Error; node?: string } | { problem: RedisProblem };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/** Runs use(connection), never longer than ATTEMPT_MS; the first error ioredis reports wins over the one it returns. */
async function using<T>(redis: RedisConnection, use: (redis: RedisConnection) => Promise<T>): Promise<T> {
  const errors: Error[] = [];
  redis.on('error', (err: Error) => errors.push((err as { lastNodeError?: Error }).lastNodeError ?? err));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), ATTEMPT_MS);
  });
  try {
    const result = await Promise.race([redis.connect().then(() => use(redis)), timeout]);
    // ioredis reports a failed SELECT of the URL's database as an event and carries on in db 0.
    if (errors.length) throw errors[0];
    return result;
  } catch (err) {
    throw errors[0] ?? err;
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

const nodeUrl = (node: HostPort, password?: string) => `redis://${password ? `:${encodeURIComponent(password)}@` : ''}${hostPort(node)}`;

/** Asks each Sentinel for the master: tells a Redis that is no Sentinel and a master name it does not know. */
async function askSentinels(target: Extract<RedisTarget, { kind: 'sentinel' }>, ctx: ProblemContext): Promise<Attempt | undefined> {
  let last: Attempt | undefined;
  for (const node of target.nodes) {
    try {
      const answer = await using(createRedis(nodeUrl(node), 'probe'), async (redis) => {
        const address = await redis.call('SENTINEL', 'get-master-addr-by-name', target.masterName);
        if (address) return undefined;
        const masters = (await redis.call('SENTINEL', 'masters')) as string[][];
        return misdirected('unknown_master', { ...ctx, node: hostPort(node), masterNames: masters.map((m) => m[m.indexOf('name') + 1]) });
      });
      return answer && { problem: answer };
    } catch (err) {
      last = { error: err as Error, node: hostPort(node) };
    }
  }
  return last;
}

/** Asks the first Cluster node that answers whether it is one. */
async function askClusterNodes(target: Extract<RedisTarget, { kind: 'cluster' }>, ctx: ProblemContext): Promise<Attempt | undefined> {
  let last: Attempt | undefined;
  for (const node of target.nodes) {
    try {
      const info = parseInfo(await using(createRedis(nodeUrl(node, target.password), 'probe'), (redis) => redis.info('cluster')));
      return info.cluster_enabled === '1' ? undefined : { problem: misdirected('not_a_cluster', { ...ctx, node: hostPort(node) }) };
    } catch (err) {
      last = { error: err as Error, node: hostPort(node) };
    }
  }
  return last;
}

async function attempt(url: string, target: RedisTarget, prefix: string): Promise<Attempt> {
  const ctx: ProblemContext = { target };
  // Sentinel and Cluster clients hide why a node failed; a plain look at the nodes first tells.
  const before = target.kind === 'sentinel' ? await askSentinels(target, ctx) : target.kind === 'cluster' ? await askClusterNodes(target, ctx) : undefined;
  if (before) return before;
  try {
    return await using(createRedis(url, 'probe'), async (redis): Promise<Attempt> => {
      const info = parseInfo(await redis.info());
      if (target.kind === 'single' && info.redis_mode === 'sentinel') return { problem: misdirected('is_a_sentinel', ctx) };
      if (target.kind === 'single' && info.cluster_enabled === '1') return { problem: misdirected('is_a_cluster', ctx) };
      // The gateway's first act is a write: a replica, a full Redis or an ACL without writes fail here, not later.
      const key = `${prefix}:startup-check:${randomBytes(4).toString('hex')}`;
      await redis.set(key, '1', 'PX', 10_000);
      await redis.del(key);
      return {
        facts: {
          version: info.redis_version ?? '?',
          mode: target.kind === 'single' ? (info.redis_mode ?? 'standalone') : target.kind,
          maxmemory: Number(info.maxmemory ?? 0),
          usedMemory: Number(info.used_memory ?? 0),
          maxmemoryPolicy: info.maxmemory_policy ?? '?',
          aof: info.aof_enabled === '1',
        },
      };
    });
  } catch (err) {
    return { error: err as Error };
  }
}

/**
 * Connects to REDIS_URL the way the gateway will, reads what kind of server answers and writes
 * one short-lived key. A problem that may pass by itself (Redis not up yet) is retried for a
 * few seconds; every other is reported at once.
 */
export async function checkRedis(url: string, opts: { prefix: string; waitMs?: number }): Promise<RedisCheck> {
  const target = parseRedisUrl(url);
  const described = describeRedisTarget(target);
  const waitMs = opts.waitMs ?? WAIT_MS;
  const started = Date.now();
  for (;;) {
    const attemptStarted = Date.now();
    const result = await attempt(url, target, opts.prefix);
    if ('facts' in result) return { ok: true, target: described, facts: result.facts };
    if ('problem' in result) return { ok: false, target: described, problem: result.problem };
    const ctx = { target, node: result.node };
    // Another try only if it can end within the wait: a server that times out costs a whole attempt.
    const nextEnds = Date.now() + RETRY_PAUSE_MS + (Date.now() - attemptStarted);
    if (!redisProblem(result.error, ctx).transient || nextEnds - started > waitMs) {
      return { ok: false, target: described, problem: redisProblem(result.error, { ...ctx, waitedMs: Date.now() - started }) };
    }
    await sleep(RETRY_PAUSE_MS);
  }
}
