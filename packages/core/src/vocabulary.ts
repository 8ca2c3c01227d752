import Joi from 'joi';

/**
 * The words every input shares (webhook jobs, policy files, silences, settings), validated in
 * one place so a duration or a severity means the same thing everywhere.
 */
export const SOURCES = ['sentry', 'alertmanager', 'grafana', 'test'] as const;
export const SEVERITIES = ['critical', 'warning', 'info'] as const;

export const sourceSchema = Joi.string().valid(...SOURCES);
export const severitySchema = Joi.string().valid(...SEVERITIES);

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '90s', '10m', '2h', '7d' → milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** A duration as people write it: a whole number and a unit (ms, s, m, h, d). */
export const durationSchema = Joi.string().trim().pattern(DURATION).messages({ 'string.pattern.base': '{{#label}} must be a number and a unit (ms, s, m, h, d), e.g. 10m' });

/** HH:MM on a 24-hour clock. */
export const clockTimeSchema = Joi.string().trim().pattern(/^([01]\d|2[0-3]):[0-5]\d$/).messages({ 'string.pattern.base': '{{#label}} must be a time of day as HH:MM, e.g. 09:00' });
