import type { Alert } from '../alert';
import { formatTime } from './time';
import type { Totals } from './types';
import { oneLine } from './user-text';
import { truncateChars } from './utf8';
import { LEVEL_ICON, performanceKind, SEVERITY_ICON, STATUS_WORD } from './words';

/**
 * The WeCom app's interactive card (template_card, button_interaction), as far as the gateway
 * uses it. Lengths are WeCom's advice in characters (reference/wecom-callbacks.md §3).
 */
export interface TemplateCard {
  card_type: 'button_interaction';
  source?: { desc: string; desc_color: number };
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: Array<{ keyname: string; value: string }>;
  card_action?: { type: 1; url: string };
  task_id: string;
  button_list: Array<{ text: string; style: number; key: string }>;
}

/** The buttons of an alert card; the key comes back in the click event (EventKey). */
export const CARD_BUTTONS = {
  claim: { text: '认领', style: 1, key: 'claim' },
  silence: { text: '静默 1 小时', style: 2, key: 'silence_1h' },
  resolve: { text: '已处理', style: 3, key: 'resolve' },
} as const;

export type CardAction = (typeof CARD_BUTTONS)[keyof typeof CARD_BUTTONS]['key'];

const SOURCE_NAME: Record<string, string> = { sentry: 'Sentry', alertmanager: 'Prometheus', test: '告警网关' };

/** Only http(s) may be a card's link. */
const safeUrl = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

function field(keyname: string, value: string | number | undefined) {
  if (value === undefined || value === '' || (typeof value === 'number' && !Number.isFinite(value))) return undefined;
  return { keyname: truncateChars(keyname, 5), value: truncateChars(oneLine(String(value)) ?? '', 30) };
}

/**
 * An alert as a card with buttons (认领, 静默 1 小时, 已处理), carrying the seed card's fields:
 * title, level and status, then environment, service, location, first seen, count and users,
 * the description, and the link (the console page when there is one, else the source).
 * An escalation leads the title (⏫ 升级 n). `state` is what people did about it ("✋ 已认领: 张三 12:32"); it leads the text, and once
 * claimed the 认领 button goes. (Once handled, the update greys every button instead.)
 */
export function templateCardFor(
  alert: Alert,
  opts: { taskId: string; tz: string; totals?: Totals; link?: string; state?: { text: string; claimed: boolean }; escalation?: number },
): TemplateCard {
  const level = (alert.level ?? alert.severity).toLowerCase();
  const icon = LEVEL_ICON[level] ?? SEVERITY_ICON[alert.severity];
  const totals = opts.totals;
  const fields = [
    field('环境', alert.environment),
    field('服务', alert.service ?? alert.job),
    field('位置', alert.location ?? alert.instance),
    field('性能问题', performanceKind(alert)),
    field('首次发现', formatTime(totals?.firstSeen ?? alert.startsAt, opts.tz)?.slice(5, 16)),
    field('发生次数', totals?.count && totals.count > 0 ? totals.count : alert.count),
    field('影响用户', totals?.userCount ?? alert.userCount),
  ].filter((f): f is { keyname: string; value: string } => f !== undefined);
  const text = [opts.state?.text, oneLine(alert.summary, 1000), oneLine(alert.description, 1000)].filter(Boolean).join('\n');
  const url = safeUrl(opts.link) ?? safeUrl(alert.url);
  const buttons = Object.values(CARD_BUTTONS).filter((b) => !(opts.state?.claimed && b.key === 'claim'));
  return {
    card_type: 'button_interaction',
    source: { desc: SOURCE_NAME[alert.source] ?? alert.source, desc_color: alert.severity === 'critical' ? 2 : 0 },
    main_title: {
      title: truncateChars(`${opts.escalation ? `⏫ 升级 ${opts.escalation} · ` : ''}${oneLine(alert.title) ?? alert.key}`, 36),
      desc: truncateChars(`${icon} ${level.toUpperCase()} · ${STATUS_WORD[alert.status]}`, 44),
    },
    ...(text ? { sub_title_text: truncateChars(text, 160) } : {}),
    horizontal_content_list: fields.slice(0, 6),
    ...(url ? { card_action: { type: 1 as const, url } } : {}),
    task_id: opts.taskId,
    button_list: buttons.map((b) => ({ ...b })),
  };
}
