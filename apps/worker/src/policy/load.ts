import fs from 'node:fs';
import Joi from 'joi';
import YAML from 'yaml';
import { parseDuration, type Config } from '@ng/core';
import { BUILTIN_ROUTES, defaultPolicy, SEED_DELIVERY } from './defaults';
import type { Policy } from './types';

const delivery = Joi.string().valid('immediate', 'hourly', 'daily', 'drop');
const severity = Joi.string().valid('critical', 'warning', 'info');
const names = Joi.array().items(Joi.string().min(1)).single();

const schema = Joi.object({
  dedupWindow: Joi.string().pattern(/^\d+(ms|s|m|h)$/).message('dedupWindow must look like 10m'),
  dailyDigestAt: Joi.string().pattern(/^([01]\d|2[0-3]):[0-5]\d$/).message('dailyDigestAt must be HH:MM'),
  destinations: Joi.array().items(
    Joi.object({
      id: Joi.string().pattern(/^[\w.-]+$/).required(),
      type: Joi.string().valid('app', 'robot', 'log').required(),
      toUser: Joi.string(),
      toParty: Joi.string(),
      toTag: Joi.string(),
      key: Joi.when('type', { is: 'robot', then: Joi.string().required(), otherwise: Joi.forbidden() }),
    }),
  ),
  defaults: Joi.object({
    destinations: names,
    delivery: Joi.object({ critical: delivery, warning: delivery, info: delivery }),
  }),
  routes: Joi.array().items(
    Joi.object({
      name: Joi.string().required(),
      match: Joi.object({
        source: names.items(Joi.string().valid('sentry', 'alertmanager', 'test')),
        project: names,
        environment: names,
        severity: Joi.array().items(severity).single(),
        labels: Joi.object().pattern(Joi.string(), Joi.string()),
      }).default({}),
      destinations: names,
      delivery: Joi.alternatives(delivery, Joi.object({ critical: delivery, warning: delivery, info: delivery })),
      mentions: names,
      continue: Joi.boolean(),
    }),
  ),
});

export class PolicyError extends Error {}

/** `${NAME}` in the file's values is read from the environment, so robot keys stay out of it. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
      if (env[name] === undefined) throw new PolicyError(`policy file refers to \${${name}}, which is not set`);
      return env[name] as string;
    });
  }
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env)]));
  return value;
}

/**
 * The routing policy: the seed's defaults from the environment alone, or POLICY_FILE (YAML or
 * JSON) validated at start-up, every problem listed with its path in one error.
 */
export function loadPolicy(config: Config, env: NodeJS.ProcessEnv = process.env, readFile = (p: string) => fs.readFileSync(p, 'utf8')): Policy {
  const base = defaultPolicy(config);
  if (!config.policyFile) return base;
  let parsed: unknown;
  try {
    parsed = expandEnv(YAML.parse(readFile(config.policyFile)), env);
  } catch (err) {
    throw new PolicyError(`POLICY_FILE ${config.policyFile}: ${(err as Error).message}`);
  }
  const { error, value } = schema.validate(parsed ?? {}, { abortEarly: false });
  const problems = error ? error.details.map((d) => d.message.replace(/"/g, '')) : [];
  const destinations = value?.destinations?.length ? value.destinations : base.destinations;
  const known = new Set(destinations.map((d: { id: string }) => d.id));
  const referenced: Array<[string, string[] | undefined]> = [
    ['defaults.destinations', value?.defaults?.destinations],
    ...((value?.routes ?? []) as Array<{ name: string; destinations?: string[] }>).map((r, i): [string, string[] | undefined] => [`routes[${i}] (${r.name}).destinations`, r.destinations]),
  ];
  for (const [where, ids] of referenced) {
    for (const id of ids ?? []) if (!known.has(id)) problems.push(`${where} names unknown destination "${id}" (known: ${[...known].join(', ')})`);
  }
  if (problems.length) throw new PolicyError(`POLICY_FILE ${config.policyFile} is invalid:\n  - ${problems.join('\n  - ')}`);
  return {
    destinations,
    // The file's routes first, so it can override the seed's environment rules that follow.
    routes: [...(value.routes ?? []), ...BUILTIN_ROUTES],
    defaults: {
      destinations: value.defaults?.destinations ?? destinations.map((d: { id: string }) => d.id),
      delivery: { ...SEED_DELIVERY, ...value.defaults?.delivery },
    },
    dedupWindowMs: value.dedupWindow ? parseDuration(value.dedupWindow) : undefined,
    dailyDigestAt: value.dailyDigestAt,
  };
}
