import Joi from 'joi';
import { parseRedisUrl } from '../redis';
import { clockTimeSchema, durationSchema, parseDuration } from '../vocabulary';

/**
 * One environment variable: its name, what it does, its default, and how an operator is told
 * about a wrong value (what is expected and an example of right). The type parameter is the
 * value the gateway reads, after conversion.
 */
export interface Setting<T> {
  readonly name: string;
  readonly doc: string;
  /** As written in .env.example; undefined = unset by default. */
  readonly default?: string;
  readonly expected: string;
  readonly example: string;
  /** Never logged; redacted wherever it appears. */
  readonly secret?: boolean;
  readonly schema: Joi.Schema;
  /** Phantom: carries T for the derived Config type. */
  readonly _type?: T;
}

function setting<T>(fields: Omit<Setting<T>, '_type'>): Setting<T> {
  return fields;
}

/** Unset and empty are the same thing in a .env file. */
const blank = (schema: Joi.Schema) => schema.empty('');

export function integer(name: string, def: number, doc: string, range: { min?: number; max?: number } = {}): Setting<number> {
  const { min = 0, max } = range;
  const bounds = max === undefined ? `≥ ${min}` : `${min}–${max}`;
  let schema = Joi.number().integer().min(min);
  if (max !== undefined) schema = schema.max(max);
  return setting({ name, doc, default: String(def), expected: `a whole number ${bounds}`, example: String(def), schema: blank(schema.default(def)) });
}

export function port(name: string, def: number, doc: string): Setting<number> {
  return { ...integer(name, def, doc, { min: 0, max: 65535 }), expected: 'a TCP port number (1–65535)' };
}

export function text(name: string, def: string, doc: string, rule: { pattern?: RegExp; expected?: string; example?: string } = {}): Setting<string> {
  let schema = Joi.string().trim();
  if (rule.pattern) schema = schema.pattern(rule.pattern);
  return setting({ name, doc, default: def, expected: rule.expected ?? 'text', example: rule.example ?? def, schema: blank(schema.default(def)) });
}

export function optionalText(name: string, doc: string, example: string, opts: { secret?: boolean } = {}): Setting<string | undefined> {
  return setting({ name, doc, expected: 'text', example, secret: opts.secret, schema: blank(Joi.string().trim()) });
}

export function secret(name: string, doc: string, example: string): Setting<string | undefined> {
  return optionalText(name, doc, example, { secret: true });
}

export function optionalInteger(name: string, doc: string, example: string): Setting<number | undefined> {
  return setting({ name, doc, expected: 'a positive whole number', example, schema: blank(Joi.number().integer().positive()) });
}

const httpUrl = () =>
  // A trailing slash would double the one every path starts with.
  Joi.string().trim().uri({ scheme: ['http', 'https'] }).custom((v: string) => v.replace(/\/+$/, ''));

export function url(name: string, def: string, doc: string): Setting<string> {
  return setting({ name, doc, default: def, expected: 'an http:// or https:// URL', example: def, schema: blank(httpUrl().default(def)) });
}

/** Every form createRedis understands; a URL it cannot read stops start-up here, with the others. */
export function redisUrl(name: string, def: string, doc: string): Setting<string> {
  const schema = Joi.string()
    .trim()
    .custom((value: string) => (parseRedisUrl(value), value));
  return setting({
    name,
    doc,
    default: def,
    expected: 'redis://[:password@]host:port[/db], rediss://… (TLS), redis-sentinel://host:26379[,host:26379]/master or redis-cluster://host:7000[,host:7001]',
    example: def,
    schema: blank(schema.default(def)),
  });
}

export function optionalUrl(name: string, doc: string, example: string): Setting<string | undefined> {
  return setting({ name, doc, expected: 'an http:// or https:// URL', example, schema: blank(httpUrl()) });
}

export function flag(name: string, def: boolean, doc: string): Setting<boolean> {
  return setting({ name, doc, default: String(def), expected: 'true or false', example: String(!def), schema: blank(Joi.boolean().default(def)) });
}

export function oneOf<const V extends string>(name: string, def: V, values: readonly V[], doc: string): Setting<V> {
  return setting({ name, doc, default: def, expected: `one of ${values.join(', ')}`, example: def, schema: blank(Joi.string().trim().valid(...values).default(def)) });
}

/** Milliseconds, written as 90s, 10m, 2h or 7d. */
export function duration(name: string, def: string, doc: string): Setting<number> {
  const schema = durationSchema.custom((v: string) => parseDuration(v));
  return setting({ name, doc, default: def, expected: 'a number and a unit (ms, s, m, h, d)', example: def, schema: blank(schema.default(parseDuration(def))) });
}

export function clockTime(name: string, def: string, doc: string): Setting<string> {
  return setting({ name, doc, default: def, expected: 'a time of day as HH:MM (24-hour)', example: def, schema: blank(clockTimeSchema.default(def)) });
}

export function timeZone(name: string, def: string, doc: string): Setting<string> {
  const schema = Joi.string()
    .trim()
    .custom((value: string) => {
      // Intl throws a RangeError for a zone it does not know.
      new Intl.DateTimeFormat('en', { timeZone: value });
      return value;
    });
  return setting({ name, doc, default: def, expected: 'an IANA time zone', example: 'Asia/Shanghai', schema: blank(schema.default(def)) });
}

/** Several values separated by commas or spaces. */
export function list(name: string, doc: string, example: string, opts: { secret?: boolean } = {}): Setting<string[]> {
  const schema = Joi.string().custom((v: string) => v.split(/[,\s]+/).filter(Boolean));
  return setting({ name, doc, expected: 'values separated by commas', example, secret: opts.secret, schema: blank(schema.default([])) });
}
