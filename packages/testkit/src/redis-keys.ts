import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { REDIS_URL } from './procs';

/** Deletes every key under a test's or a benchmark's prefix, so the shared Redis keeps nothing of a run. */
export async function dropPrefix(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A key prefix of a test's own, in braces (a Redis Cluster hash tag, as in production). */
export function uniquePrefix(name: string): string {
  return `{t-${name}-${randomBytes(4).toString('hex')}}`;
}
