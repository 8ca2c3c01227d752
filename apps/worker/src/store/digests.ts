import { createHash } from 'node:crypto';
import { KEYS_PER_CALL, listedAlert, luaScript, type Alert, type RedisConnection } from '@ng/core';

export type Schedule = 'hourly' | 'daily';

/** KEYS: entries hash, destinations set; ARGV: destination, field, alert JSON */
const ADD = `redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) redis.call('SADD', KEYS[2], ARGV[1]) return 1`;
/**
 * Deletes the entries a digest carried, each only if no newer message replaced it meanwhile
 * (that one waits for the next digest); forgets the destination once nothing is pending.
 * An entry is compared by the SHA-1 of what was read, so the flush need not keep it.
 * KEYS: entries hash, destinations set; ARGV: destination, field1, sha1, field2, sha1 …
 */
const SETTLE = `
for i = 2, #ARGV, 2 do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value and redis.sha1hex(value) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1`;
const addScript = luaScript(ADD);
const settleScript = luaScript(SETTLE);

/** A pending entry as a flush read it: the problem's latest alert (what a list shows of it), and what settling it compares. */
export interface PendingEntry {
  alert: Alert;
  field: string;
  /** SHA-1 of the stored value (hex, as Lua's redis.sha1hex gives it). */
  sha1: string;
}

/** Entries read per HSCAN call: a flush holds one slice of alerts at a time, not the whole hour. */
const SCAN_COUNT = 1000;

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
      await addScript(deps.redis, [entries(schedule, destinationId), destinationsKey(schedule)], [destinationId, alert.key, JSON.stringify(listedAlert(alert))]);
    },
    /** Escalation: the problem leaves the pending digests because it goes out now. */
    async remove(destinationId: string, key: string): Promise<void> {
      await Promise.all([deps.redis.hdel(entries('hourly', destinationId), key), deps.redis.hdel(entries('daily', destinationId), key)]);
    },
    /**
     * The pending entries in slices. An entry changed or added during the scan may come twice
     * or not at all: each field is given once, and what is missed waits for the next digest.
     */
    async *scan(destinationId: string, schedule: Schedule): AsyncGenerator<PendingEntry[]> {
      const given = new Set<string>();
      let cursor = '0';
      do {
        const [next, flat] = await deps.redis.hscan(entries(schedule, destinationId), cursor, 'COUNT', SCAN_COUNT);
        cursor = next;
        const slice: PendingEntry[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          const [field, raw] = [flat[i], flat[i + 1]];
          if (given.has(field)) continue;
          given.add(field);
          slice.push({ field, alert: JSON.parse(raw) as Alert, sha1: createHash('sha1').update(raw).digest('hex') });
        }
        if (slice.length > 0) yield slice;
      } while (cursor !== '0');
    },
    async settle(destinationId: string, schedule: Schedule, taken: Array<Pick<PendingEntry, 'field' | 'sha1'>>): Promise<void> {
      // In slices: a busy hour leaves tens of thousands of entries, more than one call can carry.
      const keys = [entries(schedule, destinationId), destinationsKey(schedule)];
      for (let i = 0; i === 0 || i < taken.length; i += KEYS_PER_CALL) {
        await settleScript(deps.redis, keys, [destinationId, ...taken.slice(i, i + KEYS_PER_CALL).flatMap((e) => [e.field, e.sha1])]);
      }
    },
    async destinations(schedule: Schedule): Promise<string[]> {
      return deps.redis.smembers(destinationsKey(schedule));
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;
