import type { Alert, AlertStatus } from '../alert';
import { fitParts } from './fit';
import { formatDuration, formatTime } from './time';
import type { Card, CardLine, CardDestination, RenderOptions } from './types';
import { oneLine } from './user-text';
import { colourOf, LEVEL_ICON, SCREEN_ICON, SEVERITY_ICON, STATUS_WORD, TAG_ICON } from './words';

/** A labelled line, or nothing when the value is missing: a card never says undefined/NaN. */
function line(label: string, value: string | number | undefined, low = false): CardLine | undefined {
  if (value === undefined || value === '' || (typeof value === 'number' && !Number.isFinite(value))) return undefined;
  return { text: `${label}: ${value}`, low };
}

function present(lines: Array<CardLine | undefined>): CardLine[] {
  return lines.filter((l): l is CardLine => l !== undefined);
}

function ms(iso: string | undefined): number | undefined {
  const t = Date.parse(iso ?? '');
  return Number.isFinite(t) ? t : undefined;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

/** How long a resolved problem lasted: from its earliest known start to its end (or receipt). */
function lasted(starts: Array<string | undefined>, alert: Alert, now: Date): CardLine | undefined {
  const known = starts.map(ms).filter((t): t is number => t !== undefined);
  const end = ms(alert.endsAt) ?? ms(alert.receivedAt) ?? now.getTime();
  if (!known.length || end < Math.min(...known)) return undefined;
  return line('⏱️ 持续时间', formatDuration(end - Math.min(...known)));
}

/** Lines every source ends with: reminders of how often and how late, and what was cut. */
function tail(alert: Alert, opts: RenderOptions): Array<CardLine | undefined> {
  const repeated = (opts.totals?.count ?? 0) > 1;
  return [
    repeated ? line('🕒 最近发生', formatTime(opts.totals?.lastSeen, opts.tz), true) : undefined,
    opts.lateByMs && opts.lateByMs > 0 ? line('⏱️ 延迟送达', formatDuration(opts.lateByMs)) : undefined,
    positive(alert.truncatedAlerts) ? { text: `另有 ${alert.truncatedAlerts} 条告警未展示` } : undefined,
  ];
}

const SENTRY_HEADER: Record<Exclude<AlertStatus, 'firing'>, string> = {
  unresolved: '🔄 [Sentry 问题复发]',
  resolved: '✅ [Sentry 已解决]',
  ignored: '🔕 [Sentry 已忽略]',
  assigned: '👤 [Sentry 已指派]',
};

function sentryCard(alert: Alert, opts: RenderOptions, now: Date): Card {
  const { totals } = opts;
  const level = (alert.level ?? alert.severity).toLowerCase();
  const header = alert.status === 'firing' ? (opts.repeat ? '🔁 [Sentry 应用告警]' : '🆕 [Sentry 应用告警]') : SENTRY_HEADER[alert.status];
  return {
    header: `${header} ${oneLine(alert.title) ?? ''}`.trimEnd(),
    colour: colourOf(alert.severity, alert.status),
    lines: present([
      line(`${LEVEL_ICON[level] ?? SEVERITY_ICON[alert.severity]} 级别`, oneLine(level.toUpperCase())),
      line(`${TAG_ICON} 来源`, 'Sentry', true),
      line('📍 环境', oneLine(alert.environment)),
      line(`${SCREEN_ICON} 服务`, oneLine(alert.service)),
      line('📝 位置', oneLine(alert.location)),
      line('⏰ 首次发现', formatTime(totals?.firstSeen ?? alert.startsAt, opts.tz)),
      line('📊 状态', STATUS_WORD[alert.status]),
      alert.status === 'resolved' ? lasted([totals?.firstSeen, alert.startsAt], alert, now) : undefined,
      line('🔢 发生次数', positive(totals?.count) ?? alert.count),
      line('👥 影响用户', totals?.userCount ?? alert.userCount),
      line('👤 处理人', oneLine(alert.labels.assignee)),
      ...tail(alert, opts),
    ]),
    body: [alert.description ?? ''].filter(Boolean),
    url: alert.url,
  };
}

function alertmanagerCard(alert: Alert, opts: RenderOptions, now: Date): Card {
  const resolved = alert.status === 'resolved';
  const count = opts.totals?.count ?? 0;
  return {
    header: `${resolved ? '✅ [RESOLVED]' : '🔥 [FIRING]'} ${oneLine(alert.title) ?? ''}`.trimEnd(),
    colour: colourOf(alert.severity, alert.status),
    lines: present([
      line(`${SEVERITY_ICON[alert.severity]} 严重程度`, oneLine((alert.level ?? alert.severity).toUpperCase())),
      line(`${TAG_ICON} 来源`, 'Prometheus', true),
      line('📍 环境', oneLine(alert.environment)),
      line(`${SCREEN_ICON} 实例`, oneLine(alert.instance)),
      line('📦 任务', oneLine(alert.job), true),
      line('⏰ 时间', formatTime(alert.startsAt, opts.tz)),
      resolved ? line('✅ 恢复时间', formatTime(alert.endsAt, opts.tz)) : undefined,
      resolved ? lasted([alert.startsAt], alert, now) : undefined,
      count > 1 ? line('🔢 发生次数', count) : undefined,
      ...tail(alert, opts),
    ]),
    body: [alert.summary ? `📝 ${alert.summary}` : '', alert.description ?? ''].filter(Boolean),
    url: alert.url,
  };
}

const DESTINATION: Record<CardDestination['kind'], { label: string; outcome: string }> = {
  'wecom-app': { label: '企业微信应用', outcome: '收到即说明 Webhook → 队列 → 企业微信 整条链路正常。' },
  'wecom-robot': { label: '企业微信群机器人', outcome: '收到即说明 Webhook → 队列 → 企业微信 整条链路正常。' },
  log: { label: '网关日志 (演练模式 dry run)', outcome: '演练模式：这条消息只写入了网关日志，没有发往企业微信。设置 WEIXIN_* 后重启，才会真正发送。' },
};

/**
 * The gateway's own POST /test: says where it came from, where this copy went and what that
 * proves — a copy in the log (dry run) must never read as a delivery to WeCom.
 */
function testCard(alert: Alert, opts: RenderOptions): Card {
  const to = opts.destination && DESTINATION[opts.destination.kind];
  return {
    header: `🧪 [测试消息] ${oneLine(alert.title) ?? ''}`.trimEnd(),
    colour: 'info',
    lines: present([
      line(`${TAG_ICON} 来源`, 'Gateway'),
      line(`${SCREEN_ICON} 服务`, oneLine(alert.service)),
      line('⏰ 时间', formatTime(alert.startsAt, opts.tz)),
      to && opts.destination ? line('📤 发往', `${to.label} ${opts.destination.id}`) : undefined,
    ]),
    body: [to?.outcome ?? alert.summary ?? ''].filter(Boolean),
  };
}

export function cardFor(alert: Alert, opts: RenderOptions): Card {
  const now = opts.now ?? new Date();
  if (alert.source === 'sentry') return sentryCard(alert, opts, now);
  if (alert.source === 'alertmanager') return alertmanagerCard(alert, opts, now);
  return testCard(alert, opts);
}

/** The seed's card (section 4) for one alert: 1..n parts, each within opts.budgetBytes. */
export function renderAlert(alert: Alert, opts: RenderOptions): string[] {
  return fitParts(cardFor(alert, opts), opts);
}
