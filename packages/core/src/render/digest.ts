import { SEVERITY_RANK, type Alert, type Severity } from '../alert';
import { LIST_TITLE_BYTES, stormGroupOf, worstFirst, type DigestSummary, type StormSummary } from './list-summary';
import { formatTime } from './time';
import type { RenderOptions, Totals } from './types';
import { escapeMarkdown, linkTarget, oneLine } from './user-text';
import { byteLength, truncateBytes } from './utf8';
import { performanceKind, RULE_LINE, SEVERITY_ICON, STATUS_WORD } from './words';

export interface DigestItem {
  alert: Alert;
  totals: Totals;
}

/**
 * Times of one list line in the display time zone: 'MM-DD HH:mm', or 'YYYY-MM-DD HH:mm' for all
 * of them when they do not share a year (a problem first seen in 2020 and last seen now).
 */
function lineTimes(tz: string, ...isos: Array<string | undefined>): Array<string | undefined> {
  const full = isos.map((iso) => formatTime(iso, tz));
  const years = new Set(full.filter(Boolean).map((t) => t!.slice(0, 4)));
  return full.map((t) => t?.slice(years.size > 1 ? 0 : 5, 16));
}

/** A name (alertname, Sentry title) with the alert's summary annotation beside it: 磁盘使用率超过 80%, not only DiskUsageHigh. */
function withSummary(name: string, alert: Alert): string {
  const summary = oneLine(alert.summary, LIST_TITLE_BYTES);
  return summary && summary !== name ? `${name}（${summary}）` : name;
}

function itemLine(item: DigestItem, tz: string): string {
  const { alert, totals } = item;
  const resolved = alert.status === 'resolved';
  const [first, last, ended] = lineTimes(tz, totals.firstSeen ?? alert.startsAt, totals.lastSeen ?? alert.receivedAt, resolved ? alert.endsAt : undefined);
  const when = first && last && first !== last ? `${first} ~ ${last}` : (first ?? last);
  const count = Number.isFinite(totals.count) && totals.count > 0 ? `×${totals.count}` : undefined;
  const slow = performanceKind(alert);
  const status = ended ? `${STATUS_WORD[alert.status]} ${ended}` : STATUS_WORD[alert.status];
  return [`${SEVERITY_ICON[alert.severity]} ${withSummary(oneLine(alert.title, LIST_TITLE_BYTES) ?? '-', alert)}`, slow && `🐢 ${slow}`, status, count, when].filter(Boolean).join(' · ');
}

function moreLine(hidden: number): string {
  return `… +${hidden} more (另有 ${hidden} 条未展示)`;
}

function heading(text: string, colour: string, opts: RenderOptions): string {
  const capped = truncateBytes(text, Math.floor(opts.budgetBytes / 4));
  return opts.format === 'markdown' ? `<font color="${colour}">**${escapeMarkdown(capped)}**</font>` : capped;
}

/** One line of a list, in worst-first order, the group (service) it is shown under, and how many alerts it stands for. */
interface Entry {
  group?: string;
  line: string;
  alerts?: number;
}

/** The line that leads to the whole list in the console; it is never cut. */
function pageLine(link: string | undefined, total: number, md: boolean): string | undefined {
  if (!link) return undefined;
  return md ? `[📋 查看全部 ${total} 条](${linkTarget(link)})` : `📋 查看全部 ${total} 条: ${link}`;
}

/**
 * A digest or a storm summary is always ONE message: the worst entries that fit, grouped, then
 * "+N more" for the rest, then the link to the console page that lists every alert. A list
 * split over several messages is no longer one glance, and each message would cost a slot of
 * the destination's rate limit. Entries are taken strictly worst first, so what is left out is
 * always less important than what is shown.
 */
