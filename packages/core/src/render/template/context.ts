import type { Alert, AlertStatus } from '../../alert';
import type { RenderOptions } from '../types';
import { httpUrl, oneLine } from '../user-text';
import { colourOf, LEVEL_ICON, performanceKind, SEVERITY_ICON, STATUS_WORD } from '../words';
import { stripMarks } from './markers';

/** Where a copy of the test card went, and what its arrival proves: a copy in the log (dry run) must never read as a delivery to WeCom. */
const DESTINATION = {
  'wecom-app': { label: '企业微信应用', outcome: '收到即说明 Webhook → 队列 → 企业微信 整条链路正常。' },
  'wecom-robot': { label: '企业微信群机器人', outcome: '收到即说明 Webhook → 队列 → 企业微信 整条链路正常。' },
  log: { label: '网关日志 (演练模式 dry run)', outcome: '演练模式：这条消息只写入了网关日志，没有发往企业微信。设置 WEIXIN_* 后重启，才会真正发送。' },
} as const;

/** The header is repeated on every part: it may take a quarter of the budget at most. */
function titleBytes(budgetBytes: number): number {
  return Math.max(16, Math.min(256, Math.floor(budgetBytes / 4) - 48));
}

const SENTRY_HEADING: Record<AlertStatus, string> = {
  firing: '🆕 [Sentry 应用告警]',
  unresolved: '🔄 [Sentry 问题复发]',
  resolved: '✅ [Sentry 已解决]',
  ignored: '🔕 [Sentry 已忽略]',
  assigned: '👤 [Sentry 已指派]',
};

function headingOf(alert: Alert, opts: RenderOptions): string {
  const words =
    alert.source === 'test'
      ? '🧪 [测试消息]'
      : alert.source === 'alertmanager' || alert.source === 'grafana'
        ? alert.status === 'resolved'
          ? '✅ [RESOLVED]'
          : '🔥 [FIRING]'
        : alert.status === 'firing' && opts.repeat
          ? '🔁 [Sentry 应用告警]'
          : SENTRY_HEADING[alert.status];
  // Nobody claimed it in time: the same card again, marked, to the next person or place.
  return opts.escalation ? `⏫ [升级 ${opts.escalation}] ${words}` : words;
}

const ms = (iso: string | undefined) => {
  const t = Date.parse(iso ?? '');
  return Number.isFinite(t) ? t : undefined;
};
/** A time a template can show, or nothing: a broken time must not leave a labelled line empty. */
const time = (iso: string | undefined) => (ms(iso) === undefined ? undefined : iso);
const positive = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined);
const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : undefined);
const clean = (s: string | undefined) => (s === undefined ? undefined : stripMarks(s));

/** How long a resolved problem lasted: from its earliest known start to its end (or receipt). */
function lastedMs(alert: Alert, firstSeen: string | undefined, now: Date): number | undefined {
  if (alert.status !== 'resolved') return undefined;
  const starts = [firstSeen, alert.startsAt].map(ms).filter((t): t is number => t !== undefined);
  const end = ms(alert.endsAt) ?? ms(alert.receivedAt) ?? now.getTime();
  return starts.length && end >= Math.min(...starts) ? end - Math.min(...starts) : undefined;
}

/** The 🔗 详情 link: the console page (PUBLIC_URL) replaces a raw Prometheus graph link, hundreds of characters of PromQL. */
function detailsLink(alert: Alert, page: string | undefined): string | undefined {
  const url = httpUrl(alert.url);
  return url && httpUrl(page) && url === alert.generatorUrl ? undefined : url;
}

/**
 * A robot card has no buttons: a firing alert's card links to its console page asking to
 * confirm 认领 (while nobody has) or 静默 1 小时, where the person says who they are. A GET
 * there never acts.
 */
function actionLinks(alert: Alert, page: string | undefined, claimed: boolean): { claim?: string; silence: string } | undefined {
  if (!page || (alert.status !== 'firing' && alert.status !== 'unresolved')) return undefined;
  const to = (action: string) => `${page}${page.includes('?') ? '&' : '?'}do=${action}`;
  return { ...(!claimed && { claim: to('claim') }), silence: to('silence') };
}

