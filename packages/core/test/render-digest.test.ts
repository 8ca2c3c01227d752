import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byteLength, deliveryJobSchema, listedAlert, normalizeAlertmanager, normalizeGrafana, renderMessage, DESTINATION_FORMAT, LIST_ITEMS_CARRIED, renderDigest, renderStormSummary, summarizeDigest, summarizeStorm, worstFirst, type Alert, type DigestItem, type RenderOptions } from '../src';

const base: Alert = {
  source: 'alertmanager', kind: 'alertmanager', key: 'k', idempotencyKey: '1'.repeat(32), status: 'firing', severity: 'warning',
  title: 'P', labels: {}, startsAt: '2026-11-25T05:00:00Z', receivedAt: '2026-11-25T05:40:00Z',
};
const text: RenderOptions = { format: 'text', budgetBytes: 2048, tz: 'Asia/Shanghai' };
const item = (n: number, severity: Alert['severity'], service: string | undefined, status: Alert['status'] = 'firing'): DigestItem => ({
  alert: { ...base, key: `k${n}`, title: `Problem${n}`, severity, service, status },
  totals: { count: n, firstSeen: '2026-11-25T05:00:00Z', lastSeen: '2026-11-25T05:40:00Z' },
});
const shownCount = (s: string) => (s.match(/Problem\d+/g) ?? []).length;
const hiddenCount = (s: string) => Number(/\+(\d+) more/.exec(s)?.[1] ?? 0);

