import type { Alert, RedisConnection } from '@ng/core';
import type { Clock } from '../clock';
import { luaScript } from './script';

export type Schedule = 'hourly' | 'daily';

/** KEYS: entries hash, destinations set; ARGV: destination, field, alert JSON */
const ADD = `redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) redis.call('SADD', KEYS[2], ARGV[1]) return 1`;
/** Read and delete in one step: one replica sends a digest, whatever the number of replicas. */
const TAKE = `local v = redis.call('HVALS', KEYS[1]) redis.call('DEL', KEYS[1]) redis.call('SREM', KEYS[2], ARGV[1]) return v`;
const addScript = luaScript(ADD, 2);
const takeScript = luaScript(TAKE, 2);

/**
 * Pending digest contents per destination and schedule, in Redis so they survive a restart.
 * One entry per problem: a later message (say, its resolution) replaces the earlier one.
 */
export function createDigestStore(deps: { redis: RedisConnection; prefix: string; clock: Clock }) {
  const entries = (schedule: Schedule, destinationId: string) => `${deps.prefix}:digest:${schedule}:${destinationId}`;
  const destinationsKey = (schedule: Schedule) => `${deps.prefix}:digest:${schedule}:destinations`;
  return {
    async add(destinationId: string, schedule: Schedule, alert: Alert): Promise<void> {
      await addScript(deps.redis, entries(schedule, destinationId), destinationsKey(schedule), destinationId, alert.key, JSON.stringify(alert));
    },
    /** Escalation: the problem leaves the pending digests because it goes out now. */
    async remove(destinationId: string, key: string): Promise<boolean> {
      const [hourly, daily] = await Promise.all([
        deps.redis.hdel(entries('hourly', destinationId), key),
        deps.redis.hdel(entries('daily', destinationId), key),
      ]);
      return hourly + daily > 0;
    },
    async take(destinationId: string, schedule: Schedule): Promise<Alert[]> {
      const values = (await takeScript(deps.redis, entries(schedule, destinationId), destinationsKey(schedule), destinationId)) as string[];
      return values.map((v) => JSON.parse(v) as Alert);
    },
    async destinations(schedule: Schedule): Promise<string[]> {
      return deps.redis.smembers(destinationsKey(schedule));
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;

/** Cron for the BullMQ job scheduler: every hour at :00, every day at dailyAt (in DISPLAY_TZ). */
export function digestCron(schedule: Schedule, dailyAt: string): { pattern: string } {
  if (schedule === 'hourly') return { pattern: '0 * * * *' };
  const [hour, minute] = dailyAt.split(':').map(Number);
  return { pattern: `${minute} ${hour} * * *` };
}

/** Offset of tz at the instant ms (local wall time − UTC), via Intl. */
function offsetMs(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(ms / 1000) * 1000;
}

/** The next digest instant after fromMs: the next :00 (hourly) or the next dailyAt (daily) in tz. */
export function nextDigestTime(schedule: Schedule, fromMs: number, tz: string, dailyAt: string): number {
  if (schedule === 'hourly') {
    const local = fromMs + offsetMs(fromMs, tz);
    const nextLocal = Math.floor(local / 3_600_000) * 3_600_000 + 3_600_000;
    return nextLocal - offsetMs(nextLocal - offsetMs(fromMs, tz), tz);
  }
  const [hour, minute] = dailyAt.split(':').map(Number);
  const local = new Date(fromMs + offsetMs(fromMs, tz));
  for (let day = 0; day <= 2; day++) {
    const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + day, hour, minute);
    const at = wall - offsetMs(wall - offsetMs(fromMs, tz), tz);
    if (at > fromMs) return at;
  }
  throw new Error('unreachable: a day always has a next digest time');
}