function textMap(map: Record<string, string> | undefined, flatten: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    const value = flatten ? oneLine(clean(v)) : clean(v);
    if (value) out[k] = value;
  }
  return out;
}

/**
 * What a card template sees (template/variables.ts lists it): the alert with its user text
 * made safe for a card (one-line fields flattened, only http(s) links, no template marks),
 * the gateway's totals, and the seed card's words worked out once, so a template says what
 * to show, not how the gateway decides it.
 */
export function templateContext(alert: Alert, opts: RenderOptions) {
  const now = opts.now ?? new Date();
  const { totals } = opts;
  const one = (s: string | undefined) => oneLine(clean(s));
  const level = (alert.level ?? alert.severity).toLowerCase();
  const metric = alert.measure !== undefined;
  const count = positive(totals?.count);
  const sourceCount = finite(alert.count);
  const firstSeen = time(totals?.firstSeen) ?? time(alert.startsAt);
  const fromRule = alert.source === 'alertmanager' || alert.source === 'grafana';
  const occurrences = metric ? undefined : fromRule ? (count !== undefined && count > 1 ? count : undefined) : (count ?? sourceCount);
  return {
    // Field by field, in ALERT_FIELDS' order: only what the variables list promises is visible.
    alert: {
      source: alert.source,
      kind: alert.kind,
      key: alert.key,
      status: alert.status,
      severity: alert.severity,
      level: one(alert.level),
      title: oneLine(clean(alert.title), titleBytes(opts.budgetBytes)) ?? '',
      environment: one(alert.environment),
      service: one(alert.service),
      location: one(alert.location),
      instance: one(alert.instance),
      job: one(alert.job),
      startsAt: time(alert.startsAt),
      endsAt: time(alert.endsAt),
      receivedAt: time(alert.receivedAt),
      count: sourceCount,
      userCount: finite(alert.userCount),
      url: httpUrl(alert.url),
      generatorUrl: httpUrl(alert.generatorUrl),
      summary: one(alert.summary),
      description: clean(alert.description?.replace(/\r\n?/g, '\n')) || undefined,
      measure: one(alert.measure),
      value: one(alert.value),
      category: alert.category,
      issueType: alert.issueType,
      truncatedAlerts: positive(alert.truncatedAlerts),
      labels: textMap(alert.labels, true),
      annotations: textMap(alert.annotations, false),
    },
    totals: { count: finite(totals?.count) ?? 0, userCount: finite(totals?.userCount), firstSeen: time(totals?.firstSeen), lastSeen: time(totals?.lastSeen) },
    heading: headingOf(alert, opts),
    icon: alert.source === 'sentry' ? (LEVEL_ICON[level] ?? SEVERITY_ICON[alert.severity]) : SEVERITY_ICON[alert.severity],
    level: one(level.toUpperCase()),
    state: STATUS_WORD[alert.status],
    colour: alert.source === 'test' ? 'info' : colourOf(alert.severity, alert.status),
    repeat: Boolean(opts.repeat),
    first_seen: firstSeen,
    last_seen: (count ?? 0) > 1 ? time(totals?.lastSeen) : undefined,
    occurrences,
    users: finite(totals?.userCount) ?? finite(alert.userCount),
    lasted: lastedMs(alert, totals?.firstSeen, now),
    late_by: positive(opts.lateByMs),
    claim: opts.claim && { by: one(opts.claim.by), at: time(opts.claim.at) },
    escalation: opts.escalation,
    destination: opts.destination && { ...DESTINATION[opts.destination.kind], id: opts.destination.id },
    performance: performanceKind(alert),
    runbook: httpUrl(alert.annotations?.runbook_url),
    details: detailsLink(alert, opts.link),
    page: httpUrl(opts.link),
    actions: actionLinks(alert, httpUrl(opts.link), Boolean(opts.claim)),
    mentions: opts.mentions ?? [],
    format: opts.format,
    tz: opts.tz,
  };
}
