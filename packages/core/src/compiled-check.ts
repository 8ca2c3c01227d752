import Ajv, { type ValidateFunction } from 'ajv';
import type Joi from 'joi';

/**
 * joi schemas compiled to a JSON Schema validator (ajv) for the hot paths, the webhook bodies in
 * ingest and the queue contract in the worker: joi interprets its schema on every call (7 % of
 * ingest's CPU on Alertmanager bodies, 6 % of the worker's), ajv compiles one function once.
 *
 * joi stays the one definition and the one that words errors: a value the compiled check refuses
 * goes to joi, so a compiled check stricter than joi costs time, never a webhook or a job. It must
 * never be looser: the conversion takes joi's own description and knows each of its rules under
 * the options used (convert off; unknown keys allowed or not). A rule or flag it does not know
 * throws when the schema is compiled (at start-up) instead of quietly accepting more than joi.
 */

type Description = {
  type: string;
  flags?: { presence?: string; only?: boolean; unknown?: boolean; [flag: string]: unknown };
  rules?: Array<{ name: string; args?: { limit?: number; regex?: string; options?: { name?: string; invert?: boolean } } }>;
  allow?: unknown[];
  keys?: Record<string, Description>;
  patterns?: Array<{ regex?: string; rule: Description }>;
  dependencies?: Array<{ rel: string; peers: string[] }>;
  items?: Description[];
  matches?: Array<{ schema?: Description } & Conditional>;
  preferences?: { messages?: unknown; [preference: string]: unknown };
};
/** `conditional(ref, { switch | is/then, otherwise })` of an alternatives schema. */
type Conditional = { ref?: { path: string[]; ancestor: number }; switch?: Array<{ is: Description; then: Description; otherwise?: Description }>; is?: Description; then?: Description; otherwise?: Description };
type JsonSchema = Record<string, unknown>;

/** Flags that change only joi's wording (messages, labels) or how it is presented. */
const WORDING_ONLY = new Set(['label', 'description']);

/** The values a schema allows, without the marker of `valid(Joi.override, …)` (what a literal key compiles to). */
const allowed = (d: Description) => (d.allow ?? []).filter((v) => !(v && typeof v === 'object' && 'override' in v));

function unknown(what: string, d: Description): never {
  throw new Error(`compiled check: joi ${d.type} with ${what} has no JSON Schema equivalent here; add it to compiled-check.ts`);
}

function limits(d: Description, names: Record<string, string>): JsonSchema {
  const out: JsonSchema = {};
  for (const rule of d.rules ?? []) {
    if (rule.name === 'integer' && d.type === 'number') out.type = 'integer';
    else if (rule.name === 'pattern' && d.type === 'string' && !out.pattern && !rule.args?.options?.invert) out.pattern = patternOf(rule.args?.regex, d);
    else if (names[rule.name] && typeof rule.args?.limit === 'number') out[names[rule.name]] = rule.args.limit;
    else unknown(`rule ${rule.name}`, d);
  }
  return out;
}

/** A JavaScript regex literal as joi describes it ("/…/"), without flags: the pattern for ajv. */
function patternOf(regex: string | undefined, d: Description): string {
  const match = /^\/(.*)\/$/s.exec(regex ?? '');
  return match ? match[1] : unknown(`pattern ${regex}`, d);
}

/** What `check` and the worker pass to joi: unknown keys allowed (webhooks) or not (the queue contract). */
interface Options {
  allowUnknown: boolean;
}

function typeSchema(d: Description, o: Options): JsonSchema {
  switch (d.type) {
    case 'any':
      if (d.rules?.length) unknown('rules', d);
      return {};
    case 'string': {
      // joi refuses '' whatever its min, unless allowed (allow('') is handled with the other allowed values).
      const out: JsonSchema = { type: 'string', ...limits(d, { min: 'minLength', max: 'maxLength' }) };
      return { ...out, minLength: Math.max(1, Number(out.minLength ?? 1)) };
    }
    case 'number':
      // joi refuses numbers past ±2^53 (number.unsafe) unless told otherwise.
      return { type: 'number', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, ...limits(d, { min: 'minimum', max: 'maximum' }) };
    case 'boolean':
      // convert off: true and false only; truthy/falsy values would widen that.
      if (d.rules?.length) unknown('rules', d);
      return { type: 'boolean' };
    case 'object': {
      if (d.rules?.length) unknown('rules', d);
      if (d.keys && d.patterns) unknown('both keys and patterns', d);
      const out: JsonSchema = { type: 'object' };
      if (!o.allowUnknown && !d.flags?.unknown && (d.keys || d.patterns)) out.additionalProperties = false;
      if (d.keys) {
        out.properties = Object.fromEntries(Object.entries(d.keys).map(([k, v]) => [k, toJsonSchema(v, o)]));
        const required = Object.entries(d.keys).filter(([, v]) => v.flags?.presence === 'required').map(([k]) => k);
        if (required.length) out.required = required;
      }
      if (d.patterns) out.patternProperties = Object.fromEntries(d.patterns.map((p) => [patternOf(p.regex, d), toJsonSchema(p.rule, o)]));
      return { ...out, ...peerRules(d) };
    }
    case 'array': {
      if ((d.items?.length ?? 0) > 1) unknown('several item schemas', d);
      return { type: 'array', ...limits(d, { min: 'minItems', max: 'maxItems' }), ...(d.items?.length ? { items: toJsonSchema(d.items[0], o) } : {}) };
    }
    case 'alternatives': {
      const [only] = d.matches ?? [];
      if (only?.ref && d.matches!.length === 1) return conditional(only, d, o);
      return { anyOf: (d.matches ?? []).map((m) => (m.schema ? toJsonSchema(m.schema, o) : unknown('a conditional among other alternatives', d))) };
    }
    default:
      return unknown('this type', d);
  }
}

