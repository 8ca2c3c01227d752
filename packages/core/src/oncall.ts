import Joi from 'joi';
import { clockTimeSchema, durationSchema, parseDuration } from './vocabulary';
import { zonedTimeToMs } from './render/time';

/**
 * A member of a rotation: a WeCom user id (app recipient, `<@userid>` on robot cards), a mobile
 * number (robots @ by phone in a companion text message), or both.
 */
export interface Member {
  userid?: string;
  name?: string;
  mobile?: string;
}

/** How overrides and pages name a member: the user id, else the mobile number. */
export const memberId = (member: Member): string => member.userid ?? member.mobile ?? '';

/**
 * Who is on call: members take turns of `every` (1d, 7d …), handing over at `handoff` (local
 * time, DISPLAY_TZ), the first member's first turn starting on `start`. An override puts
 * someone else on call between two local times (a swap, a holiday).
 */
export interface Rotation {
  id: string;
  members: Member[];
  handoff: string;
  every: string;
  start: string;
  overrides?: Array<{ from: string; to: string; userid: string }>;
}

const userid = Joi.string().pattern(/^[\w.@-]{1,64}$/).messages({ 'string.pattern.base': '{{#label}} must be a WeCom user id (letters, digits, _ . @ -)' });
const mobile = Joi.string().pattern(/^\+?\d{5,20}$/).messages({ 'string.pattern.base': '{{#label}} must be a phone number (digits, an optional +)' });
const member = Joi.alternatives(
  userid.custom((id: string) => ({ userid: id })),
  Joi.object({ userid, name: Joi.string().max(64), mobile }).or('userid', 'mobile'),
);
const localTime = Joi.string().pattern(/^\d{4}-\d\d-\d\d(?: \d\d:\d\d)?$/).messages({ 'string.pattern.base': '{{#label}} must be a local time as YYYY-MM-DD HH:MM' });

export const rotationSchema = Joi.object({
  id: Joi.string().pattern(/^[\w.-]+$/).required(),
  members: Joi.array().items(member).min(1).required(),
  handoff: clockTimeSchema.default('09:00'),
  every: durationSchema.default('7d'),
  start: Joi.string().pattern(/^\d{4}-\d\d-\d\d$/).required().messages({ 'string.pattern.base': '{{#label}} must be a date as YYYY-MM-DD' }),
  overrides: Joi.array().items(Joi.object({ from: localTime.required(), to: localTime.required(), userid: Joi.string().required().description('a member: user id, or mobile for a mobile-only member') })),
});

export interface Shift {
  member: Member;
  from: number;
  until: number;
  /** An override, not the turn. */
  override?: boolean;
}

/** The shift in force at atMs, and the one after it. */
export function onCall(rotation: Rotation, atMs: number, tz: string): { now: Shift; next: Shift } {
  const period = parseDuration(rotation.every);
  const start = zonedTimeToMs(`${rotation.start} ${rotation.handoff}`, tz);
  const members = rotation.members;
  const byId = (id: string): Member => members.find((m) => memberId(m) === id) ?? { userid: id };
  const overrides = (rotation.overrides ?? [])
    .map((o) => ({ from: zonedTimeToMs(o.from, tz), until: zonedTimeToMs(o.to, tz), member: byId(o.userid), override: true }))
    .filter((o) => o.until > o.from);

  function turnAt(ms: number): Shift {
    const n = Math.floor((ms - start) / period);
    const from = start + n * period;
    return { member: members[((n % members.length) + members.length) % members.length], from, until: from + period };
  }
  function shiftAt(ms: number): Shift {
    const override = overrides.find((o) => o.from <= ms && ms < o.until);
    if (override) return override;
    const turn = turnAt(ms);
    // A turn that an override cuts short ends where the override begins, and resumes where one ends.
    const cut = overrides.filter((o) => o.from > ms && o.from < turn.until).map((o) => o.from);
    const resumed = overrides.filter((o) => o.until <= ms && o.until > turn.from).map((o) => o.until);
    return { ...turn, from: Math.max(turn.from, ...resumed), until: Math.min(turn.until, ...cut) };
  }
  const now = shiftAt(atMs);
  return { now, next: shiftAt(now.until) };
}

/** Problems with rotations, in words (unknown override members, an override that ends before it starts). */
export function rotationProblems(rotation: Rotation, where: string): string[] {
  return (rotation.overrides ?? []).flatMap((o, i) =>
    o.to <= o.from ? [`${where}.overrides[${i}]: to (${o.to}) must be after from (${o.from})`] : [],
  );
}

/** How a member is @-mentioned: by user id where known, else by phone (robots only). */
export function mentionOf(member: Member): { mentions: string[]; mentionMobiles: string[] } {
  if (member.userid) return { mentions: [member.userid], mentionMobiles: [] };
  return { mentions: [], mentionMobiles: member.mobile ? [member.mobile] : [] };
}
