import { randomUUID } from 'node:crypto';
import Joi from 'joi';
import type { Alert, Severity } from './alert';
import type { RedisConnection } from './redis';
import { durationSchema, parseDuration, severitySchema, sourceSchema } from './vocabulary';
import { PayloadError } from './sources/payload-error';

/** Which alerts a silence covers: every given matcher must match. */
export interface SilenceMatchers {
  source?: Alert['source'];
  environment?: string;
  service?: string;
  severity?: Severity;
  labels?: Record<string, string>;
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  startsAt: string;
  endsAt: string;
  createdBy?: string;
  comment?: string;
  createdAt: string;
}

export const silenceInputSchema = Joi.object({
  matchers: Joi.object({
    source: sourceSchema,
    environment: Joi.string().max(100),
    service: Joi.string().max(200),
    severity: severitySchema,
    labels: Joi.object().pattern(Joi.string().max(100), Joi.string().max(500)).min(1),
  })
    .min(1)
    .required()
    .messages({ 'object.min': 'matchers needs at least one of source, environment, service, severity, labels' }),
  startsAt: Joi.date().iso(),
  endsAt: Joi.date().iso(),
  duration: durationSchema,
  comment: Joi.string().max(1000).allow(''),
})
  .xor('endsAt', 'duration')
  .messages({ 'object.missing': 'give endsAt or duration', 'object.xor': 'give endsAt or duration, not both' });

export function silenceMatches(silence: Silence, alert: Alert, atMs: number): boolean {
  if (atMs < Date.parse(silence.startsAt) || atMs >= Date.parse(silence.endsAt)) return false;
  const m = silence.matchers;
  if (m.source && m.source !== alert.source) return false;
  if (m.environment && m.environment !== alert.environment) return false;
  if (m.service && m.service !== alert.service) return false;
  if (m.severity && m.severity !== alert.severity) return false;
  for (const [name, value] of Object.entries(m.labels ?? {})) if (alert.labels[name] !== value) return false;
  return true;
}

/** Silences live in one Redis hash; the alerts a silence holds in one hash per silence. */
export function createSilenceStore(deps: { redis: RedisConnection; prefix: string; cacheMs?: number }) {
  const { redis } = deps;
  const all = `${deps.prefix}:silences`;
  const ended = `${deps.prefix}:silences:ended`;
  const held = (id: string) => `${deps.prefix}:silence:${id}:held`;
  const cacheMs = deps.cacheMs ?? 2000;
  let cache: { at: number; list: Silence[] } | undefined;

  async function list(now: Date, opts: { includeExpired?: boolean } = {}): Promise<Silence[]> {
    const raw = await redis.hvals(all);
    const silences = raw.map((s) => JSON.parse(s) as Silence).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    return opts.includeExpired ? silences : silences.filter((s) => Date.parse(s.endsAt) > now.getTime());
  }

  return {
    async create(input: unknown, now: Date, createdBy?: string): Promise<Silence> {
      const { error, value } = silenceInputSchema.validate(input, { abortEarly: false });
      if (error) throw new PayloadError(error.details.map((d) => d.message.replace(/"/g, '')).join('; '), error.details[0]?.path.join('.'));
      const startsAt: Date = value.startsAt ?? now;
      const endsAt: Date = value.endsAt ?? new Date(startsAt.getTime() + parseDuration(value.duration));
      if (endsAt <= startsAt) throw new PayloadError('endsAt must be after startsAt', 'endsAt');
      const silence: Silence = {
        id: randomUUID(),
        matchers: value.matchers,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        createdBy,
        comment: value.comment || undefined,
        createdAt: now.toISOString(),
      };
      await redis.hset(all, silence.id, JSON.stringify(silence));
      cache = undefined;
      return silence;
    },
    list,
    /** A deleted silence ends now: what it held is released on the next sweep. */
    async remove(id: string): Promise<boolean> {
      const removed = (await redis.hdel(all, id)) > 0;
      if (removed) await redis.sadd(ended, id);
      cache = undefined;
      return removed;
    },
    /** The active silence covering the alert. Cached briefly: this runs for every alert. */
    async match(alert: Alert, atMs: number): Promise<Silence | undefined> {
      if (!cache || atMs - cache.at > cacheMs || atMs < cache.at) cache = { at: atMs, list: await list(new Date(0), { includeExpired: true }) };
      return cache.list.find((s) => silenceMatches(s, alert, atMs));
    },
    /** Keeps the latest alert per problem, to be sent when the silence ends. */
    async hold(silenceId: string, alert: Alert): Promise<void> {
      await redis.hset(held(silenceId), alert.key, JSON.stringify(alert));
    },
    /**
     * Takes, atomically, the alerts held by silences that have ended or were deleted. Only
     * the replica whose HDEL/SREM wins gets them.
     */
    async releaseEnded(atMs: number): Promise<Array<{ silence: Silence; alerts: Alert[] }>> {
      const out: Array<{ silence: Silence; alerts: Alert[] }> = [];
      for (const s of await list(new Date(0), { includeExpired: true })) {
        if (Date.parse(s.endsAt) > atMs) continue;
        if ((await redis.hdel(all, s.id)) === 0) continue;
        out.push({ silence: s, alerts: await takeHeld(s.id) });
      }
      for (const id of await redis.smembers(ended)) {
        if ((await redis.srem(ended, id)) === 0) continue;
        const alerts = await takeHeld(id);
        if (alerts.length) out.push({ silence: { id, matchers: {}, startsAt: '', endsAt: new Date(atMs).toISOString(), createdAt: '' }, alerts });
      }
      if (out.length) cache = undefined;
      return out;
    },
  };

  async function takeHeld(id: string): Promise<Alert[]> {
    const [[, values]] = (await redis.multi().hvals(held(id)).del(held(id)).exec()) as Array<[Error | null, string[]]>;
    return values.map((v) => JSON.parse(v) as Alert);
  }
}

export type SilenceStore = ReturnType<typeof createSilenceStore>;