describe('renderDigest', () => {
  it('groups by service, worst first, with count, first/last seen and status', () => {
    const items = [item(1, 'info', 'db'), item(2, 'warning', 'api', 'resolved'), item(3, 'warning', 'api'), item(4, 'critical', undefined)];
    expect(renderDigest({ heading: '每小时汇总 14:00', ...summarizeDigest(items) }, text)).toEqual([
      [
        '📋 [每小时汇总 14:00] 4 个问题，共 10 次',
        '━━━━━━━━━━━━━━━━',
        '【其他】',
        '🚨 Problem4 · 🔴 未解决 · ×4 · 11-25 13:00 ~ 11-25 13:40',
        '【api】',
        '⚠️ Problem3 · 🔴 未解决 · ×3 · 11-25 13:00 ~ 11-25 13:40',
        '⚠️ Problem2 · ✅ 已解决 · ×2 · 11-25 13:00 ~ 11-25 13:40',
        '【db】',
        'ℹ️ Problem1 · 🔴 未解决 · ×1 · 11-25 13:00 ~ 11-25 13:40',
        '━━━━━━━━━━━━━━━━',
      ].join('\n'),
    ]);
  });

  it('markdown: bold service names, grey heading when only info waited, user text neutralised', () => {
    const evil = { ...item(1, 'info', 'db'), alert: { ...item(1, 'info', 'db').alert, title: '<font color="info">x</font>' } };
    const [digest] = renderDigest({ heading: '每日汇总 2026-11-25', ...summarizeDigest([evil]) }, { ...text, format: 'markdown' });
    expect(digest.split('\n').slice(0, 4)).toEqual([
      '<font color="comment">**📋 [每日汇总 2026-11-25] 1 个问题，共 1 次**</font>',
      '━━━━━━━━━━━━━━━━',
      '**db**',
      'ℹ️ ＜font color="info"＞x＜/font＞ · 🔴 未解决 · ×1 · 11-25 13:00 ~ 11-25 13:40',
    ]);
  });

  it('one time when first and last seen are the same minute; missing times and counts are left out', () => {
    const same = { alert: { ...base, title: 'Once' }, totals: { count: 1, firstSeen: '2026-11-25T05:00:00Z', lastSeen: '2026-11-25T05:00:30Z' } };
    const bare = { alert: { ...base, title: 'Bare', startsAt: undefined, receivedAt: 'garbage' }, totals: { count: Number.NaN } };
    const [digest] = renderDigest({ heading: 'h', ...summarizeDigest([same, bare]) }, text);
    expect(digest).toContain('⚠️ Once · 🔴 未解决 · ×1 · 11-25 13:00\n');
    expect(digest).toContain('⚠️ Bare · 🔴 未解决\n');
    expect(digest).not.toMatch(/undefined|null|NaN/);
  });

  it('the summary beside the name, the resolution time, full dates when a span crosses a year', () => {
    const disk: DigestItem = {
      alert: { ...base, title: 'DiskUsageHigh', summary: '磁盘使用率超过 80%', status: 'resolved', endsAt: '2026-12-04T09:44:00Z' },
      totals: { count: 3, firstSeen: '2020-09-13T12:26:00Z', lastSeen: '2026-12-04T09:30:00Z' },
    };
    const cpu: DigestItem = { alert: { ...base, title: 'HighCPU', summary: 'HighCPU', status: 'resolved', endsAt: '2026-11-25T05:50:00Z' }, totals: { count: 1, firstSeen: '2026-11-25T05:00:00Z', lastSeen: '2026-11-25T05:00:00Z' } };
    const [digest] = renderDigest({ heading: 'h', ...summarizeDigest([disk, cpu]) }, text);
    expect(digest).toContain('⚠️ DiskUsageHigh（磁盘使用率超过 80%） · ✅ 已解决 2026-12-04 17:44 · ×3 · 2020-09-13 20:26 ~ 2026-12-04 17:30\n');
    expect(digest).toContain('⚠️ HighCPU · ✅ 已解决 11-25 13:50 · ×1 · 11-25 13:00\n'); // a summary that repeats the name is not repeated
    const [storm] = renderStormSummary({ ...summarizeStorm([disk, { ...disk, alert: { ...disk.alert, key: 'k2' } }]), windowStart: base.startsAt!, windowEnd: base.receivedAt }, text);
    expect(storm).toContain('⚠️ DiskUsageHigh（磁盘使用率超过 80%） · ×2（2 条已恢复）');
  });

  it.each([
    ['text', 2048],
    ['markdown', 2048],
    ['markdown', 4096],
  ] as const)('%s/%i: "+N more" past the budget, still one message, nothing unaccounted', (format, budgetBytes) => {
    const items = Array.from({ length: 400 }, (_, i) => item(i + 1, i % 5 ? 'warning' : 'critical', `svc${i % 7}`));
    const parts = renderDigest({ heading: '每日汇总', ...summarizeDigest(items) }, { ...text, format, budgetBytes });
    expect(parts).toHaveLength(1);
    expect(byteLength(parts[0])).toBeLessThanOrEqual(budgetBytes);
    expect(shownCount(parts[0]) + hiddenCount(parts[0])).toBe(400);
    expect(hiddenCount(parts[0])).toBeGreaterThan(0);
    expect(parts[0]).toMatch(/\n… \+\d+ more \(另有 \d+ 条未展示\)\n━+$/);
    // The room is used: what is left unused is less than one more line would need.
    expect(budgetBytes - byteLength(parts[0])).toBeLessThan(200);
    // Worst first: the criticals are the ones shown.
    expect(parts[0]).not.toContain('⚠️');
  });
});

