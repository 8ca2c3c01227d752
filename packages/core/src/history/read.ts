import type { Ack } from '../acks';
import type { Alert } from '../alert';
import { KEYS_PER_CALL } from '../lua-script';
import type { RedisConnection } from '../redis';
import { historyKeys } from './keys';
import type { AlertRecord, AlertSummary, ListRecord, MessageRecord, PlanEntry, ProblemRecord } from './types';

export interface AlertFilters {
  status?: string;
  severity?: string;
  source?: string;
  environment?: string;
  service?: string;
  fate?: string;
  /** Words looked for, case-insensitive, in the title, key, alert name and service. */
  q?: string;
  /** Received at or after / before (ms). */
  fromMs?: number;
  toMs?: number;
}

export interface AlertPage {
  alerts: AlertSummary[];
  /** Pass back as `cursor` for the next page; null at the end of the history. */
  next: string | null;
  /** Summaries read for this page: a filter that matches little reads many. */
  scanned: number;
}

/** One page never reads more than this: past it, the page ends early and `next` goes on. */
const SCAN_CAP = 20_000;
const BATCH = 500;

const EXACT = ['status', 'severity', 'source', 'environment', 'service', 'fate'] as const;

function matcher(f: AlertFilters): (s: AlertSummary) => boolean {
  const words = (f.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return (s) => {
    for (const name of EXACT) if (f[name] !== undefined && f[name] !== s[name]) return false;
    if (words.length === 0) return true;
    const text = `${s.title}\n${s.key}\n${s.alertname ?? ''}\n${s.service ?? ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  };
}

const encodeCursor = (score: number, id: string) => Buffer.from(`${score}:${id}`).toString('base64url');
function decodeCursor(cursor: string | undefined): { score: number; id: string } | undefined {
  if (!cursor) return undefined;
  const [score, ...id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  return Number.isFinite(Number(score)) && id.length ? { score: Number(score), id: id.join(':') } : undefined;
}

function parseFields<T>(fields: Record<string, string>, prefix: string): T[] {
  return Object.entries(fields)
    .filter(([field]) => field.startsWith(prefix))
    .map(([, raw]) => JSON.parse(raw) as T);
}
const byTime = (a: { at: string }, b: { at: string }) => a.at.localeCompare(b.at);

/** The plan field: { plan, claim? } (a bare list in records written before claims existed). */
function planOf(raw: string | undefined): { plan: PlanEntry[]; claim?: { by: string; at: string } } {
  const parsed = JSON.parse(raw ?? '[]') as PlanEntry[] | { plan: PlanEntry[]; claim?: { by: string; at: string } };
  return Array.isArray(parsed) ? { plan: parsed } : parsed;
}

/** The API's and the console's side of the alert history: reads only. */
export function createHistoryReader(deps: { redis: RedisConnection; prefix: string }) {
  const { redis } = deps;
  const keys = historyKeys(deps.prefix);

  /** In slices: a digest of a busy hour lists more ids than one call can carry. */
  async function summaries(ids: string[]): Promise<AlertSummary[]> {
    const raw: Array<string | null> = [];
    for (let i = 0; i < ids.length; i += KEYS_PER_CALL) raw.push(...(await redis.hmget(keys.summaries, ...ids.slice(i, i + KEYS_PER_CALL))));
    return raw.flatMap((r) => (r ? [JSON.parse(r) as AlertSummary] : []));
  }

  /** A list's record, and a reader of its ids a page at a time. */
  async function list(id: string): Promise<{ record: ListRecord; idsAt: (offset: number, limit: number) => Promise<string[]> } | undefined> {
    const [fields, total] = await Promise.all([redis.hgetall(keys.list(id)), redis.llen(keys.listIds(id))]);
    if (!fields.meta) return undefined;
    // Lists written before their ids had a key of their own kept them in one JSON field.
    const older = fields.ids === undefined ? undefined : (JSON.parse(fields.ids) as string[]);
    return {
      record: { ...JSON.parse(fields.meta), total: older?.length ?? total, messages: parseFields<MessageRecord>(fields, 'm:').sort(byTime) },
      idsAt: async (offset, limit) => (limit <= 0 ? [] : older ? older.slice(offset, offset + limit) : redis.lrange(keys.listIds(id), offset, offset + limit - 1)),
    };
  }

  return {
    /** Newest first, filtered, one page at a time. */
    async query(filters: AlertFilters, opts: { cursor?: string; limit?: number } = {}): Promise<AlertPage> {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      const matches = matcher(filters);
      const after = decodeCursor(opts.cursor);
      let max: string = after ? String(after.score) : filters.toMs !== undefined ? String(filters.toMs) : '+inf';
      const min = filters.fromMs !== undefined ? String(filters.fromMs) : '-inf';
      const out: AlertSummary[] = [];
      let scanned = 0;
      let last: { score: number; id: string } | undefined = after;
      for (;;) {
        const batch = await redis.zrevrangebyscore(keys.index, max, min, 'WITHSCORES', 'LIMIT', 0, BATCH);
        if (batch.length === 0) return { alerts: out, next: null, scanned };
        const entries: Array<{ id: string; score: number }> = [];
        for (let i = 0; i < batch.length; i += 2) {
          const entry = { id: batch[i], score: Number(batch[i + 1]) };
          // Equal scores come in reverse member order: skip up to and including the cursor.
          if (last && entry.score === last.score && entry.id >= last.id) continue;
          entries.push(entry);
        }
        const found = new Map((await summaries(entries.map((e) => e.id))).map((s) => [s.id, s]));
        for (const entry of entries) {
          scanned++;
          last = entry;
          const summary = found.get(entry.id);
          if (summary && matches(summary)) out.push(summary);
          if (out.length === limit || scanned >= SCAN_CAP) return { alerts: out, next: encodeCursor(entry.score, entry.id), scanned };
        }
        if (batch.length < BATCH * 2) return { alerts: out, next: null, scanned };
        max = String(last!.score);
      }
    },
    async get(id: string): Promise<AlertRecord | undefined> {
      const fields = await redis.hgetall(keys.alert(id));
      if (!fields.alert) return undefined;
      const listIds = Object.keys(fields).filter((f) => f.startsWith('l:')).map((f) => f.slice(2));
      const lists = (await Promise.all(listIds.map(list))).flatMap((l) => (l ? [l.record] : []));
      return {
        id,
        alert: JSON.parse(fields.alert) as Alert,
        fate: fields.fate,
        reason: fields.reason,
        decidedAt: new Date(Number(fields.decidedAt)).toISOString(),
        ...planOf(fields.plan),
        messages: parseFields<MessageRecord>(fields, 'm:').sort(byTime),
        lists,
      };
    },
    /**
     * A digest or storm summary and the summaries of the alerts it carried, a page at a time
     * (from `offset`, at most `limit`): a busy hour's digest carries tens of thousands.
     */
    async list(id: string, page: { offset: number; limit: number }): Promise<(ListRecord & { alerts: AlertSummary[] }) | undefined> {
      const found = await list(id);
      return found && { ...found.record, alerts: await summaries(await found.idsAt(page.offset, page.limit)) };
    },
    async problem(key: string): Promise<ProblemRecord | undefined> {
      const [timeline, state, ack] = await Promise.all([
        redis.lrange(keys.timeline(key), 0, 49),
        redis.hmget(keys.problem(key), 'count', 'firstSeen', 'lastSeen', 'status'),
        redis.hgetall(keys.ack(key)),
      ]);
      if (timeline.length === 0) return undefined;
      const entries = timeline.map((t) => JSON.parse(t) as ProblemRecord['timeline'][number]);
      const [latest] = await summaries([entries[0].id]);
      const record = await this.get(entries[0].id);
      const iso = (ms: string | null) => (ms ? new Date(Number(ms)).toISOString() : undefined);
      return {
        key,
        title: latest?.title ?? key,
        severity: latest?.severity,
        status: state[3] ?? latest?.status,
        count: Number(state[0] ?? entries.length),
        firstSeen: iso(state[1]),
        lastSeen: iso(state[2]),
        lastAlertId: entries[0].id,
        lastMessage: record?.messages.at(-1),
        ...(Object.keys(ack).length ? { ack: ack as Ack } : {}),
        timeline: entries,
      };
    },
    /** Problems still firing, most recently seen first. */
    async openProblems(limit = 200): Promise<ProblemRecord[]> {
      const problemKeys = await redis.zrevrange(keys.open, 0, limit - 1);
      return (await Promise.all(problemKeys.map((k) => this.problem(k)))).filter((p): p is ProblemRecord => p !== undefined);
    },
    /**
     * The noise of a period: per problem, how many alerts came and how many reached someone
     * (their own card, a digest or a storm summary) against those only counted.
     */
    async noise(fromMs: number, toMs: number, top = 20) {
      const perProblem = new Map<string, { key: string; title: string; severity: string; alerts: number; sent: number; counted: number }>();
      let cursor: string | undefined;
      do {
        const page = await this.query({ fromMs, toMs }, { cursor, limit: 500 });
        for (const s of page.alerts) {
          const p = perProblem.get(s.key) ?? { key: s.key, title: s.title, severity: s.severity, alerts: 0, sent: 0, counted: 0 };
          p.alerts++;
          if (['queued', 'merged', 'digested'].includes(s.fate)) p.sent++;
          else p.counted++;
          perProblem.set(s.key, p);
        }
        cursor = page.next ?? undefined;
      } while (cursor);
      const problems = [...perProblem.values()].sort((a, b) => b.counted - a.counted || b.alerts - a.alerts);
      return { problems: problems.slice(0, top), totals: { problems: problems.length, alerts: problems.reduce((n, p) => n + p.alerts, 0), sent: problems.reduce((n, p) => n + p.sent, 0) } };
    },
  };
}

export type HistoryReader = ReturnType<typeof createHistoryReader>;
