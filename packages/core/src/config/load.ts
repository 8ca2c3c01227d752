import Joi from 'joi';
import type { Setting } from './kinds';
import { NEEDS, SETTINGS, TOGETHER } from './settings';

type Table = { readonly [key: string]: Setting<unknown> | Table };
type ConfigOf<S> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : ConfigOf<S[K]> };

/** Every setting of the gateway, parsed once at start-up (see settings.ts). */
export type Config = ConfigOf<typeof SETTINGS> & {
  /** The environment it was read from: `${VAR}` in the policy file is resolved against it. */
  readonly environment: Readonly<Record<string, string | undefined>>;
};

const isSetting = (node: Setting<unknown> | Table): node is Setting<unknown> => typeof node.name === 'string' && 'schema' in node;

/** Calls visit for every setting in the table with the path of its value in Config. */
function walk(table: Table, visit: (setting: Setting<unknown>, path: string[]) => void, path: string[] = []): void {
  for (const [key, node] of Object.entries(table)) {
    if (isSetting(node)) visit(node, [...path, key]);
    else walk(node, visit, [...path, key]);
  }
}

/** Every setting, in the table's order (README and .env.example follow it). */
export const ALL_SETTINGS: readonly Setting<unknown>[] = (() => {
  const out: Setting<unknown>[] = [];
  walk(SETTINGS, (s) => out.push(s));
  return out;
})();

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    // One problem fits on one line; several are listed, one a line.
    super(problems.length === 1 ? `invalid configuration: ${problems[0]}` : `invalid configuration (${problems.length} problems):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const schema = Joi.object(Object.fromEntries(ALL_SETTINGS.map((s) => [s.name, s.schema]))).unknown(true);
const byName = new Map(ALL_SETTINGS.map((s) => [s.name, s]));
const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/** One line an operator can act on: the variable, what was given, what is expected, an example. */
function describe(setting: Setting<unknown>, given: string | undefined): string {
  const shown = setting.secret ? '(value hidden)' : JSON.stringify(given);
  return `${setting.name}=${shown}: expected ${setting.expected}, e.g. ${setting.name}=${setting.example}`;
}

/** Parses the environment; throws one ConfigError that lists every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { value, error } = schema.validate(env, { abortEarly: false, convert: true });
  const problems: string[] = [];
  const named = new Set<string>();
  for (const detail of error?.details ?? []) {
    const name = String(detail.context?.key ?? detail.path[0]);
    const setting = byName.get(name);
    if (!setting || named.has(name)) continue;
    named.add(name);
    problems.push(describe(setting, env[name]));
  }
  for (const rule of TOGETHER) {
    const given = rule.names.filter((n) => isSet(env[n]));
    const missing = rule.names.filter((n) => !isSet(env[n]));
    if (given.length > 0 && missing.length > 0) {
      problems.push(`${missing.join(' and ')} not set, but ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'}: ${rule.why}; set ${missing.join(' and ')}, or unset ${given.join(' and ')}`);
    }
  }
  for (const rule of NEEDS) {
    const missing = rule.needs.filter((n) => !isSet(env[n]));
    if (isSet(env[rule.name]) && missing.length > 0) problems.push(`${rule.name} is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not: ${rule.why}`);
  }
  if (problems.length) throw new ConfigError(problems);
  const config: Record<string, unknown> = { environment: Object.freeze({ ...env }) };
  walk(SETTINGS, (setting, path) => {
    let node = config;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value[setting.name];
  });
  return deepFreeze(config) as Config;
}

/** The secret values a logger must never print. */
export function secretsOf(config: Config): string[] {
  const out: string[] = [];
  walk(SETTINGS, (setting, path) => {
    if (!setting.secret) return;
    const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' && v.length >= 4) out.push(v);
  });
  return out;
}

function deepFreeze<T extends object>(obj: T): Readonly<T> {
  for (const value of Object.values(obj)) if (value && typeof value === 'object') deepFreeze(value);
  return Object.freeze(obj);
}