describe('renderStormSummary', () => {
  it('names the count and the window, and lists the worst first with their service', () => {
    const items = [item(1, 'warning', 'a'), item(2, 'critical', 'b'), item(3, 'info', undefined)];
    const lines = renderStormSummary({ ...summarizeStorm(items), windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:10Z' }, text)[0].split('\n');
    expect(lines[0]).toBe('🌪️ 风暴合并: 3 条告警 (14:00:00 – 14:01:10)');
    expect(lines.slice(2, 5)).toEqual([
      '🚨 Problem2 · 🔴 未解决 · ×2 · 11-25 13:00 ~ 11-25 13:40 · b',
      '⚠️ Problem1 · 🔴 未解决 · ×1 · 11-25 13:00 ~ 11-25 13:40 · a',
      'ℹ️ Problem3 · 🔴 未解决 · ×3 · 11-25 13:00 ~ 11-25 13:40',
    ]);
  });

  it('groups by alert name, then service, the worst and largest group first, saying how many ended', () => {
    const named = (n: number, alertname: string, service: string, severity: Alert['severity'], status: Alert['status'] = 'firing') => {
      const i = item(n, severity, service, status);
      return { ...i, alert: { ...i.alert, labels: { alertname } } };
    };
    const items = [named(1, 'DiskFull', 'a', 'warning'), named(2, 'DiskFull', 'a', 'warning', 'resolved'), named(3, 'DiskFull', 'b', 'warning'), named(4, 'DiskFull', 'a', 'warning'), named(5, 'NodeDown', 'c', 'critical')];
    const [summary] = renderStormSummary({ ...summarizeStorm(items), windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:10Z' }, { ...text, link: 'https://gw.example.com/console/lists/l1?t=abc' });
    expect(summary.split('\n')).toEqual([
      '🌪️ 风暴合并: 5 条告警 (14:00:00 – 14:01:10)',
      '━━━━━━━━━━━━━━━━',
      '🚨 Problem5 · 🔴 未解决 · ×5 · 11-25 13:00 ~ 11-25 13:40 · c',
      '⚠️ DiskFull · a · ×3（1 条已恢复）',
      '⚠️ Problem3 · 🔴 未解决 · ×3 · 11-25 13:00 ~ 11-25 13:40 · b',
      '📋 查看全部 5 条: https://gw.example.com/console/lists/l1?t=abc',
      '━━━━━━━━━━━━━━━━',
    ]);
  });

  it('the link to the whole list survives any cut, as a markdown link on robots', () => {
    const items = Array.from({ length: 200 }, (_, n) => item(n, 'critical', 'svc'));
    const link = 'https://gw.example.com/console/lists/l1?t=abc';
    for (const opts of [text, { ...text, format: 'markdown' as const, budgetBytes: 4096 }]) {
      const [summary] = renderStormSummary({ ...summarizeStorm(items), windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:10Z' }, { ...opts, link });
      expect(byteLength(summary)).toBeLessThanOrEqual(opts.budgetBytes);
      expect(summary).toContain(opts.format === 'markdown' ? `[📋 查看全部 200 条](${link})` : `📋 查看全部 200 条: ${link}`);
      const [digest] = renderDigest({ heading: 'h', ...summarizeDigest(items) }, { ...opts, link });
      expect(digest).toContain('📋 查看全部 200 条');
    }
  });

  it('a window across midnight gives full dates; a broken window is left out', () => {
    const items = [item(1, 'critical', 'a')];
    const [across] = renderStormSummary({ ...summarizeStorm(items), windowStart: '2026-11-25T15:59:00Z', windowEnd: '2026-11-25T16:01:00Z' }, text);
    expect(across.split('\n')[0]).toBe('🌪️ 风暴合并: 1 条告警 (2026-11-25 23:59:00 – 2026-11-26 00:01:00)');
    const [broken] = renderStormSummary({ ...summarizeStorm(items), windowStart: '', windowEnd: 'x' }, { ...text, format: 'markdown' });
    expect(broken.split('\n')[0]).toBe('<font color="warning">**🌪️ 风暴合并: 1 条告警**</font>');
  });

  it('any storm is one message within budget that accounts for every alert (property)', () => {
    const title = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom('数据库连接池耗尽'.repeat(50), '<@all>', 'a\nb'));
    fc.assert(
      fc.property(
        fc.array(fc.record({ title, severity: fc.constantFrom<Alert['severity']>('critical', 'warning', 'info'), count: fc.integer({ min: 0, max: 1e6 }) }), { maxLength: 300 }),
        fc.constantFrom(512, 2048, 4096),
        fc.constantFrom('text' as const, 'markdown' as const),
        (specs, budgetBytes, format) => {
          // Distinct names, so each alert is a group of its own (grouping has its own test).
          const items = specs.map((s, i) => ({ alert: { ...base, key: `k${i}`, title: `${i}#${s.title}`, severity: s.severity }, totals: { count: s.count } }));
          const parts = renderStormSummary({ ...summarizeStorm(items), windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:00Z' }, { ...text, format, budgetBytes });
          expect(parts).toHaveLength(1);
          expect(byteLength(parts[0])).toBeLessThanOrEqual(budgetBytes);
          expect(Buffer.from(parts[0], 'utf8').toString('utf8')).toBe(parts[0]);
          const listed = parts[0].split('\n').filter((l) => /^(🚨|⚠️|ℹ️) /.test(l)).length;
          expect(listed + hiddenCount(parts[0])).toBe(items.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('list summaries', () => {
  // The shortest list line there is: a critical with a one-character title, no count, no times.
  const shortest = (n: number, alertname = `${n}`): DigestItem => ({
    alert: { ...base, key: `k${n}`, idempotencyKey: `${n}`.padStart(32, '0'), title: String.fromCharCode(65 + (n % 26)), severity: 'critical', startsAt: undefined, receivedAt: '', labels: { alertname } },
    totals: { count: 0 },
  });
  const widest = Math.max(...Object.values(DESTINATION_FORMAT).map((d) => d.budgetBytes));

  it.each(['text', 'markdown'] as const)('%s: carrying the worst LIST_ITEMS_CARRIED renders exactly as carrying all, even with the shortest lines and the widest budget', (format) => {
    const items = Array.from({ length: 3 * LIST_ITEMS_CARRIED }, (_, n) => shortest(n));
    const opts = { ...text, format, budgetBytes: widest, link: 'https://gw.example.com/console/lists/l1' };
    const carried = renderDigest({ heading: 'h', ...summarizeDigest(items) }, opts);
    expect(carried).toEqual(renderDigest({ heading: 'h', ...summarizeDigest(items, Infinity) }, opts));
    expect(hiddenCount(carried[0])).toBeGreaterThan(0); // the card is full before the carried items run out
    expect(summarizeDigest(items).items).toHaveLength(LIST_ITEMS_CARRIED);
    const storm = { windowStart: base.startsAt!, windowEnd: base.receivedAt };
    expect(renderStormSummary({ ...summarizeStorm(items), ...storm }, opts)).toEqual(renderStormSummary({ ...summarizeStorm(items, Infinity), ...storm }, opts));
    expect(summarizeStorm(items).groups).toHaveLength(LIST_ITEMS_CARRIED);
  });

  it('a collector keeps the worst and counts all, whatever order they come in (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ severity: fc.constantFrom<Alert['severity']>('critical', 'warning', 'info'), resolved: fc.boolean(), count: fc.integer({ min: 0, max: 5 }), name: fc.integer({ min: 0, max: 30 }) }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 40 }),
        (specs, keep) => {
          const items = specs.map((s, n) => ({ alert: { ...shortest(n, `a${s.name}`).alert, severity: s.severity, status: s.resolved ? ('resolved' as const) : ('firing' as const) }, totals: { count: s.count } }));
          const digest = summarizeDigest(items, keep);
          // A stable full sort, cut: what the renderer did when it got every item.
          expect(digest.items).toEqual([...items].sort(worstFirst).slice(0, keep));
          expect(digest).toMatchObject({ problems: items.length, occurrences: specs.reduce((sum, s) => sum + s.count, 0) });
          const storm = summarizeStorm(items, keep);
          const all = summarizeStorm(items, Infinity);
          expect(storm.groups).toEqual(all.groups.slice(0, keep));
          expect(all.groups.reduce((sum, g) => sum + g.alerts, 0)).toBe(items.length);
          expect(storm.alerts).toBe(items.length);
          for (const g of all.groups) expect(g.ended).toBe(items.filter((i) => i.alert.labels.alertname === g.worst.alert.labels.alertname && i.alert.status === 'resolved').length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('list messages queued by the release before (every item carried, no counts)', () => {
  const items = Array.from({ length: 40 }, (_, n) => item(n + 1, n % 3 ? 'warning' : 'critical', `svc${n % 4}`));
  const ctx = { format: 'text' as const, budgetBytes: 2048, tz: 'Asia/Shanghai', now: 0, lateNoticeAfterMs: 0 };
  const window = { windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:00Z' };

  it('are still accepted by the queue contract and render as the summaries do', () => {
    const digest = { kind: 'digest' as const, heading: '每小时汇总 14:00', items };
    const storm = { kind: 'storm' as const, items, ...window };
    for (const message of [digest, storm]) expect(deliveryJobSchema.validate({ destinationId: 'app', message }).error).toBeUndefined();
    expect(renderMessage(digest, ctx)).toEqual(renderDigest({ heading: digest.heading, ...summarizeDigest(items) }, text));
    expect(renderMessage(storm, ctx)).toEqual(renderStormSummary({ ...summarizeStorm(items), ...window }, text));
  });

  it('a storm carries either its groups with their count or every item, never both or half of one', () => {
    const { groups, alerts } = summarizeStorm(items);
    const bad = [{ groups, alerts, items }, { groups }, { items, alerts }, {}];
    for (const shape of bad) expect(deliveryJobSchema.validate({ destinationId: 'app', message: { kind: 'storm', ...shape, ...window } }).error, JSON.stringify(Object.keys(shape))).toBeDefined();
    expect(deliveryJobSchema.validate({ destinationId: 'app', message: { kind: 'digest', heading: 'h', items, problems: 3 } }).error?.message).toMatch(/occurrences/);
  });
});

describe('what a list keeps of an alert while it waits', () => {
  const bodies = (dir: string) => fs.readdirSync(path.join(__dirname, 'fixtures', dir)).filter((f) => f.endsWith('.json') && !f.includes('headers')).map((f) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', dir, f), 'utf8')));
  const real = [
    ...bodies('alertmanager').flatMap((b) => normalizeAlertmanager(b, new Date('2026-11-25T05:40:00Z'))),
    ...bodies('grafana').flatMap((b) => normalizeGrafana(b, new Date('2026-11-25T05:40:00Z'))),
  ];

  it('real Alertmanager and Grafana alerts: the same digest and storm cards from what is kept, in less than half the bytes', () => {
    expect(real.length).toBeGreaterThan(5);
    const items = real.map((alert, n) => ({ alert: { ...alert, key: `${alert.key}-${n}`, idempotencyKey: `${n}`.padStart(32, '0') }, totals: { count: n + 1, firstSeen: '2026-11-25T05:00:00Z' } }));
    const kept = items.map((i) => ({ ...i, alert: listedAlert(i.alert) }));
    const window = { windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:00Z' };
    for (const opts of [text, { ...text, format: 'markdown' as const, budgetBytes: 4096 }, { ...text, budgetBytes: 512 }]) {
      expect(renderDigest({ heading: 'h', ...summarizeDigest(kept) }, opts)).toEqual(renderDigest({ heading: 'h', ...summarizeDigest(items) }, opts));
      expect(renderStormSummary({ ...summarizeStorm(kept), ...window }, opts)).toEqual(renderStormSummary({ ...summarizeStorm(items), ...window }, opts));
    }
    const bytes = (list: DigestItem[]) => list.reduce((sum, i) => sum + JSON.stringify(i.alert).length, 0);
    console.log(`[listed] ${real.length} real alerts: ${bytes(items)} B whole, ${bytes(kept)} B kept`);
    expect(bytes(kept) * 2).toBeLessThan(bytes(items));
  });
});
