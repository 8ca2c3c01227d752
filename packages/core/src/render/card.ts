import type { Alert, Severity } from '../alert';
import { formatDuration, formatTime } from './time';
import { fitParts } from './fit';

/** The gateway's running totals for a problem (kept by the worker's history store). */
export interface Totals {
  count: number;
  userCount?: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface RenderOptions {
  format: 'text' | 'markdown';
  /** UTF-8 byte budget of one message (app 2048, robot markdown 4096, robot text 2048). */
  budgetBytes: number;
  /** DISPLAY_TZ. */
  tz: string;
  totals?: Totals;
  /** The gateway has seen this problem before: a reminder, not a new problem. */
  repeat?: boolean;
  /** User ids to @-mention on robot markdown (`<@id>`). */
  mentions?: string[];
  /** The alert waited this long in a backlog before delivery. */
  lateByMs?: number;
  now?: Date;
}

// The seed's labels carry an emoji variation selector and two spaces; keep them byte for byte.
const TAG = '\u{1F3F7}\uFE0F ';
const SCREEN = '\u{1F5A5}\uFE0F ';

const SENTRY_STATUS: Record<Alert['status'], string> = {
  firing: '🔴 未解决',
  unresolved: '🔴 未解决 (复发)',
  resolved: '✅ 已解决',
  ignored: '🔕 已忽略',
  assigned: '👤 已指派',
};

const SEVERITY_ICON: Record<Severity, string> = { critical: '🚨', warning: '⚠️', info: 'ℹ️' };
const LEVEL_ICON: Record<string, string> = { fatal: '🔥', error: '🔥', warning: '⚠️', info: 'ℹ️', debug: 'ℹ️' };

/** WeCom markdown has three colours: warning (orange-red), comment (grey), info (green). */
const COLOUR: Record<Severity, string> = { critical: 'warning', warning: 'warning', info: 'comment' };

/** A card is a header, labelled lines and a body: the same content in text and markdown. */
export interface Card {
  header: string;
  colour: string;
  lines: string[];
  /** Free text (summary / description), the first thing to shorten. */
  body: string[];
  /** Shortened last when the budget is short. */
  link?: string;
}

function line(label: string, value: string | number | undefined): string | undefined {
  if (value === undefined || value === '' || (typeof value === 'number' && !Number.isFinite(value))) return undefined;
  return `${label}: ${value}`;
}

function durationLine(alert: Alert, now: Date): string | undefined {
  const start = Date.parse(alert.startsAt ?? '');
  const end = Date.parse(alert.endsAt ?? '') || now.getTime();
  return Number.isFinite(start) && end >= start ? line('⏱️ 持续时间', formatDuration(end - start)) : undefined;
}

function commonTail(alert: Alert, opts: RenderOptions): Array<string | undefined> {
  const totals = opts.totals;
  return [
    totals && totals.count > 1 ? line('🕒 最近发生', formatTime(totals.lastSeen, opts.tz)) : undefined,
    opts.lateByMs ? line('⏱️ 延迟送达', formatDuration(opts.lateByMs)) : undefined,
    alert.truncatedAlerts ? `另有 ${alert.truncatedAlerts} 条告警未展示` : undefined,
  ];
}

function sentryCard(alert: Alert, opts: RenderOptions, now: Date): Card {
  const totals = opts.totals;
  const resolved = alert.status === 'resolved';
  const headers: Record<Alert['status'], string> = {
    firing: opts.repeat ? '🔁 [Sentry 应用告警]' : '🆕 [Sentry 应用告警]',
    unresolved: '🔄 [Sentry 问题复发]',
    resolved: '✅ [Sentry 已解决]',
    ignored: '🔕 [Sentry 已忽略]',
    assigned: '👤 [Sentry 已指派]',
  };
  const level = (alert.level ?? alert.severity).toLowerCase();
  return {
    header: `${headers[alert.status]} ${alert.title}`,
    colour: resolved ? 'info' : COLOUR[alert.severity],
    lines: [
      line(`${LEVEL_ICON[level] ?? SEVERITY_ICON[alert.severity]} 级别`, level.toUpperCase()),
      line(`${TAG} 来源`, 'Sentry'),
      line('📍 环境', alert.environment),
      line(`${SCREEN} 服务`, alert.service),
      line('📝 位置', alert.location),
      line('⏰ 首次发现', formatTime(totals?.firstSeen ?? alert.startsAt, opts.tz)),
      line('📊 状态', SENTRY_STATUS[alert.status]),
      resolved ? durationLine(alert, now) : undefined,
      line('🔢 发生次数', totals?.count ?? alert.count),
      line('👥 影响用户', maxDefined(totals?.userCount, alert.userCount)),
      line('👤 处理人', alert.labels.assignee),
      ...commonTail(alert, opts),
    ].filter((l): l is string => l !== undefined),
    body: [alert.description].filter((l): l is string => Boolean(l)),
    link: alert.url ? `🔗 详情: ${alert.url}` : undefined,
  };
}

function alertmanagerCard(alert: Alert, opts: RenderOptions, now: Date): Card {
  const resolved = alert.status === 'resolved';
  const totals = opts.totals;
  return {
    header: `${resolved ? '✅ [RESOLVED]' : '🔥 [FIRING]'} ${alert.title}`,
    colour: resolved ? 'info' : COLOUR[alert.severity],
    lines: [
      line(`${SEVERITY_ICON[alert.severity]} 严重程度`, (alert.level ?? alert.severity).toUpperCase()),
      line(`${TAG} 来源`, 'Prometheus'),
      line('📍 环境', alert.environment),
      line(`${SCREEN} 实例`, alert.instance),
      line('📦 任务', alert.job),
      line('⏰ 时间', formatTime(alert.startsAt, opts.tz)),
      resolved ? line('✅ 恢复时间', formatTime(alert.endsAt, opts.tz)) : undefined,
      resolved ? durationLine(alert, now) : undefined,
      totals && totals.count > 1 ? line('🔢 发生次数', totals.count) : undefined,
      ...commonTail(alert, opts),
    ].filter((l): l is string => l !== undefined),
    body: [alert.summary ? `📝 ${alert.summary}` : undefined, alert.description].filter((l): l is string => Boolean(l)),
    link: alert.url ? `🔗 详情: ${alert.url}` : undefined,
  };
}

function testCard(alert: Alert, opts: RenderOptions): Card {
  return {
    header: `🧪 [测试消息] ${alert.title}`,
    colour: 'info',
    lines: [line(`${TAG} 来源`, 'Gateway'), line('⏰ 时间', formatTime(alert.startsAt, opts.tz))].filter((l): l is string => l !== undefined),
    body: [alert.summary].filter((l): l is string => Boolean(l)),
  };
}

function maxDefined(a?: number, b?: number): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

export function cardFor(alert: Alert, opts: RenderOptions): Card {
  const now = opts.now ?? new Date();
  if (alert.source === 'sentry') return sentryCard(alert, opts, now);
  if (alert.source === 'alertmanager') return alertmanagerCard(alert, opts, now);
  return testCard(alert, opts);
}

/** The seed's card (section 4) for one alert: 1..n parts, each within the byte budget. */
export function renderAlert(alert: Alert, opts: RenderOptions): string[] {
  return fitParts(cardFor(alert, opts), opts);
}
