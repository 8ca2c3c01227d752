import { KEYS_PER_CALL, luaScript, type Alert, type RedisConnection, type Totals } from '@ng/core';
import type { Clock } from '../clock';

export type Verdict = { kind: 'send'; firstTime: boolean; totals: Totals } | { kind: 'duplicate'; of: string; totals: Totals };

/**
 * How many of a problem's latest notification ids it remembers, so that a retried job or a
 * resent webhook counts once. A retry comes within minutes and a resend is of the latest
 * notification, so a few are enough; a problem with thousands of events (a Sentry issue) still
 * keeps only these few, 32 bytes each (idempotency keys are 32 hex digits, queue contract).
 */
export const SEEN_KEPT = 8;
const ID_BYTES = 32;

/**
 * One script per alert: count the occurrence once per notification, update the problem's
 * totals, claim "problem + status + severity" for the dedup window, and note the problem in the
 * index the sweep trims by number. Atomic in Redis, so two replicas never both get 'send' for
 * the same thing. Times come from the caller's clock.
 *
 * KEYS: problem hash, claim, problem index (sorted by last activity)
 * ARGV: now, windowMs, claimant, startsAtMs|'', sourceCount|'', userCount|'', retentionMs, status,
 *       countable ('1' for an occurrence; a resolution or an assignment is not one),
 *       notification id, problem key (the index's member)
 */
const OBSERVE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local claimant = ARGV[3]
local retention = tonumber(ARGV[7])
local id = ARGV[10]
local seen = redis.call('HGET', KEYS[1], 'seen') or ''
local fresh = true
local from = 1
while true do
  local at = string.find(seen, id, from, true)
  if not at then break end
  if (at - 1) % ${ID_BYTES} == 0 then fresh = false break end
  from = at + 1
end
if fresh then
  seen = seen .. id
  if #seen > ${ID_BYTES * SEEN_KEPT} then seen = string.sub(seen, -${ID_BYTES * SEEN_KEPT}) end
  redis.call('HSET', KEYS[1], 'seen', seen)
end
if fresh and ARGV[9] == '1' then
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
redis.call('ZADD', KEYS[3], now, ARGV[11])
local totals = redis.call('HMGET', KEYS[1], 'count', 'userCount', 'firstSeen', 'lastSeen', 'firstClaimant')
local owner = redis.call('GET', KEYS[2])
if owner then
  local sep = string.find(owner, '|', 1, true)
  local who = string.sub(owner, 1, sep - 1)
  local at = tonumber(string.sub(owner, sep + 1))
  if who ~= claimant and now - at < window then
    return {'duplicate', who, totals[1], totals[2], totals[3], totals[4], totals[5]}
  end
end
redis.call('SET', KEYS[2], claimant .. '|' .. now, 'PX', window + 60000)
return {'send', claimant, totals[1], totals[2], totals[3], totals[4], totals[5]}
`;

const observeScript = luaScript(OBSERVE);

const RELEASE = `
local owner = redis.call('GET', KEYS[1])
if owner and string.sub(owner, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then return redis.call('DEL', KEYS[1]) end
return 0`;
const releaseScript = luaScript(RELEASE);

/**
 * Forgets the problems heard of least recently, past `max`, at most `batch` a call, and drops
 * from the index those whose state has expired on its own.
 *
 * KEYS: problem index; ARGV: problem key prefix, expired-before ms, max, batch
 */
const FORGET = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
local n = math.min(redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3]), tonumber(ARGV[4]))
if n <= 0 then return 0 end
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, n - 1)) do redis.call('UNLINK', ARGV[1] .. key) end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1)
return n`;
const forgetScript = luaScript(FORGET);

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
 * What the gateway knows of each problem (by alert key): its running totals, its status, its
 * latest notification ids, who holds the dedup claim, and which destinations were paged about
 * it. Kept for `retentionMs` since last heard of, and for at most `maxProblems` problems (the
 * sweep forgets the least recently heard of): the bound that keeps Redis from filling up.
 */
export function createProblemStore(deps: {
  redis: RedisConnection;
  prefix: string;
  /** Read at each alert: a policy reload may change it. */
  dedupWindowMs: () => number;
  clock: Clock;
  retentionMs?: number;
  maxProblems: number;
}) {
  const { redis, prefix } = deps;
  const retentionMs = deps.retentionMs ?? 7 * 24 * 3600 * 1000;
  const problemKey = (key: string) => `${prefix}:problem:${key}`;
  const index = `${prefix}:problems`;
  const claimKey = (alert: Pick<Alert, 'key' | 'status' | 'severity'>) => `${prefix}:claim:${alert.key}:${alert.status}:${alert.severity}`;

  return {
    async observe(alert: Alert, claimantId: string): Promise<Verdict> {
      const startsAt = Date.parse(alert.startsAt ?? '');
      const keys = [problemKey(alert.key), claimKey(alert), index];
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
        alert.idempotencyKey,
        alert.key,
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
    /** The sweep's part: forgets what is past the cap or the retention; says how many problems went. */
    async forget(): Promise<number> {
      let forgotten = 0;
      for (;;) {
        const n = Number(await forgetScript(redis, [index], [problemKey(''), deps.clock.now() - retentionMs, deps.maxProblems, KEYS_PER_CALL]));
        forgotten += n;
        if (n < KEYS_PER_CALL) return forgotten;
      }
    },
  };
}

export type ProblemStore = ReturnType<typeof createProblemStore>;
