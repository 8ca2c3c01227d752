import type { Alert, RedisConnection } from '@ng/core';
import type { Clock } from '../clock';
import { luaScript } from './script';

// Atomic take: the replica that runs it gets everything, the others nothing.
const TAKE_ALL = `local items = redis.call('LRANGE', KEYS[1], 0, -1) redis.call('DEL', KEYS[1]) return items`;
const takeAllScript = luaScript(TAKE_ALL, 1);

/** Alerts that found their destination out of budget; one summary card carries them later. */
export function createStormBuffer(deps: { redis: RedisConnection; prefix: string; clock: Clock }) {
  const key = (destinationId: string) => `${deps.prefix}:storm:${destinationId}`;
  return {
    /** first: the buffer was empty, so the caller schedules the flush. */
    async add(destinationId: string, alert: Alert): Promise<{ first: boolean }> {
      const length = await deps.redis.rpush(key(destinationId), JSON.stringify(alert));
      return { first: length === 1 };
    },
    async take(destinationId: string): Promise<Alert[]> {
      const items = (await takeAllScript(deps.redis, key(destinationId))) as string[];
      return items.map((s) => JSON.parse(s) as Alert);
    },
    async size(destinationId: string): Promise<number> {
      return deps.redis.llen(key(destinationId));
    },
  };
}

export type StormBuffer = ReturnType<typeof createStormBuffer>;
