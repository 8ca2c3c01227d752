import type { Alert } from '../alert';
import { KEYS_PER_CALL, luaScript } from '../lua-script';
import type { RedisConnection } from '../redis';
import { historyKeys, LIST_IDS_SUFFIX } from './keys';
import type { AlertSummary, MessageRecord, PlanEntry } from './types';

/** How many entries a problem's timeline keeps. */
const TIMELINE_LENGTH = 200;

/**
 * One alert's decision, in one script: the record, its place in the index, its summary for
 * filters, its problem's timeline (and that timeline's place in the timelines index) and whether
 * the problem is open.
 * KEYS: record, index, summaries, timeline, open, timelines index
 * ARGV: id, receivedMs, alert, fate, reason, plan, decidedMs, summary, timelineEntry,
 *       retentionMs, problemKey, open ('add' | 'remove' | '')
 */
const RECORD = `
redis.call('HSET', KEYS[1], 'alert', ARGV[3], 'fate', ARGV[4], 'reason', ARGV[5], 'plan', ARGV[6], 'decidedAt', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[10])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[8])
redis.call('LPUSH', KEYS[4], ARGV[9])
redis.call('LTRIM', KEYS[4], 0, ${TIMELINE_LENGTH - 1})
redis.call('PEXPIRE', KEYS[4], ARGV[10])
redis.call('ZADD', KEYS[6], ARGV[2], ARGV[11])
if ARGV[12] == 'add' then redis.call('ZADD', KEYS[5], ARGV[7], ARGV[11]) elseif ARGV[12] == 'remove' then redis.call('ZREM', KEYS[5], ARGV[11]) end
return 1`;
const recordScript = luaScript(RECORD);

/**
 * Forgets the members of a time index scored before a moment, with the key each names (and,
 * given a suffix, the key beside it), at most `batch` a call. One script, so an entry written to
 * meanwhile (it moved up in the index) is not taken.
 * KEYS: the index; ARGV: the members' key prefix, before ms, batch, [suffix]
 */
const FORGET_OLDER = `
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, key in ipairs(stale) do
  redis.call('UNLINK', ARGV[1] .. key)
  if ARGV[4] then redis.call('UNLINK', ARGV[1] .. key .. ARGV[4]) end
end
if #stale > 0 then redis.call('ZREM', KEYS[1], unpack(stale)) end
return #stale`;
const forgetOlderScript = luaScript(FORGET_OLDER);

/**
 * Marks the alerts a list carries with it, those the history still holds: an alert trimmed since
 * (the cap is by number) must not come back as a record of one field and no expiry.
 * KEYS: alert records; ARGV: the field
 */
const MARK_LISTED = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, ARGV[1], '1') end
end
return 1`;
const markListedScript = luaScript(MARK_LISTED);

/**
 * Moves ids to the front of a list in the order given, each taken from where it stood (LREM
 * walks the list: a few dozen ids a call keep each call short on a list of 100,000).
 * KEYS: the list; ARGV: the ids
 */
const TO_FRONT = `
for i = #ARGV, 1, -1 do
  redis.call('LREM', KEYS[1], 1, ARGV[i])
  redis.call('LPUSH', KEYS[1], ARGV[i])
