import { listedAlert, luaScript, type Alert, type RedisConnection } from '@ng/core';
import type { Clock } from '../clock';

const MINUTE_MS = 60_000;
/** Alerts read per call: a summary holds one slice at a time, not the whole storm. */
const SCAN_COUNT = 1000;

/**
 * Counts one immediate message in the destination's sliding minute and answers how many there
 * were. The member is the alert job and destination, so a retried decision is counted once.
 * KEYS: the destination's window; ARGV: now, member, windowMs
 */
const OBSERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZCARD', KEYS[1])`;
const observeScript = luaScript(OBSERVE);
/**
 * Appends an alert to the destination's buffer; 1 when the caller must schedule the summary:
 * it opened the buffer, or it is the opener tried again (a worker killed between this and
 * scheduling would otherwise leave a buffer that no summary ever takes). KEYS: buffer, opener;
 * ARGV: alert JSON, its idempotency key
 */
const ADD = `
if redis.call('GET', KEYS[2]) == ARGV[2] and redis.call('LLEN', KEYS[1]) > 0 then return 1 end
if redis.call('RPUSH', KEYS[1], ARGV[1]) > 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1`;
const addScript = luaScript(ADD);
/** After a summary took them: the flush schedules the next one for what is left. KEYS: buffer, opener; ARGV: count */
const trimScript = luaScript(`redis.call('LTRIM', KEYS[1], ARGV[1], -1) redis.call('DEL', KEYS[2]) return redis.call('LLEN', KEYS[1])`);

/**
 * A storm per destination: how many immediate messages it had in the last minute, and the
 * alerts waiting for its next summary card. The summary is read, queued, then trimmed: alerts
 * are only ever appended, so trimming what was read never drops one that arrived meanwhile.
 */
export function createStormStore(deps: { redis: RedisConnection; prefix: string; clock: Clock }) {
  const windowKey = (destinationId: string) => `${deps.prefix}:storm:${destinationId}:minute`;
  const bufferKey = (destinationId: string) => `${deps.prefix}:storm:${destinationId}`;
  const openerKey = (destinationId: string) => `${deps.prefix}:storm:${destinationId}:opener`;
  return {
    /** Immediate messages to the destination in the last minute, this one included. */
    async observe(destinationId: string, member: string): Promise<number> {
      return Number(await observeScript(deps.redis, [windowKey(destinationId)], [deps.clock.now(), member, MINUTE_MS]));
    },
    /** first: the buffer was empty (or this alert opened it and is tried again), so the caller schedules the next summary. */
    async add(destinationId: string, alert: Alert): Promise<{ first: boolean }> {
      const opened = await addScript(deps.redis, [bufferKey(destinationId), openerKey(destinationId)], [JSON.stringify(listedAlert(alert)), alert.idempotencyKey]);
      return { first: Number(opened) === 1 };
    },
    /** The buffered alerts in slices, as many as the buffer held when the scan began (it is only appended to meanwhile). */
    async *scan(destinationId: string): AsyncGenerator<Alert[]> {
      const length = await deps.redis.llen(bufferKey(destinationId));
      for (let start = 0; start < length; start += SCAN_COUNT) {
        const raw = await deps.redis.lrange(bufferKey(destinationId), start, Math.min(start + SCAN_COUNT, length) - 1);
        yield raw.map((s) => JSON.parse(s) as Alert);
      }
    },
    /** Drops the first `count` alerts (a summary carries them); answers how many are still waiting. */
    async trim(destinationId: string, count: number): Promise<number> {
      return Number(await trimScript(deps.redis, [bufferKey(destinationId), openerKey(destinationId)], [count]));
    },
  };
}

export type StormStore = ReturnType<typeof createStormStore>;
