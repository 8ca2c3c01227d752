import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byteLength, formatDuration, formatTime, renderAlert, renderDigest, renderStormSummary, splitByBytes, truncateBytes, type Alert } from '../src';

const RULE = '━━━━━━━━━━━━━━━━';
const seed = fs.readFileSync(path.join(__dirname, 'fixtures/seed-guide.md'), 'utf8').split('\n');
function seedCard(header: string): string {
  const start = seed.findIndex((l) => l.startsWith(header));
  const end = seed.findIndex((l, i) => i > start + 1 && l === RULE);
  return seed.slice(start, end + 1).join('\n');
}

const sentryAlert: Alert = {
  source: 'sentry', kind: 'issue.created', key: 'sentry:12345', idempotencyKey: '0'.repeat(32), status: 'firing',
  severity: 'critical', level: 'error', title: 'ValueError in calculate_score', environment: 'production',
  service: 'recommendation-api', location: 'app.main.get_recommend', startsAt: '2025-10-31T04:30:45Z', count: 1,
  userCount: 15, url: 'https://trace.dianshudata.com/issues/12345', labels: {}, receivedAt: '2025-10-31T04:30:46Z',
};
const amAlert: Alert = {
  source: 'alertmanager', kind: 'alertmanager', key: 'am:1', idempotencyKey: '1'.repeat(32), status: 'firing',
  severity: 'critical', level: 'critical', title: 'RedisConnectionFailed', instance: 'redis:6379', job: 'redis-exporter',
  startsAt: '2025-10-31T04:35:00Z', summary: 'Redis 连接失败', description: 'Redis 服务不可用，推荐系统将降级运行',
  labels: {}, receivedAt: '2025-10-31T04:35:00Z',
};
const text = { format: 'text' as const, budgetBytes: 2048, tz: 'Asia/Shanghai' };

describe('the seed cards', () => {
  it('Sentry card, byte for byte', () => {
    expect(renderAlert(sentryAlert, text)).toEqual([seedCard('🆕 [Sentry 应用告警]')]);
  });
  it('Alertmanager card, byte for byte', () => {
    expect(renderAlert(amAlert, text)).toEqual([seedCard('🔥 [FIRING]')]);
  });
  it('resolved says ✅ and how long it lasted', () => {
    const [card] = renderAlert({ ...amAlert, status: 'resolved', endsAt: '2025-10-31T06:40:00Z' }, text);
    expect(card.split('\n')[0]).toBe('✅ [RESOLVED] RedisConnectionFailed');
    expect(card).toContain('⏱️ 持续时间: 2小时5分');
    expect(card).toContain('✅ 恢复时间: 2025-10-31 14:40:00');
  });
  it('a repeat carries the running totals', () => {
    const [card] = renderAlert(sentryAlert, { ...text, repeat: true, totals: { count: 500, userCount: 40, firstSeen: '2025-10-31T04:30:45Z', lastSeen: '2025-10-31T05:00:00Z' } });
    expect(card.split('\n')[0]).toBe('🔁 [Sentry 应用告警] ValueError in calculate_score');
    expect(card).toContain('🔢 发生次数: 500');
    expect(card).toContain('👥 影响用户: 40');
    expect(card).toContain('🕒 最近发生: 2025-10-31 13:00:00');
  });
  it('truncatedAlerts is shown, late criticals say how late', () => {
    const [card] = renderAlert({ ...amAlert, truncatedAlerts: 3 }, { ...text, lateByMs: 725_000 });
    expect(card).toContain('另有 3 条告警未展示');
    expect(card).toContain('⏱️ 延迟送达: 12分5秒');
  });
  it('missing fields are left out, never undefined/null/NaN', () => {
    const bare: Alert = { source: 'sentry', kind: 'legacy', key: 'k', idempotencyKey: '2'.repeat(32), status: 'firing', severity: 'info', title: 'T', labels: {}, receivedAt: 'not a date' };
    for (const format of ['text', 'markdown'] as const) {
      const [card] = renderAlert(bare, { ...text, format, totals: { count: Number.NaN } });
      expect(card).not.toMatch(/undefined|null|NaN|: $/m);
    }
  });
  it('markdown colours by severity, green when resolved, escapes user tags, mentions at the end', () => {
    const [md] = renderAlert({ ...amAlert, title: 'A <font color="info">trick</font>' }, { ...text, format: 'markdown', budgetBytes: 4096, mentions: ['zhangsan'] });
    expect(md.split('\n')[0]).toBe('<font color="warning">**🔥 [FIRING] A ＜font color="info"＞trick＜/font＞**</font>');
    expect(md).toContain('<@zhangsan>');
    const [ok] = renderAlert({ ...amAlert, status: 'resolved' }, { ...text, format: 'markdown', budgetBytes: 4096 });
    expect(ok.startsWith('<font color="info">')).toBe(true);
  });
});

