import fs from 'node:fs';
import path from 'node:path';
import Joi from 'joi';
import { describe, expect, it } from 'vitest';
import { alertJobSchema, alertmanagerSchema, compiledCheck, deliveryJobSchema, grafanaSchema, normalizeAlertmanager, normalizeGrafana, normalizeSentry, sentrySchemas, type Alert, type DeliveryJobData } from '../src';

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

  it('the delivery contract (a conditional on the kind, xor and and peers): agrees with joi on every job one change away from a real one', () => {
    // One alert of each source, as the decision pipeline carries it: every message kind, the release before's lists too.
    const bySource = new Map<string, Alert>();
    for (const [, job] of alertJobs()) {
      const { alert } = job as { alert: Alert };
      if (!bySource.has(alert.source)) bySource.set(alert.source, alert);
    }
    const totals = { count: 3, userCount: 1, firstSeen: '2026-12-04T05:00:00.000Z', lastSeen: '2026-12-04T06:00:00.000Z' };
    const window = { windowStart: '2026-12-04T05:59:00.000Z', windowEnd: '2026-12-04T06:00:00.000Z' };
    const jobs: Array<[string, DeliveryJobData]> = [...bySource.values()].flatMap((alert): Array<[string, DeliveryJobData]> => [
      [`${alert.source} card`, { destinationId: 'oncall', message: { kind: 'alert', alert, totals, repeat: false, mentions: ['zhangsan'], mentionMobiles: ['13800000000'], claimant: '17', claim: { by: '张三', at: '2026-12-04T06:00:00.000Z' }, escalation: 2 } }],
      [`${alert.source} digest`, { destinationId: 'ops', message: { kind: 'digest', heading: '每小时汇总', items: [{ alert, totals }], problems: 1, occurrences: 3, listId: 'l1' } }],
      [`${alert.source} digest of the release before`, { destinationId: 'ops', message: { kind: 'digest', heading: '每小时汇总', items: [{ alert, totals }] } }],
      [`${alert.source} storm`, { destinationId: 'ops', message: { kind: 'storm', ...window, groups: [{ worst: { alert, totals }, alerts: 40, ended: 2 }], alerts: 40, listId: 'l2' } }],
      [`${alert.source} storm of the release before`, { destinationId: 'ops', message: { kind: 'storm', ...window, items: [{ alert, totals }] } }],
    ]);
    jobs.push(
      ['card update', { destinationId: 'app', message: { kind: 'card-update', alertId: 'a1', taskId: 'ng-1', responseCode: 'rc', card: { card_type: 'button_interaction', main_title: { title: 'P1' }, task_id: 'ng-1', button_list: [] } } }],
      ['card update by name', { destinationId: 'app', message: { kind: 'card-update', alertId: 'a1', taskId: 'ng-1', responseCode: 'rc', replaceName: '已处理' } }],
      ['a retry with progress', { ...jobs[0][1], progress: { parts: ['part 1', 'part 2'], sent: 1 } }],
    );
    const check = compiledCheck(deliveryJobSchema, { allowUnknown: false });
    const disagreements: string[] = [];
    let tried = 0;
    for (const [name, job] of jobs) {
      expect({ name, accepted: check(job) }).toEqual({ name, accepted: true });
      for (const [what, changed] of oneChange(job)) {
        tried++;
        const joi = joiAccepts(deliveryJobSchema, changed, false);
        if (joi !== check(changed)) disagreements.push(`${name}: ${what}: joi ${joi ? 'accepts' : 'refuses'}, compiled ${check(changed) ? 'accepts' : 'refuses'}`);
      }
    }
    expect(bySource.size).toBe(3);
    expect(tried).toBeGreaterThan(10_000);
    expect(disagreements).toEqual([]);
  });

  it('refuses to compile a joi rule it has no equivalent for, instead of accepting more than joi', () => {
    expect(() => compiledCheck(Joi.object({ to: Joi.string().email() }))).toThrow(/joi string with rule email has no JSON Schema equivalent/);
    expect(() => compiledCheck(Joi.object({ n: Joi.number().unsafe() }))).toThrow(/flag unsafe/);
    expect(() => compiledCheck(Joi.object().pattern(/x/i, Joi.string()))).toThrow(/pattern \/x\/i/);
    expect(() => compiledCheck(Joi.object({ on: Joi.boolean().truthy('yes') }))).toThrow(/truthy/);
    expect(() => compiledCheck(Joi.object({ a: Joi.string(), b: Joi.string() }).nand('a', 'b'))).toThrow(/peer rules/);
    expect(() => compiledCheck(Joi.object({ kind: Joi.string(), n: Joi.when('kind', { is: 'x', then: Joi.number() }) }))).toThrow(/whens/);
  });
});
