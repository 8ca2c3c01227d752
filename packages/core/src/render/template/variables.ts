/**
 * Every variable a card template sees, with what it holds: strict mode checks templates
 * against this list at load, and docs/templates.md lists the same names (a test keeps them
 * together). `*` below a name: any key (labels, annotations).
 */
export const ALERT_FIELDS = {
  source: 'sentry, alertmanager, grafana or test',
  kind: 'the webhook it came from: issue.created, error.created, metric_alert.critical, alertmanager …',
  key: 'the problem it is about (Sentry issue, Alertmanager fingerprint)',
  status: 'firing, resolved, unresolved (a regression), ignored, assigned',
  severity: 'critical, warning or info',
  level: "the source's own word: error, fatal, warning, critical …",
  title: 'Sentry issue title or Alertmanager alertname (one line)',
  environment: 'Sentry environment, Alertmanager env/environment label',
  service: 'Sentry project, Alertmanager service/job label',
  location: 'Sentry culprit',
  instance: 'Alertmanager instance label',
  job: 'Alertmanager job label',
  startsAt: 'when the problem started (ISO time; the time filter writes it in DISPLAY_TZ)',
  endsAt: 'when it ended (resolved only)',
  receivedAt: 'when the gateway received it',
  count: 'occurrences the source reports (Sentry issues)',
  userCount: 'users affected (Sentry issues)',
  url: 'the link to the problem: Sentry issue, Alertmanager UI (http/https only)',
  generatorUrl: 'Alertmanager: the Prometheus graph of the rule (http/https only)',
  summary: 'Alertmanager summary annotation (one line)',
  description: 'Sentry exception message, Alertmanager description annotation (several lines)',
  measure: 'Sentry metric alerts: what the rule measured, e.g. "1000 events in the last 10 minutes"',
  value: "Grafana: the values the rule evaluated, e.g. B=92.5 (its valueString)",
  category: "Sentry's issue category: error, performance …",
  issueType: "Sentry's issue type, e.g. performance_n_plus_one_db_queries",
  truncatedAlerts: 'Alertmanager: alerts of the group it left out',
  labels: 'every label (Alertmanager) or tag the gateway keeps (Sentry: shortId, assignee, rule, release): alert.labels.team',
  annotations: 'every Alertmanager annotation: alert.annotations.runbook_url',
} as const;

export const VARIABLES = {
  alert: 'the alert, fields below',
  totals: "the gateway's running totals of the problem: count, userCount, firstSeen, lastSeen",
  heading: 'the seed\'s header words: 🆕 [Sentry 应用告警], 🔁 (a reminder), ✅ [Sentry 已解决], 🔥 [FIRING], ✅ [RESOLVED], 🧪 [测试消息] …',
  icon: 'the level icon: 🔥 (error, fatal), 🚨 critical, ⚠️ warning, ℹ️ info',
  level: 'the level word in capitals: ERROR, CRITICAL …',
  state: 'the status in words: 🔴 未解决, ✅ 已解决, 🔕 已忽略, 👤 已指派',
  colour: 'WeCom markdown colour for the severity and status: warning, comment or info',
  repeat: 'true when the gateway sent this problem before (a reminder)',
  first_seen: 'the earliest start known (ISO time)',
  last_seen: 'the latest occurrence, when there was more than one (ISO time)',
  occurrences: 'how often it happened, when worth saying (Sentry issues; Alertmanager more than once; never for metric alerts)',
  users: 'users affected',
  lasted: 'resolved: how long it lasted, in milliseconds (the duration filter writes it)',
  late_by: 'a critical delivered late: by how much, in milliseconds',
  claim: 'who claimed the problem (认领): claim.by (a name), claim.at (ISO time); absent while nobody has',
  escalation: 'the escalation level (1, 2 …) of a card sent again because nobody claimed it in time',
  performance: 'Sentry performance issues: which kind, e.g. N+1 数据库查询',
  runbook: 'the runbook_url annotation (http/https only)',
  details: 'the 🔗 详情 link: alert.url, except that the console page stands in for a raw Prometheus graph link',
  page: "the alert's page in the gateway's console (PUBLIC_URL set)",
  actions: 'firing alerts with a page: links to it that ask to confirm an action, for robot cards (no buttons): actions.claim (认领; absent once claimed), actions.silence (静默 1 小时)',
  mentions: 'user ids to @-mention (robot markdown; the mention filter writes them)',
  destination: 'where this copy goes: destination.label (企业微信应用, 企业微信群机器人, 网关日志), destination.id, destination.outcome (what its arrival proves; the test card shows it)',
  format: 'text or markdown',
  tz: 'DISPLAY_TZ',
} as const;

/** Names Liquid itself puts in scope. */
const LIQUID_NAMES = new Set(['forloop', 'tablerowloop', 'empty', 'blank', 'nil', 'null', 'true', 'false']);

/** What Liquid lets any value answer: {{ alert.title.size }}. */
const LIQUID_PROPERTIES = new Set(['size', 'first', 'last']);
const OPEN_MAPS = new Set(['labels', 'annotations']);
const TOTALS = new Set(['count', 'userCount', 'firstSeen', 'lastSeen']);

/** Why a variable path (as segments) is not one a template can see, or undefined when it is. */
export function unknownVariable(segments: Array<string | number | unknown>): string | undefined {
  const [root, field] = segments;
  if (typeof root !== 'string' || LIQUID_NAMES.has(root)) return undefined;
  if (!(root in VARIABLES)) return `unknown variable "${root}"`;
  if (typeof field !== 'string') return undefined;
  if (root === 'alert' && !(field in ALERT_FIELDS)) return `unknown variable "alert.${field}"`;
  const below = segments[2];
  if (root === 'alert' && !OPEN_MAPS.has(field) && below !== undefined && !LIQUID_PROPERTIES.has(String(below))) return `"alert.${field}" has no field "${String(below)}"`;
  if (root === 'totals' && !TOTALS.has(field)) return `unknown variable "totals.${field}"`;
  return undefined;
}