describe('byte budgets', () => {
  const big = { ...amAlert, description: '数据库连接池耗尽，请求排队超时。'.repeat(220) };
  it.each([
    ['text', 2048],
    ['markdown', 2048],
    ['markdown', 4096],
  ] as const)('a 10 KB Chinese description in %s/%i → numbered parts that each fit', (format, budgetBytes) => {
    const parts = renderAlert(big, { ...text, format, budgetBytes });
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(byteLength(p)).toBeLessThanOrEqual(budgetBytes);
      expect(p.split('\n')[0]).toContain(`(${i + 1}/${parts.length})`);
      expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
    });
  });

  it('truncateBytes never cuts a character, an emoji with its selector, a tag or a mention', () => {
    expect(truncateBytes('数据库连接', 7, '')).toBe('数据');
    expect(truncateBytes('ab🏷️cd', 6, '')).toBe('ab');
    expect(truncateBytes('x <font color="warning">red</font>', 20, '')).toBe('x');
    expect(truncateBytes('hi <@zhangsan> there', 8, '')).toBe('hi');
  });

  it('every part of any text fits and stays valid UTF-8 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 64, max: 4096 }), (s, budget) => {
        for (const part of splitByBytes(s, budget)) {
          expect(byteLength(part)).toBeLessThanOrEqual(budget);
          expect(part).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a rendered card of random fields always fits its budget', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 6000 }), fc.constantFrom(2048, 4096), fc.constantFrom('text' as const, 'markdown' as const), (title, description, budgetBytes, format) => {
        for (const part of renderAlert({ ...amAlert, title, description }, { ...text, format, budgetBytes })) expect(byteLength(part)).toBeLessThanOrEqual(budgetBytes);
      }),
      { numRuns: 100 },
    );
  });
});

describe('time', () => {
  it('formats in the display time zone and says durations in Chinese', () => {
    expect(formatTime('2026-11-24T01:08:26.791Z', 'Asia/Shanghai')).toBe('2026-11-24 09:08:26');
    expect(formatTime(undefined, 'Asia/Shanghai')).toBeUndefined();
    expect(formatTime('garbage', 'Asia/Shanghai')).toBeUndefined();
    expect([45_000, 192_000, 7_500_000, 97_200_000].map(formatDuration)).toEqual(['45秒', '3分12秒', '2小时5分', '1天3小时']);
  });
});

describe('digests and storm summaries', () => {
  const item = (n: number, severity: Alert['severity'], service: string, status: Alert['status'] = 'firing') => ({
    alert: { ...amAlert, key: `k${n}`, title: `Problem${n}`, severity, service, status },
    totals: { count: n, firstSeen: '2026-11-25T05:00:00Z', lastSeen: '2026-11-25T05:40:00Z' },
  });

  it('groups by service, worst first, with count, first/last seen and status', () => {
    const [digest] = renderDigest({ heading: '每小时汇总 14:00', items: [item(1, 'info', 'db'), item(2, 'warning', 'api', 'resolved'), item(3, 'warning', 'api')] }, text);
    const lines = digest.split('\n');
    expect(lines[0]).toBe('📋 [每小时汇总 14:00] 3 个问题，共 6 次');
    expect(lines.slice(2, 6)).toEqual([
      '【api】',
      '⚠️ Problem3 · 🔴 未解决 · ×3 · 11-25 13:00 ~ 11-25 13:40',
      '⚠️ Problem2 · ✅ 已解决 · ×2 · 11-25 13:00 ~ 11-25 13:40',
      '【db】',
    ]);
  });

  it('"+N more" past the byte budget, still one message', () => {
    const items = Array.from({ length: 400 }, (_, i) => item(i + 1, 'warning', `svc${i % 7}`));
    const parts = renderDigest({ heading: '每日汇总', items }, { ...text, format: 'markdown', budgetBytes: 4096 });
    expect(parts).toHaveLength(1);
    expect(byteLength(parts[0])).toBeLessThanOrEqual(4096);
    const shown = (parts[0].match(/Problem\d+/g) ?? []).length;
    expect(parts[0]).toContain(`+${400 - shown} more`);
  });

  it('storm summary names the count and the worst first', () => {
    const [summary] = renderStormSummary({ items: [item(1, 'warning', 'a'), item(2, 'critical', 'b')], windowStart: '2026-11-25T06:00:00Z', windowEnd: '2026-11-25T06:01:10Z' }, text);
    expect(summary.split('\n')[0]).toBe('🌪️ 风暴合并: 2 条告警 (14:00:00 – 14:01:10)');
    expect(summary.split('\n')[2]).toMatch(/^🚨 Problem2/);
  });
});
