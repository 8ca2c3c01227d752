import { SEVERITY_RANK, type Alert } from '../alert';
import type { RenderOptions, Totals } from './card';
import { RULE_LINE } from './fit';
import { formatTime } from './time';
import { byteLength, truncateBytes } from './utf8';

export interface DigestItem {
  alert: Alert;
  totals: Totals;
}

const STATUS_WORD: Record<Alert['status'], string> = {
  firing: '🔴 未解决',
  unresolved: '🔴 复发',
  resolved: '✅ 已解决',
  ignored: '🔕 已忽略',
  assigned: '👤 已指派',
};
const ICON = { critical: '🚨', warning: '⚠️', info: 'ℹ️' } as const;

/** Worst first: severity, then unresolved before resolved, then the most frequent. */
function worstFirst(a: DigestItem, b: DigestItem): number {
  return (
    SEVERITY_RANK[b.alert.severity] - SEVERITY_RANK[a.alert.severity] ||
    Number(a.alert.status === 'resolved') - Number(b.alert.status === 'resolved') ||
    b.totals.count - a.totals.count
  );
}

function shortTime(iso: string | undefined, tz: string): string | undefined {
  return formatTime(iso, tz)?.slice(5, 16);
}

function itemLine(item: DigestItem, tz: string): string {
  const { alert, totals } = item;
  const first = shortTime(totals.firstSeen ?? alert.startsAt, tz);
  const last = shortTime(totals.lastSeen ?? alert.receivedAt, tz);
  const when = first && last && first !== last ? `${first} ~ ${last}` : (first ?? last);
  return [`${ICON[alert.severity]} ${alert.title}`, STATUS_WORD[alert.status], `×${totals.count}`, when].filter(Boolean).join(' · ');
}

/**
 * One message with every line that fits and "+N more" for the rest: a digest never turns into
 * a series of messages, it stays one glance.
 */
function fitList(head: string[], groups: Array<{ title?: string; lines: string[] }>, opts: RenderOptions, total: number): string[] {
  const md = opts.format === 'markdown';
  const esc = (s: string) => (md ? s.replace(/</g, '＜').replace(/>/g, '＞') : s);
  const out = [...head];
  const budget = opts.budgetBytes - 64; // room for the "+N more" line and the closing rule
  let shown = 0;
  outer: for (const group of groups) {
    const title = group.title ? (md ? `**${esc(group.title)}**` : `【${group.title}】`) : undefined;
    for (let i = 0; i < group.lines.length; i++) {
      const candidate = [...(i === 0 && title ? [title] : []), esc(group.lines[i])];
      if (byteLength([...out, ...candidate].join('\n')) > budget) break outer;
      out.push(...candidate);
      shown++;
    }
  }
  if (shown < total) out.push(`… +${total - shown} more (另有 ${total - shown} 条未展示)`);
  out.push(RULE_LINE);
  return [truncateBytes(out.join('\n'), opts.budgetBytes)];
}

function header(text: string, opts: RenderOptions): string {
  return opts.format === 'markdown' ? `<font color="comment">**${text}**</font>` : text;
}

/** The hourly/daily digest of one destination: problems grouped by service, worst first. */
export function renderDigest(input: { heading: string; items: DigestItem[] }, opts: RenderOptions): string[] {
  const items = [...input.items].sort(worstFirst);
  const byService = new Map<string, DigestItem[]>();
  for (const item of items) {
    const service = item.alert.service ?? '其他';
    byService.set(service, [...(byService.get(service) ?? []), item]);
  }
  const occurrences = items.reduce((sum, i) => sum + i.totals.count, 0);
  const head = [header(`📋 [${input.heading}] ${items.length} 个问题，共 ${occurrences} 次`, opts), RULE_LINE];
  const groups = [...byService].map(([title, list]) => ({ title, lines: list.map((i) => itemLine(i, opts.tz)) }));
  return fitList(head, groups, opts, items.length);
}

/** When a destination ran out of budget: one card for everything that waited. */
export function renderStormSummary(input: { items: DigestItem[]; windowStart: string; windowEnd: string }, opts: RenderOptions): string[] {
  const items = [...input.items].sort(worstFirst);
  const from = formatTime(input.windowStart, opts.tz)?.slice(11);
  const to = formatTime(input.windowEnd, opts.tz)?.slice(11);
  const span = from && to ? ` (${from} – ${to})` : '';
  const head = [header(`🌪️ 风暴合并: ${items.length} 条告警${span}`, opts), RULE_LINE];
  const lines = items.map((i) => `${itemLine(i, opts.tz)}${i.alert.service ? ` · ${i.alert.service}` : ''}`);
  return fitList(head, [{ lines }], opts, items.length);
}
