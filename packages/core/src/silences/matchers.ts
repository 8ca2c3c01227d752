import Joi from 'joi';
import type { Alert } from '../alert';

/** As in Alertmanager: equal, not equal, matches the regex, does not match it (regexes are anchored). */
export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

/**
 * One condition of a silence. `name` is an alert field (source, environment, service,
 * severity, key, title) or, for anything else, a label (alertname, instance, team …).
 */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const FIELDS = ['source', 'environment', 'service', 'severity', 'key', 'title'] as const;
type Field = (typeof FIELDS)[number];
const isField = (name: string): name is Field => (FIELDS as readonly string[]).includes(name);

/** A missing field or label reads as empty, as in Alertmanager. */
function valueOf(alert: Alert, name: string): string {
  return (isField(name) ? alert[name] : alert.labels[name]) ?? '';
}

export const matcherSchema = Joi.object({
  name: Joi.string().pattern(/^[A-Za-z_][\w.-]{0,99}$/).required().messages({ 'string.pattern.base': '{{#label}} must be a field (source, environment, service, severity, key, title) or a label name' }),
  op: Joi.string().valid(...MATCH_OPS).default('='),
  value: Joi.string().allow('').max(1000).required(),
});

/** The first release's form, `{ service: 'x', labels: { team: 'db' } }`: every entry an equality. */
export function fromLegacyMatchers(legacy: Record<string, unknown>): Matcher[] {
  const out: Matcher[] = [];
  for (const [name, value] of Object.entries(legacy)) {
    if (name === 'labels' && value && typeof value === 'object') {
      for (const [label, v] of Object.entries(value)) out.push({ name: label, op: '=', value: String(v) });
    } else if (typeof value === 'string') out.push({ name, op: '=', value });
  }
  return out;
}

/** Compiles a regex matcher's value; throws with the reason when it is not a valid regex. */
function anchored(value: string): RegExp {
  return new RegExp(`^(?:${value})$`);
}

/** Problems with a list of matchers, in words; empty when it may be used. */
export function matcherProblems(matchers: Matcher[]): string[] {
  const problems: string[] = [];
  matchers.forEach((m, i) => {
    if (m.op === '=~' || m.op === '!~') {
      try {
        anchored(m.value);
      } catch (err) {
        problems.push(`matchers[${i}] (${m.name}${m.op}${m.value}): not a valid regex: ${(err as Error).message}`);
      }
    }
  });
  // A silence that also matches alerts lacking every named value would silence far too much.
  const empty = { labels: {} } as unknown as Alert;
  if (problems.length === 0 && matchers.every((m) => compile([m])(empty))) {
    problems.push('at least one matcher must not match an empty value (e.g. service=payments), or the silence would cover every alert without it');
  }
  return problems;
}

/** One predicate for a silence's matchers: all must match. Regexes are compiled once, here. */
export function compile(matchers: Matcher[]): (alert: Alert) => boolean {
  const tests = matchers.map((m) => {
    switch (m.op) {
      case '=':
        return (a: Alert) => valueOf(a, m.name) === m.value;
      case '!=':
        return (a: Alert) => valueOf(a, m.name) !== m.value;
      case '=~': {
        const re = anchored(m.value);
        return (a: Alert) => re.test(valueOf(a, m.name));
      }
      case '!~': {
        const re = anchored(m.value);
        return (a: Alert) => !re.test(valueOf(a, m.name));
      }
    }
  });
  return (alert) => tests.every((t) => t(alert));
}

/** The matchers that pick out this alert's problem, for "silence this" (people may loosen them). */
export function matchersFor(alert: Alert): Matcher[] {
  const out: Matcher[] = [{ name: 'source', op: '=', value: alert.source }];
  if (alert.environment) out.push({ name: 'environment', op: '=', value: alert.environment });
  if (alert.labels.alertname) out.push({ name: 'alertname', op: '=', value: alert.labels.alertname });
  if (alert.service) out.push({ name: 'service', op: '=', value: alert.service });
  if (!alert.labels.alertname) out.push({ name: 'key', op: '=', value: alert.key });
  return out;
}
