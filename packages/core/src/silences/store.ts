import { randomUUID } from 'node:crypto';
import Joi from 'joi';
import type { Alert } from '../alert';
import type { RedisConnection } from '../redis';
import { durationSchema, parseDuration } from '../vocabulary';
import { PayloadError } from '../sources/payload-error';
import { compile, fromLegacyMatchers, matcherProblems, matcherSchema, type Matcher } from './matchers';

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy?: string;
  comment?: string;
  createdAt: string;
  /** Who lifted it early, and when (a deleted silence is kept, as ended ones are). */
  deletedBy?: string;
  deletedAt?: string;
  /** Made by 已处理 on a problem that cannot be resolved from here (Alertmanager): it ends when the problem's resolution arrives, and lets that through. */
  untilResolved?: string;
}

export type SilenceState = 'pending' | 'active' | 'expired' | 'deleted';

export function silenceState(s: Silence, atMs: number): SilenceState {
  if (s.deletedAt) return 'deleted';
  if (Date.parse(s.endsAt) <= atMs) return 'expired';
  return Date.parse(s.startsAt) > atMs ? 'pending' : 'active';
}

const inputSchema = Joi.object({
  matchers: Joi.alternatives(
    Joi.array().items(matcherSchema).min(1).max(50),
    // The first release's form: { service: 'x', labels: { team: 'db' } }.
    Joi.object({
      source: Joi.string(),
      environment: Joi.string().max(100),
      service: Joi.string().max(200),
      severity: Joi.string(),
      labels: Joi.object().pattern(Joi.string().max(100), Joi.string().max(500)).min(1),
    }).min(1),
  )
    .required()
    .messages({ 'alternatives.match': 'matchers must be a list of matchers, each with name, op (=, !=, =~ or !~) and value', 'object.min': 'matchers needs at least one matcher', 'array.min': 'matchers needs at least one matcher' }),
  startsAt: Joi.date().iso(),
  endsAt: Joi.date().iso(),
  duration: durationSchema,
  comment: Joi.string().max(1000).allow(''),
})
  .xor('endsAt', 'duration')
  .messages({ 'object.missing': 'give endsAt or duration', 'object.xor': 'give endsAt or duration, not both' });

/** A stored silence of either release, in this release's shape. */
function parse(raw: string): Silence {
  const s = JSON.parse(raw) as Silence & { matchers: Matcher[] | Record<string, unknown> };
  return { ...s, matchers: Array.isArray(s.matchers) ? s.matchers : fromLegacyMatchers(s.matchers) };
}

/**
 * Silences live in one Redis hash, kept (ended and deleted ones too, with who lifted them)
 * until `keepMs` after they end; the alerts a silence holds, in one hash per silence.
 */
