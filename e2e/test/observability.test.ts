import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createMetrics } from '@ng/core';
import { typecheckLiterals } from './typecheck';

/**
 * The gateway's own monitoring: docs/prometheus-rules.yml and deploy/grafana's dashboard, each
 * PromQL expression checked by Debian's promtool and against the metrics the code really exports.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
const promtool = (...args: string[]) => execFileSync(PROMTOOL, args, { encoding: 'utf8', stdio: 'pipe' });

interface Rule { alert: string; expr: string; annotations?: Record<string, string> }
const rules: Rule[] = YAML.parse(read('docs/prometheus-rules.yml')).groups.flatMap((g: { rules: Rule[] }) => g.rules);
const dashboard = JSON.parse(read('deploy/grafana/notification-gateway.json'));
const panels: Array<{ id: number; type: string; title: string; targets?: Array<{ expr: string; refId: string; datasource: unknown }>; datasource?: unknown }> = dashboard.panels;
const dashboardExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Labels each exported metric can carry: its own, the registry's default (app), and what Prometheus adds. */
async function exportedLabels(): Promise<Map<string, Set<string>>> {
  const { registry } = createMetrics('ingest');
  const out = new Map<string, Set<string>>();
  for (const { name, type } of await registry.getMetricsAsJSON()) {
    const own = (registry.getSingleMetric(name) as unknown as { labelNames: string[] }).labelNames ?? [];
    const labels = new Set([...own, 'app', 'job', 'instance']);
    if (String(type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) out.set(`${name}${suffix}`, new Set([...labels, ...(suffix === '_bucket' ? ['le'] : [])]));
    else out.set(name, labels);
  }
  out.set('up', new Set(['job', 'instance']));
  return out;
}

/** Every metric an expression reads must exist, and every label it matches or groups by must be one that metric has. */
function checkAgainstMetrics(expr: string, known: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  const used = [...expr.matchAll(/\b(ng_[a-z_]+|up)\b(?:\{([^}]*)\})?/g)];
  const names = used.map((m) => m[1]);
  for (const [, name, matchers] of used) {
    const labels = known.get(name);
    if (!labels) {
      problems.push(`${name} is not a metric of the gateway`);
      continue;
    }
    for (const [, label] of (matchers ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) if (!labels.has(label)) problems.push(`${name} has no label ${label}`);
  }
  for (const [, list] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
    for (const label of list.split(',').map((l) => l.trim()).filter(Boolean)) {
      if (!names.some((n) => known.get(n)?.has(label))) problems.push(`by (${label}): none of ${names.join(', ')} has it`);
    }
  }
  return problems;
}

/** Grafana's variables as Prometheus would see them once Grafana has filled them in. */
const asPromQL = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$job', '.*');

describe('docs/prometheus-rules.yml', () => {
  it('passes promtool check rules', () => {
    expect(promtool('check', 'rules', path.join(root, 'docs/prometheus-rules.yml'))).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes promtool test rules: each alert fires and its annotations render with the labels they print', () => {
    expect(promtool('test', 'rules', path.join(root, 'docs/prometheus-rules.test.yml'))).toContain('SUCCESS');
  });

  it('every alert is tested, on series carrying every label its annotations print', () => {
    const tests = YAML.parse(read('docs/prometheus-rules.test.yml')).tests.flatMap((t: { alert_rule_test: unknown[] }) => t.alert_rule_test) as Array<{ alertname: string; exp_alerts: Array<{ exp_labels: Record<string, string> }> }>;
    for (const rule of rules) {
      const cases = tests.filter((t) => t.alertname === rule.alert && t.exp_alerts.length > 0);
      expect(cases.length, `a promtool test where ${rule.alert} fires`).toBeGreaterThan(0);
      const printed = [...JSON.stringify(rule.annotations ?? {}).matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]);
      for (const label of printed) {
        for (const c of cases) for (const alert of c.exp_alerts) expect(alert.exp_labels, `${rule.alert} prints $labels.${label}`).toHaveProperty(label);
      }
    }
  });

  it('reads only metrics and labels the gateway exports', async () => {
    const known = await exportedLabels();
    for (const rule of rules) expect(checkAgainstMetrics(rule.expr, known), rule.alert).toEqual([]);
  });
});

describe('deploy/grafana/notification-gateway.json', () => {
  it('every PromQL expression passes promtool (as a recording rule each, variables filled in)', () => {
    expect(dashboardExprs.length).toBeGreaterThanOrEqual(10);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-promql-'));
    try {
      const file = path.join(dir, 'dashboard.rules.yml');
      const asRules = dashboardExprs.map(({ expr }, i) => ({ record: `dashboard:expr_${i}`, expr: asPromQL(expr) }));
      fs.writeFileSync(file, YAML.stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
      expect(promtool('check', 'rules', file)).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads only metrics and labels the gateway exports, and shows every one of its metrics', async () => {
    const known = await exportedLabels();
    for (const { panel, expr } of dashboardExprs) expect(checkAgainstMetrics(expr, known), panel).toEqual([]);
    const shown = new Set(dashboardExprs.flatMap(({ expr }) => [...expr.matchAll(/\bng_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))));
    const gatewayMetrics = [...known.keys()].filter((n) => n.startsWith('ng_') && !/_(bucket|sum|count)$/.test(n));
    expect(gatewayMetrics.filter((n) => !shown.has(n))).toEqual([]);
  });

  it('is importable: Grafana\'s own dashboard type (@grafana/schema) accepts it, ids unique, data source chosen on import', () => {
    expect(typecheckLiterals([`import type { Dashboard } from '@grafana/schema';`], [{ type: 'Dashboard', value: dashboard }])).toEqual([]);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard).toMatchObject({ uid: 'notification-gateway', id: null });
    expect(dashboard.templating.list[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'prometheus' });
    for (const panel of panels.filter((p) => p.type !== 'row')) expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });
});
