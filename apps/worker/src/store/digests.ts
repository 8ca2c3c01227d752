import { KEYS_PER_CALL, luaScript, type Alert, type RedisConnection } from '@ng/core';

export type Schedule = 'hourly' | 'daily';

/** KEYS: entries hash, destinations set; ARGV: destination, field, alert JSON */
const ADD = `redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) redis.call('SADD', KEYS[2], ARGV[1]) return 1`;
/**
 * Deletes the entries a digest carried, each only if no newer message replaced it meanwhile
 * (that one waits for the next digest); forgets the destination once nothing is pending.
 * KEYS: entries hash, destinations set; ARGV: destination, field1, value1, field2, value2 …
 */
const SETTLE = `
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1`;
const addScript = luaScript(ADD);
const settleScript = luaScript(SETTLE);

/** What a digest carries: each pending problem's latest alert, as stored. */
export interface Pending {
  alerts: Alert[];
  /** The stored entries, to settle once the digest is safely queued. */
  entries: Array<[field: string, raw: string]>;
}

/**
 * Pending digest contents per destination and schedule, in Redis so they survive a restart.
 * One entry per problem: a later message (say, its resolution) replaces the earlier one.
 * Reading and deleting are two steps around queueing the digest, so a crash in between sends
 * a digest twice rather than never.
 */
export function createDigestStore(deps: { redis: RedisConnection; prefix: string }) {
  const entries = (schedule: Schedule, destinationId: string) => `${deps.prefix}:digest:${schedule}:${destinationId}`;
  const destinationsKey = (schedule: Schedule) => `${deps.prefix}:digest:${schedule}:destinations`;
  return {
    async add(destinationId: string, schedule: Schedule, alert: Alert): Promise<void> {
      await addScript(deps.redis, [entries(schedule, destinationId), destinationsKey(schedule)], [destinationId, alert.key, JSON.stringify(alert)]);
    },
    /** Escalation: the problem leaves the pending digests because it goes out now. */
    async remove(destinationId: string, key: string): Promise<void> {
      await Promise.all([deps.redis.hdel(entries('hourly', destinationId), key), deps.redis.hdel(entries('daily', destinationId), key)]);
    },
    async peek(destinationId: string, schedule: Schedule): Promise<Pending> {
      const hash = await deps.redis.hgetall(entries(schedule, destinationId));
      const pairs = Object.entries(hash);
      return { alerts: pairs.map(([, raw]) => JSON.parse(raw) as Alert), entries: pairs };
    },
    async settle(destinationId: string, schedule: Schedule, taken: Pending['entries']): Promise<void> {
      // In slices: a busy hour leaves tens of thousands of entries, more than one call can carry.
      const keys = [entries(schedule, destinationId), destinationsKey(schedule)];
      for (let i = 0; i === 0 || i < taken.length; i += KEYS_PER_CALL) {
        await settleScript(deps.redis, keys, [destinationId, ...taken.slice(i, i + KEYS_PER_CALL).flat()]);
      }
    },
    async destinations(schedule: Schedule): Promise<string[]> {
      return deps.redis.smembers(destinationsKey(schedule));
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;