end
return 1`;
const toFrontScript = luaScript(TO_FRONT);
const TO_FRONT_PER_CALL = 25;

export function summaryOf(id: string, alert: Alert, fate: string): AlertSummary {
  return {
    id,
    at: alert.receivedAt,
    fate,
    severity: alert.severity,
    source: alert.source,
    status: alert.status,
    environment: alert.environment,
    service: alert.service,
    title: alert.title,
    key: alert.key,
    alertname: alert.labels.alertname,
  };
}

/**
 * The worker's side of the alert history: every alert's decision, every message that carried
 * it, the lists behind digests and storm summaries. Bounded by `retentionMs` and `maxAlerts`
 * (trim() runs on the clock's sweep; every key also expires on its own).
 */
export function createHistoryWriter(deps: { redis: RedisConnection; prefix: string; retentionMs: number; maxAlerts: number }): HistoryWriter {
  const { redis, retentionMs } = deps;
  const keys = historyKeys(deps.prefix);
  if (deps.maxAlerts === 0) return keepsNothing;

  /** Forgets what `index` holds from before `beforeMs`, and its keys; says how many went. */
  async function forgetOlder(index: string, keyPrefix: string, beforeMs: number, besideSuffix?: string): Promise<number> {
    let forgotten = 0;
    for (;;) {
      const n = Number(await forgetOlderScript(redis, [index], [keyPrefix, beforeMs, KEYS_PER_CALL, ...(besideSuffix ? [besideSuffix] : [])]));
      forgotten += n;
      if (n < KEYS_PER_CALL) return forgotten;
    }
  }

  return {
    async recordDecision(id: string, input: DecisionRecord): Promise<void> {
      const { alert, fate } = input;
      const received = Date.parse(alert.receivedAt);
      const open = alert.status === 'firing' || alert.status === 'unresolved' ? 'add' : alert.status === 'resolved' || alert.status === 'ignored' ? 'remove' : '';
      await recordScript(redis, [keys.alert(id), keys.index, keys.summaries, keys.timeline(alert.key), keys.open, keys.timelines], [
        id,
        Number.isFinite(received) ? received : input.decidedAtMs,
        JSON.stringify(alert),
        fate,
        input.reason,
        JSON.stringify({ plan: input.plan, ...(input.claim && { claim: input.claim }) }),
        input.decidedAtMs,
        JSON.stringify(summaryOf(id, alert, fate)),
        JSON.stringify({ at: new Date(input.decidedAtMs).toISOString(), id, status: alert.status, fate }),
        retentionMs,
        alert.key,
        open,
      ]);
    },
    /** A message about one alert (its card), one attempt; `messageId` makes a retried record land once. */
    async recordAlertMessage(alertId: string, messageId: string, message: MessageRecord): Promise<void> {
      await redis.hset(keys.alert(alertId), `m:${messageId}:${message.attempt}`, JSON.stringify(message));
    },
    /**
     * A digest or storm summary, written as it is read: its alerts a slice at a time (a busy
     * hour's digest lists 100,000), then what it is. A list started again (a flush retried)
     * starts from nothing.
     */
    async startList(id: string): Promise<ListWriter> {
      const ids = keys.listIds(id);
      await redis.unlink(ids);
      return {
        async append(alertIds) {
          for (let i = 0; i < alertIds.length; i += KEYS_PER_CALL) {
            const slice = alertIds.slice(i, i + KEYS_PER_CALL);
            await redis.pipeline().rpush(ids, ...slice).pexpire(ids, retentionMs).exec();
            await markListedScript(redis, slice.map(keys.alert), [`l:${id}`]);
          }
        },
        async finish(list) {
          const first = list.first ?? [];
          // Last chunk first: each call puts its ids before those already moved.
          for (let end = first.length; end > 0; end -= TO_FRONT_PER_CALL) await toFrontScript(redis, [ids], first.slice(Math.max(0, end - TO_FRONT_PER_CALL), end));
          const meta = JSON.stringify({ id, kind: list.kind, destinationId: list.destinationId, heading: list.heading, at: new Date(list.atMs).toISOString() });
          await redis.pipeline().hset(keys.list(id), 'meta', meta).pexpire(keys.list(id), retentionMs).pexpire(ids, retentionMs).zadd(keys.lists, list.atMs, id).exec();
        },
      };
    },
    async recordListMessage(listId: string, messageId: string, message: MessageRecord): Promise<void> {
      await redis.hset(keys.list(listId), `m:${messageId}:${message.attempt}`, JSON.stringify(message));
    },
    /** Forgets alerts past the retention or beyond the cap (oldest first), and lists past the retention. */
    async trim(nowMs: number): Promise<{ alerts: number; lists: number; timelines: number }> {
      const cutoff = nowMs - retentionMs;
      let alerts = 0;
      for (;;) {
        const old = await redis.zrangebyscore(keys.index, '-inf', `(${cutoff}`, 'LIMIT', 0, KEYS_PER_CALL);
        const excess = old.length ? 0 : Math.min(KEYS_PER_CALL, (await redis.zcard(keys.index)) - deps.maxAlerts);
        const ids = old.length ? old : excess > 0 ? await redis.zrange(keys.index, 0, excess - 1) : [];
        if (ids.length === 0) break;
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.unlink(keys.alert(id));
        pipeline.hdel(keys.summaries, ...ids);
        pipeline.zrem(keys.index, ...ids);
        await pipeline.exec();
        alerts += ids.length;
      }
      const lists = await forgetOlder(keys.lists, keys.list(''), cutoff, LIST_IDS_SUFFIX);
      // A problem heard of only before the oldest alert kept (past the retention, or the cap) has
      // nothing left in the history: its timeline goes, and it is not listed as open any more.
      const [, oldestKept] = await redis.zrange(keys.index, 0, 0, 'WITHSCORES');
      const horizon = oldestKept === undefined ? cutoff : Math.max(cutoff, Number(oldestKept));
      const timelines = await forgetOlder(keys.timelines, keys.timeline(''), horizon);
      await redis.zremrangebyscore(keys.open, '-inf', `(${horizon}`);
      return { alerts, lists, timelines };
    },
  };
}

/** What the decision pipeline made of one alert. */
export interface DecisionRecord {
  alert: Alert;
  fate: string;
  reason: string;
  plan: PlanEntry[];
  decidedAtMs: number;
  /** Who had claimed its problem then. */
  claim?: { by: string; at: string };
}

/** A digest's or storm summary's list of alerts, as its flush reads them. */
export interface ListWriter {
  /** Lists these alerts after those already listed, and marks each (as the history still holds it) as carried. */
  append(alertIds: readonly string[]): Promise<void>;
  /** Says what the list is, once every alert is in; `first` (the alerts its card shows) opens its page, in that order. */
  finish(list: { kind: 'digest' | 'storm'; destinationId: string; heading: string; atMs: number; first?: readonly string[] }): Promise<void>;
}

export type HistoryWriter = {
  recordDecision(id: string, input: DecisionRecord): Promise<void>;
  recordAlertMessage(alertId: string, messageId: string, message: MessageRecord): Promise<void>;
  startList(id: string): Promise<ListWriter>;
  recordListMessage(listId: string, messageId: string, message: MessageRecord): Promise<void>;
  trim(nowMs: number): Promise<{ alerts: number; lists: number }>;
};

/** HISTORY_MAX_ALERTS=0: no history at all (the console and /api/alerts then find nothing). */
const keepsNothing: HistoryWriter = {
  recordDecision: async () => undefined,
  recordAlertMessage: async () => undefined,
  startList: async () => ({ append: async () => undefined, finish: async () => undefined }),
  recordListMessage: async () => undefined,
  trim: async () => ({ alerts: 0, lists: 0 }),
};
