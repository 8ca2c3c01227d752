import { luaScript, type RedisConnection } from '@ng/core';
import type { Clock } from '../clock';

/**
 * WeCom's per-minute limits, shared by every replica: a robot takes 20 messages a minute per key,
 * an app 30 per member (the excess is dropped without an error). A message takes one slot in
 * the sliding minute of each key it spends (a robot's key, each member, party or tag of an app
 * message), all or none, so two destinations that share a member share that member's budget.
 *
 * The window is a second longer than WeCom's: a slot is taken before its send, and a slow send
 * followed by a fast one could otherwise land two messages less than 60 s apart.
 * KEYS: one sorted set per budget key; ARGV: now, limit, slot id, count, windowMs
 * Returns 0 when taken, else the ms until enough slots are free in every key.
 */
const WINDOW_MS = 61_000;
const TAKE = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local count = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local need = math.min(count, limit)
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local over = redis.call('ZCARD', key) + need - limit
  if over > 0 then
    local freeing = redis.call('ZRANGE', key, over - 1, over - 1, 'WITHSCORES')
    wait = math.max(wait, window - (now - tonumber(freeing[2])) + 1)
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  for n = 1, count do redis.call('ZADD', key, now, ARGV[3] .. ':' .. n) end
  redis.call('PEXPIRE', key, window * 2)
end
return 0`;
const takeScript = luaScript(TAKE);

/** Where a message spends budget: the keys and the per-minute limit of each. */
export interface BudgetRule {
  keys: string[];
  perMinute: number;
}

export type Taken = { ok: true; slot: string; keys: string[]; count: number } | { ok: false; retryInMs: number };

let sequence = 0;

export function createBudget(deps: { redis: RedisConnection; prefix: string; clock: Clock }) {
  const redisKey = (key: string) => `${deps.prefix}:rate:${key}`;
  return {
    /** Takes `count` slots (one per message part) in every key of the rule, or none. */
    async take(rule: BudgetRule, count: number): Promise<Taken> {
      const now = deps.clock.now();
      const slot = `${now}:${process.pid}:${++sequence}`;
      const keys = rule.keys.map(redisKey);
      const wait = Number(await takeScript(deps.redis, keys, [now, rule.perMinute, slot, count, WINDOW_MS]));
      return wait > 0 ? { ok: false, retryInMs: wait } : { ok: true, slot, keys, count };
    },
    /** Slots of parts that were not sent go back, so retries during an outage do not eat the budget. */
    async giveBack(taken: Extract<Taken, { ok: true }>, unused: number): Promise<void> {
      if (unused <= 0) return;
      const members = Array.from({ length: unused }, (_, i) => `${taken.slot}:${taken.count - i}`);
      await Promise.all(taken.keys.map((key) => deps.redis.zrem(key, ...members)));
    },
  };
}

export type Budget = ReturnType<typeof createBudget>;
