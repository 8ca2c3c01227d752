import type Joi from 'joi';
import { compiledCheck } from '../compiled-check';
import { PayloadError } from './payload-error';

/** Longest text copied from a payload into an alert: one huge field must not make a huge job. */
export const MAX_TITLE = 500;
export const MAX_TEXT = 8 * 1024;

/**
 * Validates with joi, listing every problem with its path in one PayloadError. A body the
 * compiled form of the schema accepts is valid without asking joi (the hot path).
 */
export function check<T>(schema: Joi.Schema, value: unknown): T {
  if (compiledCheck(schema)(value)) return value as T;
  const { error, value: out } = schema.validate(value, { abortEarly: false, allowUnknown: true, convert: false });
  if (error) {
    const message = error.details.map((d) => d.message.replace(/"/g, '')).join('; ');
    throw new PayloadError(message, error.details[0]?.path.join('.'));
  }
  return out as T;
}

/** A trimmed, capped string, or undefined for anything that is not a non-empty string/number. */
export function text(value: unknown, max = MAX_TEXT): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  return trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
}

/** ISO 8601 from an RFC 3339 string (any fractional digits, any offset) or epoch seconds. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number') return isoOfMs(value * 1000);
  if (typeof value !== 'string') return undefined;
  // Date.parse keeps at most milliseconds; drop extra fractional digits first so 9 decimals parse everywhere.
  return isoOfMs(Date.parse(value.replace(/(\.\d{3})\d+/, '$1')));
}

/** Go's zero time (0001-01-01T00:00:00Z) means "not set"; so does anything a Date cannot hold. */
function isoOfMs(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms <= -62135596800000 || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** A non-negative integer from a number or a numeric string (Sentry sends issue.count as "12"). */
export function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Plain object of string values, safe against prototype keys. */
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    const key = k.slice(0, 100);
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const s = text(v, MAX_TEXT);
    if (s !== undefined) out[key] = s;
  }
  return out;
}

/**
 * Drops undefined fields so the job data and the schema stay clean, merging a second object
 * in if given. Copies rather than deletes or spreads: both make building an alert several
 * times slower (a `delete` leaves a slow dictionary object; a spread takes a generic path).
 */
export function compact<A extends object, B extends object = object>(first: A, second?: B): A & B {
  const out: Record<string, unknown> = {};
  for (const part of [first, second ?? {}] as Array<Record<string, unknown>>) {
    for (const key in part) if (part[key] !== undefined) out[key] = part[key];
  }
  return out as A & B;
}
