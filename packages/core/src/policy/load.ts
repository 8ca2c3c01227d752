import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Joi from 'joi';
import YAML from 'yaml';
import type { Config } from '../config';
import { durationSchema, clockTimeSchema, parseDuration, severitySchema, sourceSchema } from '../vocabulary';
import { BUILTIN_ROUTES, defaultPolicy, SEED_DELIVERY } from './defaults';
import { compilePolicyTemplates, sourceTemplatesSchema, templateSpecSchema } from './templates';
import { rotationProblems, rotationSchema, type Rotation } from '../oncall';
import { DEFAULT_ESCALATE_AFTER, type DestinationSpec, type EscalationLevel, type Policy, type Route } from './types';

const delivery = Joi.string().valid('immediate', 'hourly', 'daily', 'drop');
const names = Joi.array().items(Joi.string().min(1)).single();
/** `next` (the person after the one on call), a destination id, or both spelled out. */
const escalationLevel = Joi.alternatives(
  Joi.string().min(1),
  Joi.object({ mention: Joi.string().min(1), destinations: names }).or('mention', 'destinations'),
);

const schema = Joi.object({
  dedupWindow: durationSchema,
  dailyDigestAt: clockTimeSchema,
  /** Unknown variables in templates are errors at load (default); false lets them print nothing. */
  strictTemplates: Joi.boolean(),
  templates: sourceTemplatesSchema,
  rotations: Joi.array().items(rotationSchema).unique('id'),
  destinations: Joi.array().items(
    Joi.object({
      // `destinations` would share its Redis key with the digest's set of destinations.
      id: Joi.string().pattern(/^[\w.-]+$/).invalid('destinations').required()
        .messages({ 'any.invalid': '{{#label}} cannot be destinations: the pending digests keep their list of destinations under that name; choose another id' }),
      type: Joi.string().valid('app', 'robot', 'log').required(),
      toUser: Joi.string(),
      toParty: Joi.string(),
      toTag: Joi.string(),
      key: Joi.when('type', { is: 'robot', then: Joi.string().trim().required(), otherwise: Joi.forbidden() }),
      template: templateSpecSchema,
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
        source: names.items(sourceSchema),
        project: names,
        environment: names,
        severity: Joi.array().items(severitySchema).single(),
        category: names,
        labels: Joi.object().pattern(Joi.string(), Joi.string()),
      }).default({}),
      destinations: names,
      delivery: Joi.alternatives(delivery, Joi.object({ critical: delivery, warning: delivery, info: delivery })),
      mentions: names,
      mention: Joi.string().min(1),
      escalateAfter: durationSchema,
      escalate: Joi.array().items(escalationLevel).min(1),
      continue: Joi.boolean(),
      template: templateSpecSchema,
    }),
  ),
});

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/**
 * `${NAME}` in the file's values comes from the environment, so robot keys stay out of it.
 * Never inside templates: a card must not be able to print a secret.
 */
function expandEnv(value: unknown, env: Config['environment']): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
      if (env[name] === undefined) throw new PolicyError(`policy file refers to \${${name}}, which is not set`);
      return env[name] as string;
    });
  }
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'template' || k === 'templates' ? v : expandEnv(v, env)]));
  return value;
}

/** A label written /…/ is an anchored regex, compiled now: a bad one must stop start-up, not every alert. */
function compileLabels(routes: Route[], problems: string[]): void {
  routes.forEach((route, i) => {
    for (const [name, value] of Object.entries(route.match.labels ?? {})) {
      const regex = typeof value === 'string' ? /^\/(.*)\/$/.exec(value) : null;
      if (!regex) continue;
      try {
        route.match.labels![name] = new RegExp(`^(?:${regex[1]})$`);
      } catch (err) {
        problems.push(`routes[${i}] (${route.name}).match.labels.${name}: ${value} is not a valid regex (${(err as Error).message})`);
      }
    }
  });
}

/** A destination that cannot work must stop start-up, not retry forever against WeCom. */
function checkDestinations(destinations: DestinationSpec[], config: Config, problems: string[]): void {
  const { corpId, corpSecret, agentId } = config.weixin;
  destinations.forEach((d, i) => {
    if (d.type === 'app' && !(corpId && corpSecret && agentId)) {
      problems.push(`destinations[${i}] (${d.id}) is an app destination, but WEIXIN_CORP_ID, WEIXIN_CORP_SECRET and WEIXIN_AGENT_ID are not all set: set them, or use a robot destination`);
    }
    if (d.type === 'robot' && !d.key) problems.push(`destinations[${i}] (${d.id}) is a robot destination with an empty key`);
  });
}

type RawRoute = Route & { escalate?: Array<string | EscalationLevel>; escalateAfter?: string };

/**
 * On-call wiring: a route's `mention` names a rotation; `escalate` lists levels, each `next`
 * (needs the route's rotation), a destination id, or {mention, destinations}. The raw fields
 * become the route's `escalation`.
 */