/** `xor` (exactly one of the peers present) and `and` (all of them or none) of an object. */
function peerRules(d: Description): JsonSchema {
  const xor = (d.dependencies ?? []).filter((r) => r.rel === 'xor');
  const and = (d.dependencies ?? []).filter((r) => r.rel === 'and');
  if (xor.length + and.length < (d.dependencies?.length ?? 0)) unknown(`peer rules other than xor and and`, d);
  const out: JsonSchema = {};
  // (A peer named again in its branch's properties: ajv's strict mode checks required against them.)
  if (xor.length) out.allOf = xor.map((r) => ({ oneOf: r.peers.map((peer) => ({ required: [peer], properties: { [peer]: {} } })) }));
  if (and.length) {
    const needs: Record<string, string[]> = {};
    for (const { peers } of and) for (const peer of peers) needs[peer] = [...(needs[peer] ?? []), ...peers.filter((p) => p !== peer)];
    out.dependencies = needs;
  }
  return out;
}

/**
 * `alternatives().conditional('.key', { switch, otherwise })`: the first case whose `is` (a
 * required literal) the value's own key matches decides; none matching, `otherwise` does. As
 * an if/then/else chain, so a value is held to exactly the schema joi picks.
 */
function conditional(match: Conditional, d: Description, o: Options): JsonSchema {
  const { ref } = match;
  if (ref?.ancestor !== 0 || ref.path.length !== 1) unknown('a reference other than a key of the value itself', d);
  const cases = match.switch ?? (match.is && match.then ? [{ is: match.is, then: match.then }] : unknown('a conditional without cases', d));
  const [key] = ref.path;
  // joi describes a switch's `otherwise` on its last case.
  const otherwise = match.otherwise ?? cases.at(-1)?.otherwise;
  let chain: JsonSchema = otherwise ? toJsonSchema(otherwise, o) : {};
  for (const { is, then } of [...cases].reverse()) {
    const literal = is.type === 'any' && is.flags?.only && is.flags.presence === 'required' && !is.rules?.length;
    if (!literal) unknown('a conditional whose `is` is not a required literal', d);
    chain = { if: { type: 'object', required: [key], properties: { [key]: { enum: allowed(is) } } }, then: toJsonSchema(then, o), else: chain };
  }
  return chain;
}

/** The parts of joi's description the conversion reads; any other (whens, invalid values, …) could make joi stricter. */
const DESCRIBED = new Set(['type', 'flags', 'rules', 'allow', 'keys', 'patterns', 'dependencies', 'items', 'matches', 'preferences']);

function toJsonSchema(d: Description, o: Options): JsonSchema {
  for (const part of Object.keys(d)) if (!DESCRIBED.has(part)) unknown(part, d);
  for (const [flag, value] of Object.entries(d.flags ?? {})) {
    const known =
      flag === 'only' ||
      WORDING_ONLY.has(flag) ||
      (flag === 'unknown' && d.type === 'object' && value === true) ||
      (flag === 'presence' && (value === 'required' || value === 'optional' || value === 'forbidden'));
    if (!known) unknown(`flag ${flag}=${JSON.stringify(value)}`, d);
  }
  for (const preference of Object.keys(d.preferences ?? {})) if (preference !== 'messages') unknown(`preference ${preference}`, d);
  // Forbidden: no value at all (a key that must be absent).
  if (d.flags?.presence === 'forbidden') return { not: {} };
  // joi takes an allowed value before it looks at the type; `only` allows nothing else.
  const values = allowed(d);
  if (d.flags?.only) return { enum: values };
  const base = typeSchema(d, o);
  return values.length ? { anyOf: [{ enum: values }, base] } : base;
}

const ajv = new Ajv({
  // Lengths in UTF-16 code units and regexes without the u flag, as joi counts and matches.
  // (ajv calls `unicode` deprecated, and would say so on stderr at start-up: hence no logger;
  // strict mode makes every other thing it would warn about an error.)
  unicode: false,
  unicodeRegExp: false,
  strict: true,
  logger: false,
});

const compiled = { allowUnknown: new WeakMap<Joi.Schema, ValidateFunction>(), exact: new WeakMap<Joi.Schema, ValidateFunction>() };

/**
 * The compiled check of a joi schema for joi's options `convert: false` and `allowUnknown`
 * (true unless said), built on first use and kept.
 */
export function compiledCheck(schema: Joi.Schema, options: Options = { allowUnknown: true }): ValidateFunction {
  const cache = options.allowUnknown ? compiled.allowUnknown : compiled.exact;
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(schema.describe() as Description, options));
    cache.set(schema, validate);
  }
  return validate;
}
