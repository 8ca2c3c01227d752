import fs from 'node:fs';
import path from 'node:path';
import { hashId } from '@ng/core';
import { root } from '@ng/testkit';

export { appEnv, freePort, sleep, startFakeWecomProc, startGateway, startRedisCluster, startRedisSentinel, startRedisServer, uniquePrefix } from '@ng/testkit';

/** One Alertmanager notification holding one distinct firing alert. */
export function alertmanagerWebhook(n: number, opts: { severity?: string; tag?: string } = {}): string {
  const alertname = `Chaos${opts.tag ?? ''}${n}x`;
  return JSON.stringify({
    receiver: 'gateway', status: 'firing', version: '4', groupKey: `{}:{alertname="${alertname}"}`, truncatedAlerts: 0,
    groupLabels: { alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am:9093',
    alerts: [{
      status: 'firing', labels: { alertname, severity: opts.severity ?? 'critical', instance: `node-${n % 50}:9100`, job: 'node' },
      annotations: { summary: `chaos alert ${n}` }, startsAt: '2026-11-25T06:00:00.000Z', endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '', fingerprint: hashId('chaos', opts.tag, n).slice(0, 16),
    }],
  });
}

/**
 * The ledger of a scenario: every accepted alert is delivered (alone or inside a storm summary),
 * counted as a duplicate, digested, silenced or failed with a reason; lost must be 0.
 */
export function ledger(input: {
  accepted: string[]; // alert names answered 202
  messages: Array<{ content: string }>;
  failedNames?: string[];
  otherFates?: Record<string, number>;
}) {
  const namePattern = /Chaos[\w]*?\d+x/g;
  const deliveredCounts = new Map<string, number>();
  let summarised = 0;
  for (const m of input.messages) {
    const names = new Set(m.content.match(namePattern) ?? []);
    for (const name of names) deliveredCounts.set(name, (deliveredCounts.get(name) ?? 0) + 1);
    const storm = /风暴合并: (\d+) 条告警/.exec(m.content);
    if (storm) summarised += Number(storm[1]) - names.size;
  }
  const failed = new Set(input.failedNames ?? []);
  const missing = input.accepted.filter((name) => !deliveredCounts.has(name) && !failed.has(name));
  // Alerts counted inside a storm summary's "+N more" are delivered, unnamed.
  const lost = Math.max(0, missing.length - summarised);
  const duplicateSends = [...deliveredCounts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return {
    accepted: input.accepted.length,
    delivered: input.accepted.length - missing.length + Math.min(summarised, missing.length),
    failed: failed.size,
    ...input.otherFates,
    lost,
    duplicateSends,
    missingExamples: lost > 0 ? missing.slice(0, 5) : [],
  };
}

/** Appends a scenario's ledger to the report printed at the end of the suite. */
export function report(scenario: string, row: Record<string, unknown>) {
  const file = path.join(root, 'e2e/chaos/ledger.json');
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  all[scenario] = row;
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`[ledger] ${scenario}: ${JSON.stringify(row)}`);
}
