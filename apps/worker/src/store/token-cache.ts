import { randomUUID } from 'node:crypto';
import type { Logger, Metrics, RedisConnection } from '@ng/core';
import type { Clock } from '../clock';

export interface TokenCache {
  get(): Promise<string>;
  /** Drops the token only if it is still the bad one: N concurrent 42001s cause one refresh. */
  invalidate(badToken: string): Promise<void>;
}

const LOCK_MS = 10_000;
const POLL_MS = 50;

// Compare-and-delete, so a replica never drops a token another one just fetched, nor a lock
// another one took after its own expired.
const DELETE_IF_EQUAL = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The WeCom access token, shared by every replica through Redis. It is stored with a TTL
 * that ends `refreshMarginSec` before expires_in, so it is renewed before it expires. One
 * refresher at a time: a Redis lock across processes and one promise inside each.
 */
export function createTokenCache(deps: {
  redis: RedisConnection;
  key: string;
  fetchToken: () => Promise<{ token: string; expiresInSec: number }>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  refreshMarginSec?: number;
}): TokenCache {
  const margin = deps.refreshMarginSec ?? 300;
  const lockKey = `${deps.key}:lock`;
  let local: { token: string; until: number } | undefined;
  let inflight: Promise<string> | undefined;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function readShared(): Promise<string | undefined> {
    const raw = await deps.redis.get(deps.key);
    if (!raw) return undefined;
    const ttl = await deps.redis.pttl(deps.key);
    local = { token: raw, until: deps.clock.now() + Math.max(0, ttl) };
    return raw;
  }

  async function refresh(): Promise<string> {
    const deadline = deps.clock.now() + LOCK_MS * 2;
    for (;;) {
      const shared = await readShared();
      if (shared) return shared;
      const owner = randomUUID();
      if (await deps.redis.set(lockKey, owner, 'PX', LOCK_MS, 'NX')) {
        try {
          // The previous holder may have stored a token and let go between our read and our lock.
          const storedMeanwhile = await readShared();
          if (storedMeanwhile) return storedMeanwhile;
          const { token, expiresInSec } = await deps.fetchToken();
          deps.metrics?.tokenRefreshes.inc({ outcome: 'success' });
          const ttlMs = Math.max(1, expiresInSec - margin) * 1000;
          await deps.redis.set(deps.key, token, 'PX', ttlMs);
          local = { token, until: deps.clock.now() + ttlMs };
          deps.logger.info('WeCom access token refreshed', { expiresInSec });
          return token;
        } catch (err) {
          deps.metrics?.tokenRefreshes.inc({ outcome: 'failure' });
          throw err;
        } finally {
          await deps.redis.eval(DELETE_IF_EQUAL, 1, lockKey, owner);
        }
      }
      if (deps.clock.now() > deadline) throw new Error('timed out waiting for another replica to refresh the WeCom token');
      await sleep(POLL_MS);
    }
  }

  return {
    async get() {
      if (local && local.until > deps.clock.now()) return local.token;
      inflight ??= refresh().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    async invalidate(badToken) {
      if (local?.token === badToken) local = undefined;
      await deps.redis.eval(DELETE_IF_EQUAL, 1, deps.key, badToken);
    },
  };
}
