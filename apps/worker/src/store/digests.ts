import { listedAlert, luaScript, type Alert, type RedisConnection } from '@ng/core';

export type Schedule = 'hourly' | 'daily';

/** KEYS: entries hash, destinations set; ARGV: destination, field, alert JSON */
const ADD = `redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) redis.call('SADD', KEYS[2], ARGV[1]) return 1`;
/**
 * Takes what is pending for one digest: the entries hash becomes the flush's own, and what comes
 * meanwhile starts a new one, for the next digest. A taking left by a flush that died first is
 * given again, with its id, so the digest it queued (or not) is queued under the same job id.
 * KEYS: entries hash, taken hash, taken id; ARGV: a fresh id → [id, 'recovered' | 'new'] or nil
 */
const TAKE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return { redis.call('GET', KEYS[3]), 'recovered' } end
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], ARGV[1])
return { ARGV[1], 'new' }`;
/**
 * Drops a taking once its digest is queued; forgets the destination once nothing is pending.
 * KEYS: taken hash, taken id, entries hash, destinations set; ARGV: destination
 */
const SETTLE = `
redis.call('UNLINK', KEYS[1], KEYS[2])
if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SREM', KEYS[4], ARGV[1]) end
return 1`;
const addScript = luaScript(ADD);
const takeScript = luaScript(TAKE);
const settleScript = luaScript(SETTLE);

/** Entries read per HSCAN call: a flush holds one slice of alerts at a time, not the whole hour. */
const SCAN_COUNT = 1000;

/**
 * Pending digest contents per destination and schedule, in Redis so they survive a restart.
 * One entry per problem: a later message (say, its resolution) replaces the earlier one.
 * A flush takes the entries (take), reads them (scan), queues the digest and then drops them
 * (settle): a crash in between sends a digest twice rather than never, and what arrives during
 * the flush waits for the next digest.
 */
export function createDigestStore(deps: { redis: RedisConnection; prefix: string }) {
  const entries = (schedule: Schedule, destinationId: string) => `${deps.prefix}:digest:${schedule}:${destinationId}`;
  const taken = (schedule: Schedule, destinationId: string) => `${entries(schedule, destinationId)}:taken`;
  const destinationsKey = (schedule: Schedule) => `${deps.prefix}:digest:${schedule}:destinations`;
  return {
    async add(destinationId: string, schedule: Schedule, alert: Alert): Promise<void> {
      await addScript(deps.redis, [entries(schedule, destinationId), destinationsKey(schedule)], [destinationId, alert.key, JSON.stringify(listedAlert(alert))]);
    },
    /** Escalation: the problem leaves the pending digests because it goes out now. */
    async remove(destinationId: string, key: string): Promise<void> {
      await Promise.all([deps.redis.hdel(entries('hourly', destinationId), key), deps.redis.hdel(entries('daily', destinationId), key)]);
    },
    /** Takes the pending entries for a flush; `recovered` when a flush before this one took them and died. */
    async take(destinationId: string, schedule: Schedule, freshId: string): Promise<{ id: string; recovered: boolean } | undefined> {
      const key = taken(schedule, destinationId);
      const answer = (await takeScript(deps.redis, [entries(schedule, destinationId), key, `${key}:id`], [freshId])) as [string, string] | null;
      return answer ? { id: answer[0], recovered: answer[1] === 'recovered' } : undefined;
    },
    /**
     * The taken entries in slices. HSCAN may give an entry twice (when the hash is resized
     * between calls): each problem is given once.
     */
    async *scan(destinationId: string, schedule: Schedule): AsyncGenerator<Alert[]> {
      const given = new Set<string>();
      let cursor = '0';
      do {
        const [next, flat] = await deps.redis.hscan(taken(schedule, destinationId), cursor, 'COUNT', SCAN_COUNT);
        cursor = next;
        const slice: Alert[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          if (given.has(flat[i])) continue;
          given.add(flat[i]);
          slice.push(JSON.parse(flat[i + 1]) as Alert);
        }
        if (slice.length > 0) yield slice;
      } while (cursor !== '0');
    },
    async settle(destinationId: string, schedule: Schedule): Promise<void> {
      const key = taken(schedule, destinationId);
      await settleScript(deps.redis, [key, `${key}:id`, entries(schedule, destinationId), destinationsKey(schedule)], [destinationId]);
    },
    async destinations(schedule: Schedule): Promise<string[]> {
      return deps.redis.smembers(destinationsKey(schedule));
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;
