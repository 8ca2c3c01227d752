import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, type RedisConnection } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { createTokenCache } from '../src/store/token-cache';
import { systemClock } from '../src/clock';
import { REDIS_URL, uniquePrefix } from './support/harness';

/** Replicas are separate processes: each gets its own connection and its own cache. */
describe('token cache across replicas', () => {
  const prefix = uniquePrefix('token-cache');
  const connections: RedisConnection[] = [];
  const logger = createLogger({ service: 'test', level: 'error' });

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
    await dropPrefix(prefix);
  });

  function replicas(
    count: number,
    key: string,
    fetchToken: () => Promise<{ token: string; expiresInSec: number }>,
    wrap: (redis: RedisConnection) => RedisConnection = (redis) => redis,
  ) {
    return Array.from({ length: count }, () => {
      const redis = createRedis(REDIS_URL, 'worker');
      connections.push(redis);
      return createTokenCache({ redis: wrap(redis), key, fetchToken, clock: systemClock, logger });
    });
  }

  it('fetches once when replicas start together', async () => {
    let fetches = 0;
    const caches = replicas(8, `${prefix}:token:together`, async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 5));
      return { token: 'token-1', expiresInSec: 7200 };
    });
    const tokens = await Promise.all(caches.map((c) => c.get()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(fetches).toBe(1);
  });

  // A busy replica reads "no token", and before it asks for the lock the holder has stored a
  // token and let go: the free lock must not mean a second fetch (CI saw two gettokens so).
  it('a replica that finds the lock free after the holder finished reuses the stored token', async () => {
    let fetches = 0;
    const key = `${prefix}:token:late-lock`;
    const fetchToken = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 5));
      return { token: `token-${fetches}`, expiresInSec: 7200 };
    };
    const [holder] = replicas(1, key, fetchToken);
    // The busy replica's lock request reaches Redis 50 ms after its read, as under load.
    const slowLock = (redis: RedisConnection) =>
      new Proxy(redis, {
        get(target, prop, receiver) {
          if (prop === 'set') {
            return async (...args: Parameters<typeof target.set>) => {
              if (args.includes('NX')) await new Promise((r) => setTimeout(r, 50));
              return (target.set as (...a: unknown[]) => Promise<unknown>)(...args);
            };
          }
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const [busy] = replicas(1, key, fetchToken, slowLock);
    const tokens = await Promise.all([holder.get(), busy.get()]);
    expect(tokens).toEqual(['token-1', 'token-1']);
    expect(fetches).toBe(1);
  });

  it('after 42001 from every replica, one refresh', async () => {
    let fetches = 0;
    const caches = replicas(6, `${prefix}:token:invalidated`, async () => ({ token: `token-${++fetches}`, expiresInSec: 7200 }));
    const first = await Promise.all(caches.map((c) => c.get()));
    expect(new Set(first)).toEqual(new Set(['token-1']));
    await Promise.all(caches.map((c) => c.invalidate('token-1')));
    const second = await Promise.all(caches.map((c) => c.get()));
    expect(new Set(second)).toEqual(new Set(['token-2']));
    expect(fetches).toBe(2);
  });

  it('a failed fetch releases the lock for the next try', async () => {
    let fetches = 0;
    const [cache] = replicas(1, `${prefix}:token:failing`, async () => {
      if (++fetches === 1) throw new Error('gettoken errcode -1');
      return { token: 'token-ok', expiresInSec: 7200 };
    });
    await expect(cache.get()).rejects.toThrow('errcode -1');
    await expect(cache.get()).resolves.toBe('token-ok');
  });
});