function oneMessage(head: string, entries: Entry[], total: number, opts: RenderOptions): string[] {
  const md = opts.format === 'markdown';
  const user = md ? escapeMarkdown : (s: string) => s;
  const groupTitle = (g: string) => (md ? `**${user(g)}**` : `【${g}】`);
  const page = pageLine(opts.link, total, md);
  // Always room for the closing "+N more" line, the page link and the rule, whatever N turns out to be.
  const reserve = byteLength(`\n${moreLine(total)}${page ? `\n${page}` : ''}\n${RULE_LINE}`);
  const groups = new Map<string | undefined, string[]>();
  let bytes = byteLength(`${head}\n${RULE_LINE}`);
  let shown = 0;
  for (const { group, line, alerts = 1 } of entries) {
    const cost = byteLength(user(line)) + 1 + (groups.has(group) || group === undefined ? 0 : byteLength(groupTitle(group)) + 1);
    if (bytes + cost + reserve > opts.budgetBytes) break;
    groups.set(group, [...(groups.get(group) ?? []), user(line)]);
    bytes += cost;
    shown += alerts;
  }
  const out = [head, RULE_LINE];
  for (const [group, lines] of groups) out.push(...(group === undefined ? [] : [groupTitle(group)]), ...lines);
  if (shown < total) out.push(moreLine(total - shown));
  if (page) out.push(page);
  out.push(RULE_LINE);
  // Only a budget too small for the heading itself gets here cut.
  return [truncateBytes(out.join('\n'), opts.budgetBytes)];
}

function worstColour(alerts: Alert[]): 'warning' | 'comment' {
  const worst = alerts.reduce<Severity>((w, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[w] ? a.severity : w), 'info');
  return worst === 'info' ? 'comment' : 'warning';
}

/**
 * The hourly/daily digest of one destination: problems grouped by service (the service with
 * the worst problem first), worst first inside, each with count, first/last seen and status.
 * The summary carries the worst problems and the counts of all (list-summary.ts).
 */
export function renderDigest(input: { heading: string } & DigestSummary, opts: RenderOptions): string[] {
  const items = [...input.items].sort(worstFirst);
  // Digests carry what could wait: grey unless something in them is worse than info.
  const head = heading(`📋 [${oneLine(input.heading) ?? '汇总'}] ${input.problems} 个问题，共 ${input.occurrences} 次`, worstColour(items.map((i) => i.alert)), opts);
  const entries = items.map((i) => ({ group: oneLine(i.alert.service, LIST_TITLE_BYTES) ?? '其他', line: itemLine(i, opts.tz) }));
  return oneMessage(head, entries, input.problems, opts);
}

/**
 * A storm in one card: alerts grouped by name, then service, the worst group first (severity,
 * then size), each with its count and how many have ended. The full list is on the linked page.
 */
export function renderStormSummary(input: { windowStart: string; windowEnd: string } & StormSummary, opts: RenderOptions): string[] {
  const from = formatTime(input.windowStart, opts.tz);
  const to = formatTime(input.windowEnd, opts.tz);
  // Same day: the clock times say enough.
  const span = from && to ? ` (${from.slice(0, 10) === to.slice(0, 10) ? `${from.slice(11)} – ${to.slice(11)}` : `${from} – ${to}`})` : '';
  const head = heading(`🌪️ 风暴合并: ${input.alerts} 条告警${span}`, worstColour(input.groups.map((g) => g.worst.alert)), opts);
  const entries = input.groups.map(({ worst, alerts, ended }) => {
    const { name, service } = stormGroupOf(worst.alert);
    if (alerts === 1) return { line: [itemLine(worst, opts.tz), service].filter(Boolean).join(' · '), alerts: 1 };
    const count = `×${alerts}${ended ? `（${ended} 条已恢复）` : ''}`;
    return { line: [`${SEVERITY_ICON[worst.alert.severity]} ${withSummary(name, worst.alert)}`, service, count].filter(Boolean).join(' · '), alerts };
  });
  return oneMessage(head, entries, input.alerts, opts);
}
