import fs from 'node:fs';
import path from 'node:path';
import Joi from 'joi';
import { describe, expect, it } from 'vitest';
import { alertJobSchema, alertmanagerSchema, compiledCheck, grafanaSchema, normalizeAlertmanager, normalizeGrafana, normalizeSentry, sentrySchemas } from '../src';

const load = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as unknown;
const fixtures = (dir: string, match: RegExp) =>
  fs
    .readdirSync(path.join(__dirname, 'fixtures', dir))
    .filter((f) => match.test(f) && !f.includes('headers'))
    .map((f) => [`${dir}/${f}`, load(`${dir}/${f}`)] as const);

/** Each webhook schema with the real bodies it must accept. */
const bodies: Array<[string, Joi.Schema, ReadonlyArray<readonly [string, unknown]>]> = [
  ['alertmanager', alertmanagerSchema, fixtures('alertmanager', /\.json$/)],
  ['grafana', grafanaSchema, fixtures('grafana', /\.json$/)],
  ['sentry issue', sentrySchemas.issue, fixtures('sentry', /^issue\./)],
  ['sentry error', sentrySchemas.error, fixtures('sentry', /^error\./)],
  ['sentry event_alert', sentrySchemas.event_alert, fixtures('sentry', /^event_alert\./)],
  ['sentry metric_alert', sentrySchemas.metric_alert, fixtures('sentry', /^metric_alert\./)],
  ['sentry legacy', sentrySchemas.legacy, fixtures('sentry', /^legacy-webhook-plugin(\.test-event)?\.json$/)],
];

/** The schemas' own limits, each just inside and just past, in ASCII and in 2-unit characters. */
const LENGTHS = [1, 50, 64, 100, 200, 500, 1000, 2000, 10_000, 100_000];
const MUTANTS: unknown[] = [
  undefined,
  '',
  null,
  true,
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  -(2 ** 53),
  1e20,
  [],
  [{}],
  {},
  { extra: 'x' },
  { ['k'.repeat(200)]: 1 },
  { ['k'.repeat(201)]: 1 },
  ...LENGTHS.flatMap((n) => ['x'.repeat(n), 'x'.repeat(n + 1), '😀'.repeat(Math.ceil((n + 1) / 2))]),
  'firing',
  'resolved',
  'critical',
  '2026-12-04T06:00:00.000Z',
  '2026-12-04 06:00',
  '0123456789abcdef0123456789abcdef',
  '0123456789ABCDEF0123456789ABCDEF',
  '4',
  '1',
];

/** Every body that differs from `value` in one place: each node replaced by each mutant (undefined: removed), or a key added. */
function* oneChange(value: unknown, at: string[] = []): Generator<[string, unknown]> {
  for (const mutant of MUTANTS) if (at.length) yield [`${at.join('.')} = ${describeMutant(mutant)}`, mutant];
  if (value && typeof value === 'object') {
    if (!Array.isArray(value)) yield [`${[...at, 'unknownKey'].join('.')} added`, { ...value, unknownKey: 'x' }];
    const entries = Array.isArray(value) ? value.slice(0, 2).map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      for (const [what, replaced] of oneChange(child, [...at, key])) {
        const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
        if (replaced === undefined && !Array.isArray(copy)) delete copy[key];
        else (copy as Record<string, unknown>)[key] = replaced;
        yield [what, copy];
      }
    }
  }
}
const describeMutant = (m: unknown) => (typeof m === 'string' && m.length > 8 ? `${JSON.stringify(m.slice(0, 2))}×${m.length}` : JSON.stringify(m) ?? 'removed');

const joiAccepts = (schema: Joi.Schema, value: unknown, allowUnknown = true) => !schema.validate(value, { abortEarly: false, allowUnknown, convert: false }).error;

/** Alert jobs as ingest writes them: the normalizers' output for every real body. */
function alertJobs(): Array<readonly [string, unknown]> {
  const receivedAt = new Date('2026-12-04T06:00:00.000Z');
  const sentry = fixtures('sentry', /^(issue|error|event_alert|metric_alert|legacy-webhook-plugin)\..*json$/).flatMap(([file, body]) => {
    const resource = /^sentry\/(issue|error|event_alert|metric_alert)\./.exec(file)?.[1];
    const out = normalizeSentry({ resource, body, receivedAt });
    return out.handled ? out.alerts.map((alert) => [file, { alert }] as const) : [];
  });
  return [
    ...fixtures('alertmanager', /\.json$/).flatMap(([file, body]) => normalizeAlertmanager(body, receivedAt).map((alert) => [file, { alert }] as const)),
    ...fixtures('grafana', /\.json$/).flatMap(([file, body]) => normalizeGrafana(body, receivedAt).map((alert) => [file, { alert }] as const)),
    ...sentry,
  ];
}

describe('the compiled check of the webhook bodies (ajv, from the joi schemas)', () => {
  it.each(bodies)('%s: accepts every real body, so the hot path is taken', (_name, schema, real) => {
    expect(real.length).toBeGreaterThan(0);
    for (const [file, body] of real) expect({ file, accepted: compiledCheck(schema)(body) }).toEqual({ file, accepted: true });
  });

  it.each(bodies)('%s: agrees with joi on every body one change away from a real one', (_name, schema, real) => {
    const disagreements: string[] = [];
    let tried = 0;
    for (const [file, body] of real) {
      for (const [what, changed] of oneChange(body)) {
        tried++;
        const joi = joiAccepts(schema, changed);
        const compiled = compiledCheck(schema)(changed);
        if (joi !== compiled) disagreements.push(`${file}: ${what}: joi ${joi ? 'accepts' : 'refuses'}, compiled ${compiled ? 'accepts' : 'refuses'}`);
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(disagreements).toEqual([]);
  });

  it('the queue contract (unknown keys refused): agrees with joi on every job one change away from a real one', () => {
    const jobs = alertJobs();
    expect(jobs.length).toBeGreaterThan(10);
    const check = compiledCheck(alertJobSchema, { allowUnknown: false });
    const disagreements: string[] = [];
    for (const [file, job] of jobs) {
      expect({ file, accepted: check(job) }).toEqual({ file, accepted: true });
      for (const [what, changed] of oneChange(job)) {
        const joi = joiAccepts(alertJobSchema, changed, false);
        if (joi !== check(changed)) disagreements.push(`${file}: ${what}: joi ${joi ? 'accepts' : 'refuses'}, compiled ${check(changed) ? 'accepts' : 'refuses'}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('refuses to compile a joi rule it has no equivalent for, instead of accepting more than joi', () => {
    expect(() => compiledCheck(Joi.object({ to: Joi.string().email() }))).toThrow(/joi string with rule email has no JSON Schema equivalent/);
    expect(() => compiledCheck(Joi.object({ n: Joi.number().unsafe() }))).toThrow(/flag unsafe/);
    expect(() => compiledCheck(Joi.object().pattern(/x/i, Joi.string()))).toThrow(/pattern \/x\/i/);
  });
});