function wireOnCall(routes: RawRoute[], rotations: Rotation[], known: Set<string>, problems: string[]): Route[] {
  const rotationIds = new Set(rotations.map((r) => r.id));
  rotations.forEach((r, i) => problems.push(...rotationProblems(r, `rotations[${i}] (${r.id})`)));
  const rotationNamed = (where: string, id: string) => {
    if (!rotationIds.has(id)) problems.push(`${where} names unknown rotation "${id}" (known: ${[...rotationIds].join(', ') || 'none: add rotations'})`);
  };
  return routes.map(({ escalate, escalateAfter, ...route }, i) => {
    const where = `routes[${i}] (${route.name})`;
    if (route.mention) rotationNamed(`${where}.mention`, route.mention);
    if (escalateAfter && !escalate) problems.push(`${where}.escalateAfter is set but the route lists no escalate levels`);
    if (!escalate) return route;
    const levels = escalate.map((level, j): EscalationLevel => {
      const spelled = typeof level === 'string' ? (level === 'next' ? { mention: 'next' } : { destinations: [level] }) : level;
      const at = `${where}.escalate[${j}]`;
      if (spelled.mention === 'next' && !route.mention) problems.push(`${at} is "next", which needs the route's mention (a rotation)`);
      else if (spelled.mention && spelled.mention !== 'next') rotationNamed(`${at}.mention`, spelled.mention);
      for (const id of spelled.destinations ?? []) if (!known.has(id)) problems.push(`${at} names unknown destination "${id}" (known: ${[...known].join(', ')})`);
      return spelled;
    });
    return { ...route, escalation: { afterMs: parseDuration(escalateAfter ?? DEFAULT_ESCALATE_AFTER), levels } };
  });
}

/** Where a policy's text comes from: POLICY_FILE, or a preview request (which may not name files). */
export interface PolicySource {
  /** The path, or a name such as "the request's policy". */
  file: string;
  text: string;
  readFile: (file: string) => string;
}

/**
 * The routing policy: the seed's defaults from the environment alone, or POLICY_FILE (YAML or
 * JSON) validated completely at load (every problem listed with its path in one error).
 */
export function loadPolicy(config: Config, readFile = (p: string) => fs.readFileSync(p, 'utf8')): Policy {
  if (!config.policyFile) return defaultPolicy(config);
  let text: string;
  try {
    text = readFile(config.policyFile);
  } catch (err) {
    throw new PolicyError(`POLICY_FILE ${config.policyFile}: ${(err as Error).message}`);
  }
  return parsePolicy(config, { file: config.policyFile, text, readFile });
}

/** A policy from its text: the file's, or one sent with a preview. */
export function parsePolicy(config: Config, source: PolicySource): Policy {
  const base = defaultPolicy(config);
  const lines = new YAML.LineCounter();
  let document: YAML.Document;
  let parsed: unknown;
  try {
    document = YAML.parseDocument(source.text, { lineCounter: lines });
    if (document.errors.length) throw document.errors[0];
    parsed = expandEnv(document.toJS(), config.environment);
  } catch (err) {
    throw new PolicyError(`POLICY_FILE ${source.file}: ${(err as Error).message}`);
  }
  const { error, value } = schema.validate(parsed ?? {}, { abortEarly: false });
  const problems = error ? error.details.map((d) => d.message.replace(/"/g, '')) : [];
  const destinations: DestinationSpec[] = value?.destinations?.length ? value.destinations : base.destinations;
  const rotations: Rotation[] = value?.rotations ?? [];
  let routes: Route[] = value?.routes ?? [];
  const known = new Set(destinations.map((d) => d.id));
  const referenced: Array<[string, string[] | undefined]> = [
    ['defaults.destinations', value?.defaults?.destinations],
    ...routes.map((r, i): [string, string[] | undefined] => [`routes[${i}] (${r.name}).destinations`, r.destinations]),
  ];
  for (const [where, ids] of referenced) {
    for (const id of ids ?? []) if (!known.has(id)) problems.push(`${where} names unknown destination "${id}" (known: ${[...known].join(', ')})`);
  }
  let templates = base.templates;
  let read: string[] = [];
  if (!error) {
    routes = wireOnCall(routes, rotations, known, problems);
    compileLabels(routes, problems);
    checkDestinations(destinations, config, problems);
    ({ templates, read } = compilePolicyTemplates(value, { ...source, document, lines }, problems));
  }
  if (problems.length) throw new PolicyError(`POLICY_FILE ${source.file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return {
    destinations,
    // The file's routes first, so it can override the seed's rules that follow.
    routes: [...routes, ...BUILTIN_ROUTES],
    rotations,
    defaults: {
      destinations: value.defaults?.destinations ?? destinations.map((d) => d.id),
      delivery: { ...SEED_DELIVERY, ...value.defaults?.delivery },
    },
    templates,
    hash: hashOf(source.text, ...read),
    dedupWindowMs: value.dedupWindow ? parseDuration(value.dedupWindow) : undefined,
    dailyDigestAt: value.dailyDigestAt,
  };
}

/** What identifies a loaded policy: its text and the template files it read. */
function hashOf(...texts: string[]): string {
  const hash = createHash('sha256');
  for (const t of texts) hash.update(t).update('\u0000');
  return hash.digest('hex').slice(0, 12);
}