export function createSilenceStore(deps: { redis: RedisConnection; prefix: string; cacheMs?: number }) {
  const { redis } = deps;
  const all = `${deps.prefix}:silences`;
  const released = `${deps.prefix}:silences:released`;
  const held = (id: string) => `${deps.prefix}:silence:${id}:held`;
  const cacheMs = deps.cacheMs ?? 2000;
  let cache: { at: number; live: Array<{ silence: Silence; startMs: number; endMs: number; matches: (a: Alert) => boolean }> } | undefined;

  async function everything(): Promise<Silence[]> {
    return (await redis.hvals(all)).map(parse);
  }

  async function takeHeld(id: string): Promise<Alert[]> {
    const [[, values]] = (await redis.multi().hvals(held(id)).del(held(id)).exec()) as Array<[Error | null, string[]]>;
    return values.map((v) => JSON.parse(v) as Alert);
  }

  return {
    /** opts.id makes a retried action create one silence; opts.untilResolved names the problem whose resolution ends it. */
    async create(input: unknown, now: Date, createdBy?: string, opts: { id?: string; untilResolved?: string } = {}): Promise<Silence> {
      const { error, value } = inputSchema.validate(input, { abortEarly: false });
      if (error) throw new PayloadError(error.details.map((d) => d.message.replace(/"/g, '')).join('; '), error.details[0]?.path.join('.'));
      const matchers: Matcher[] = Array.isArray(value.matchers) ? value.matchers : fromLegacyMatchers(value.matchers);
      const problems = matcherProblems(matchers);
      if (problems.length) throw new PayloadError(problems.join('; '), 'matchers');
      const startsAt: Date = value.startsAt ?? now;
      const endsAt: Date = value.endsAt ?? new Date(startsAt.getTime() + parseDuration(value.duration));
      if (endsAt <= startsAt) throw new PayloadError('endsAt must be after startsAt', 'endsAt');
      const silence: Silence = {
        id: opts.id ?? randomUUID(),
        matchers,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        createdBy,
        comment: value.comment || undefined,
        createdAt: now.toISOString(),
        untilResolved: opts.untilResolved,
      };
      await redis.hset(all, silence.id, JSON.stringify(silence));
      cache = undefined;
      return silence;
    },
    /** Active and pending silences, soonest first; with `all`, ended and deleted ones too, newest first. */
    async list(now: Date, opts: { all?: boolean } = {}): Promise<Silence[]> {
      const silences = await everything();
      if (opts.all) return silences.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return silences.filter((s) => ['active', 'pending'].includes(silenceState(s, now.getTime()))).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    },
    async get(id: string): Promise<Silence | undefined> {
      const raw = await redis.hget(all, id);
      return raw ? parse(raw) : undefined;
    },
    /** Lifts an active or pending silence now; false when there is none by that id. What it held goes on at the next sweep. */
    async remove(id: string, now: Date, deletedBy?: string): Promise<boolean> {
      const raw = await redis.hget(all, id);
      if (!raw) return false;
      const silence = parse(raw);
      if (!['active', 'pending'].includes(silenceState(silence, now.getTime()))) return false;
      const ended = new Date(Math.min(Date.parse(silence.endsAt), now.getTime())).toISOString();
      await redis.hset(all, id, JSON.stringify({ ...silence, endsAt: ended, deletedAt: now.toISOString(), deletedBy }));
      cache = undefined;
      return true;
    },
    /** The active silence covering the alert. Cached briefly, matchers compiled once: this runs for every alert. */
    async match(alert: Alert, atMs: number): Promise<Silence | undefined> {
      if (!cache || atMs - cache.at > cacheMs || atMs < cache.at) {
        const live = (await everything()).filter((s) => !s.deletedAt && Date.parse(s.endsAt) > atMs);
        cache = { at: atMs, live: live.map((silence) => ({ silence, startMs: Date.parse(silence.startsAt), endMs: Date.parse(silence.endsAt), matches: compile(silence.matchers) })) };
      }
      // A silence kept until the problem resolves lets its resolution through.
      const resolving = (s: Silence) => s.untilResolved === alert.key && alert.status === 'resolved';
      return cache.live.find(({ silence, startMs, endMs, matches }) => startMs <= atMs && endMs > atMs && !resolving(silence) && matches(alert))?.silence;
    },
    /** The problem resolved: silences kept until then end now (their held alerts go on at the next sweep). */
    async endUntilResolved(problemKey: string, now: Date): Promise<number> {
      const ending = (await everything()).filter((s) => s.untilResolved === problemKey && silenceState(s, now.getTime()) === 'active');
      for (const s of ending) await redis.hset(all, s.id, JSON.stringify({ ...s, endsAt: now.toISOString() }));
      if (ending.length) cache = undefined;
      return ending.length;
    },
    /** Keeps the latest alert per problem, to be sent when the silence ends. */
    async hold(silenceId: string, alert: Alert): Promise<void> {
      await redis.hset(held(silenceId), alert.key, JSON.stringify(alert));
    },
    /**
     * Takes the alerts held by silences that have ended or were deleted, once: only the replica
     * whose SADD adds the silence to the released set gets them. Silences ended more than
     * `keepMs` ago are forgotten.
     */
    async releaseEnded(atMs: number, keepMs: number): Promise<Array<{ silence: Silence; alerts: Alert[] }>> {
      const out: Array<{ silence: Silence; alerts: Alert[] }> = [];
      for (const s of await everything()) {
        const endedAt = Date.parse(s.endsAt);
        if (endedAt > atMs) continue;
        if ((await redis.sadd(released, s.id)) === 1) out.push({ silence: s, alerts: await takeHeld(s.id) });
        if (endedAt < atMs - keepMs) await redis.multi().hdel(all, s.id).srem(released, s.id).exec();
      }
      if (out.length) cache = undefined;
      return out;
    },
  };
}

export type SilenceStore = ReturnType<typeof createSilenceStore>;
