import type { Alert, RedisConnection, Totals } from '@ng/core';
import type { Clock } from '../clock';
import { luaScript } from './script';

export type Verdict = { kind: 'send'; firstTime: boolean; totals: Totals } | { kind: 'duplicate'; of: string; totals: Totals };

/**
 * One script per alert: count the occurrence once per notification, update the problem's
 * totals, and claim "problem + status + severity" for the dedup window. Atomic in Redis, so
 * two replicas never both get 'send' for the same thing. Times come from the caller's clock.
 *
 * KEYS: problem hash, seen marker of this notification, claim
 * ARGV: now, windowMs, claimant, startsAtMs|'', sourceCount|'', userCount|'', retentionMs, status,
 *       countable ('1' for an occurrence; a resolution or an assignment is not one)
 */
const OBSERVE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local claimant = ARGV[3]
local retention = tonumber(ARGV[7])
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', retention) and ARGV[9] == '1' then
  local c = redis.call('HINCRBY', KEYS[1], 'count', 1)
  if ARGV[5] ~= '' and tonumber(ARGV[5]) > c then redis.call('HSET', KEYS[1], 'count', ARGV[5]) end
  if ARGV[6] ~= '' then
    local u = tonumber(redis.call('HGET', KEYS[1], 'userCount') or '0')
    if tonumber(ARGV[6]) > u then redis.call('HSET', KEYS[1], 'userCount', ARGV[6]) end
  end
  local first = tonumber(redis.call('HGET', KEYS[1], 'firstSeen') or '0')
  local started = ARGV[4] ~= '' and tonumber(ARGV[4]) or now
  if first == 0 or started < first then redis.call('HSET', KEYS[1], 'firstSeen', started) end
  redis.call('HSET', KEYS[1], 'lastSeen', now)
end
redis.call('HSETNX', KEYS[1], 'firstClaimant', claimant)
redis.call('HSET', KEYS[1], 'status', ARGV[8])
redis.call('PEXPIRE', KEYS[1], retention)
local totals = redis.call('HMGET', KEYS[1], 'count', 'userCount', 'firstSeen', 'lastSeen', 'firstClaimant')
local owner = redis.call('GET', KEYS[3])
if owner then
  local sep = string.find(owner, '|', 1, true)
  local who = string.sub(owner, 1, sep - 1)
  local at = tonumber(string.sub(owner, sep + 1))
  if who ~= claimant and now - at < window then
    return {'duplicate', who, totals[1], totals[2], totals[3], totals[4], totals[5]}
  end
end
redis.call('SET', KEYS[3], claimant .. '|' .. now, 'PX', window + 60000)
return {'send', claimant, totals[1], totals[2], totals[3], totals[4], totals[5]}
`;

const observeScript = luaScript(OBSERVE);

const RELEASE = `
local owner = redis.call('GET', KEYS[1])
if owner and string.sub(owner, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then return redis.call('DEL', KEYS[1]) end
return 0`;
const releaseScript = luaScript(RELEASE);

const iso = (ms: string | null | undefined) => (ms ? new Date(Number(ms)).toISOString() : undefined);

function totalsOf(count: string | null, userCount: string | null, firstSeen: string | null, lastSeen: string | null): Totals {
  return {
    count: Number(count ?? 0),
    userCount: userCount ? Number(userCount) : undefined,
    firstSeen: iso(firstSeen),
    lastSeen: iso(lastSeen),
  };
}

/**
 * What the gateway knows of each problem (by alert key): its running totals, its status, who
 * holds the dedup claim, and which destinations were paged about it. Kept for `retentionMs`.
 */
export function createProblemStore(deps: {
  redis: RedisConnection;
  prefix: string;
  /** Read at each alert: a policy reload may change it. */
  dedupWindowMs: () => number;
  clock: Clock;
  retentionMs?: number;
}) {
  const { redis, prefix } = deps;
  const retentionMs = deps.retentionMs ?? 7 * 24 * 3600 * 1000;
  const problemKey = (key: string) => `${prefix}:problem:${key}`;
  const claimKey = (alert: Pick<Alert, 'key' | 'status' | 'severity'>) => `${prefix}:claim:${alert.key}:${alert.status}:${alert.severity}`;

  return {
    async observe(alert: Alert, claimantId: string): Promise<Verdict> {
      const startsAt = Date.parse(alert.startsAt ?? '');
      const keys = [problemKey(alert.key), `${prefix}:seen:${alert.idempotencyKey}`, claimKey(alert)];
      const args = [
        deps.clock.now(),
        deps.dedupWindowMs(),
        claimantId,
        Number.isFinite(startsAt) ? startsAt : '',
        alert.count ?? '',
        alert.userCount ?? '',
        retentionMs,
        alert.status,
        alert.status === 'firing' || alert.status === 'unresolved' ? '1' : '0',
      ];
      const reply = (await observeScript(redis, keys, args)) as [string, string, string | null, string | null, string | null, string | null, string | null];
      const [kind, who, count, users, first, last, firstClaimant] = reply;
      const totals = totalsOf(count, users, first, last);
      if (kind === 'duplicate') return { kind: 'duplicate', of: who, totals };
      return { kind: 'send', firstTime: firstClaimant === claimantId, totals };
    },
    async totals(key: string): Promise<Totals | undefined> {
      const [count, users, first, last] = await redis.hmget(problemKey(key), 'count', 'userCount', 'firstSeen', 'lastSeen');
      return count ? totalsOf(count, users, first, last) : undefined;
    },
    /** The destination got (or is getting) this problem at once: its resolution will go out at once too. */
    async markPaged(key: string, destinationId: string): Promise<void> {
      await redis.hset(problemKey(key), `paged:${destinationId}`, '1');
    },
    async wasPaged(key: string, destinationId: string): Promise<boolean> {
      return (await redis.hexists(problemKey(key), `paged:${destinationId}`)) === 1;
    },
    /** Frees the claim (the delivery failed for good, or a silence held it) so the next occurrence goes through. */
    async release(alert: Pick<Alert, 'key' | 'status' | 'severity'>, claimantId: string): Promise<void> {
      await releaseScript(redis, [claimKey(alert)], [claimantId]);
    },
  };
}

export type ProblemStore = ReturnType<typeof createProblemStore>;
