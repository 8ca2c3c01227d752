import type { RedisConnection } from '@ng/core';
import type { Clock } from '../clock';
import { luaScript } from './script';

/**
 * Sliding one-minute log per destination, shared by every replica: WeCom counts the robot's
 * 20/min over any 60 s, so an aligned window could let 40 through across a minute boundary.
 * The window is a second longer than WeCom's: a slot is taken before its send, and a slow send
 * followed by a fast one would otherwise land two slots 60 s apart less than 60 s apart.
 * KEYS: log; ARGV: now, limit, member, windowMs
 */
const WINDOW_MS = 61_000;
const TAKE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return window - (now - tonumber(oldest[2])) + 1
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window * 2)
return 0`;
const takeScript = luaScript(TAKE, 1);

let sequence = 0;

export function createRateLimiter(deps: { redis: RedisConnection; prefix: string; clock: Clock }) {
  const key = (destinationId: string) => `${deps.prefix}:rate:${destinationId}`;
  return {
    async tryTake(destinationId: string, limitPerMin: number): Promise<{ ok: true; slot: string } | { ok: false; retryInMs: number }> {
      const now = deps.clock.now();
      const slot = `${now}:${process.pid}:${++sequence}`;
      const wait = Number(await takeScript(deps.redis, key(destinationId), now, limitPerMin, slot, WINDOW_MS));
      return wait > 0 ? { ok: false, retryInMs: wait } : { ok: true, slot };
    },
    /** A send that did not happen gives its slot back, so retries during an outage do not eat the budget. */
    async giveBack(destinationId: string, slot: string): Promise<void> {
      await deps.redis.zrem(key(destinationId), slot);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
