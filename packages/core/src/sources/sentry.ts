import Joi from 'joi';
import { hashId, type Alert, type AlertStatus, type Severity } from '../alert';
import { PayloadError, UnknownResourceError } from './payload-error';
import { MAX_TITLE, check, compact, count, isoTime, stringRecord, text } from './fields';

/**
 * Sentry sends two unrelated formats to one URL (reference/sentry.md): the legacy WebHooks
 * plugin (flat body, no Sentry-Hook-* headers) and the Integration Platform envelope
 * `{action, installation, data, actor}` named by the Sentry-Hook-Resource header.
 */
export type SentryOutcome =
  | { handled: true; event: string; alerts: Alert[] }
  | { handled: false; event: string; reason: string };

export interface SentryInput {
  /** Sentry-Hook-Resource header; absent for the legacy plugin. */
  resource?: string;
  body: unknown;
  receivedAt: Date;
  /** Base for issue links when the payload has none, e.g. https://sentry.example.com/organizations/acme */
  sentryBaseUrl?: string;
}

type Obj = Record<string, unknown>;

const idLike = Joi.alternatives(Joi.string().min(1).max(200), Joi.number());
const envelope = (dataKeys: Joi.PartialSchemaMap) =>
  Joi.object({ action: Joi.string().max(100).required(), data: Joi.object(dataKeys).required() });

const ISSUE_ACTIONS: Record<string, AlertStatus> = {
  created: 'firing',
  resolved: 'resolved',
  assigned: 'assigned',
  ignored: 'ignored',
  archived: 'ignored',
  unresolved: 'unresolved',
};
const METRIC_ACTIONS: Record<string, Severity | 'resolved'> = { critical: 'critical', warning: 'warning', resolved: 'resolved', open: 'warning' };

export const sentrySchemas = {
  issue: envelope({
    issue: Joi.object({ id: idLike.required(), title: Joi.string().allow('').max(100_000), level: Joi.string().max(50), project: Joi.object() }).required(),
  }),
  error: envelope({ error: Joi.object({ event_id: Joi.string().max(200).required(), title: Joi.string().allow('').max(100_000) }).required() }),
  event_alert: envelope({ event: Joi.object({ event_id: Joi.string().max(200).required(), title: Joi.string().allow('').max(100_000) }).required() }),
  metric_alert: envelope({
    metric_alert: Joi.object({ id: idLike.required(), alert_rule: Joi.object({ id: idLike.required() }).required() }).required(),
  }),
  legacy: Joi.object({
    id: idLike.required(),
    project_slug: Joi.string().max(200).required(),
    level: Joi.string().allow(null).max(50),
    culprit: Joi.string().allow(null, '').max(100_000),
    url: Joi.string().allow(null, '').max(100_000),
    triggering_rules: Joi.array().items(Joi.string().allow('').max(1000)).max(100),
    event: Joi.object().required(),
  }),
};

/** Seed 告警分级策略: fatal → critical; error → critical when new, warning when it repeats; warning → info. */
function severityOf(level: string | undefined): Severity {
  const l = (level ?? 'error').toLowerCase();
  return l === 'fatal' || l === 'error' ? 'critical' : 'info';
}

function repeatSeverityOf(level: string | undefined): Severity | undefined {
  return (level ?? 'error').toLowerCase() === 'error' ? 'warning' : undefined;
}

const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** The `environment` of an event, or its `environment` tag ([key, value] pairs). */
function environmentOf(event: Obj): string | undefined {
  const direct = text(event.environment, 100);
  if (direct) return direct;
  const tags = Array.isArray(event.tags) ? event.tags : [];
  for (const tag of tags) if (Array.isArray(tag) && tag[0] === 'environment') return text(tag[1], 100);
  return undefined;
}

/** error/event_alert carry only a numeric project id; the slug sits in the API url. */
function projectSlugFromUrl(url: unknown): string | undefined {
  const match = typeof url === 'string' ? /\/projects\/[^/]+\/([^/?#]+)\//.exec(url) : null;
  return match?.[1];
}

function detailOf(metadata: unknown): string | undefined {
  const m = asObj(metadata);
  const type = text(m.type, 200);
  const value = text(m.value);
  return type && value ? `${type}: ${value}` : (value ?? type);
}

/** Leaves the description out when it only repeats the title. */
function distinct(description: string | undefined, title: unknown): string | undefined {
  return description && description !== text(title, MAX_TITLE) ? description : undefined;
}

function base(input: SentryInput, kind: string, idempotencyKey: string): Pick<Alert, 'source' | 'kind' | 'idempotencyKey' | 'receivedAt'> {
  return { source: 'sentry', kind, idempotencyKey, receivedAt: input.receivedAt.toISOString() };
}

function issueLink(input: SentryInput, issueId: string): string | undefined {
  return input.sentryBaseUrl ? `${input.sentryBaseUrl.replace(/\/+$/, '')}/issues/${encodeURIComponent(issueId)}/` : undefined;
}

function fromIssue(input: SentryInput, body: Obj): Alert {
  const action = String(body.action);
  const status = ISSUE_ACTIONS[action];
  if (!status) throw new PayloadError(`action "${action.slice(0, 40)}" is not an issue action (created, resolved, assigned, ignored, archived, unresolved)`, 'action');
  const issue = asObj(asObj(body.data).issue);
  const id = String(issue.id);
  const project = asObj(issue.project);
  const level = text(issue.level, 50);
  const metadata = asObj(issue.metadata);
  return compact(base(input, `issue.${action}`, hashId('sentry-issue', id, action, text(issue.lastSeen), text(issue.status), text(issue.substatus))), {
    key: `sentry:${id}`,
    status,
    severity: severityOf(level),
    repeatSeverity: repeatSeverityOf(level),
    level,
    title: text(issue.title, MAX_TITLE) ?? detailOf(metadata) ?? `Sentry issue ${id}`,
    service: text(project.slug, 200) ?? text(project.name, 200),
    location: text(issue.culprit, 1000) ?? text(metadata.filename, 1000),
    startsAt: isoTime(issue.firstSeen),
    endsAt: status === 'resolved' ? input.receivedAt.toISOString() : undefined,
    count: count(issue.count),
    userCount: count(issue.userCount),
    url: text(issue.web_url, 2000) ?? text(issue.permalink, 2000) ?? issueLink(input, id),
    description: distinct(detailOf(metadata), issue.title),
    category: text(issue.issueCategory, 50),
    issueType: text(issue.issueType, 100),
    labels: compact({ shortId: text(issue.shortId, 100), assignee: text(asObj(asObj(body.data).assignee).name, 200) }) as Record<string, string>,
  });
}

/** error.created and event_alert.triggered carry one event; only their container key differs. */
function fromEvent(input: SentryInput, body: Obj, kind: 'error.created' | 'event_alert.triggered', event: Obj): Alert {
  const data = asObj(body.data);
  const rule = text(data.triggered_rule, 500);
  const issueId = text(event.issue_id, 200);
  const eventId = String(event.event_id);
  const level = text(event.level, 50);
  return compact(base(input, kind, hashId('sentry-event', eventId, kind, rule)), {
    key: issueId ? `sentry:${issueId}` : `sentry-event:${eventId}`,
    status: 'firing' as const,
    severity: severityOf(level),
    repeatSeverity: repeatSeverityOf(level),
    level,
    title: text(event.title, MAX_TITLE) ?? detailOf(event.metadata) ?? text(event.message, MAX_TITLE) ?? `Sentry event ${eventId}`,
    environment: environmentOf(event),
    service: projectSlugFromUrl(event.url) ?? text(event.project, 200),
    location: text(event.culprit, 1000) ?? text(event.location, 1000),
    startsAt: isoTime(event.datetime) ?? isoTime(event.timestamp),
    userCount: event.user ? 1 : undefined,
    url: text(event.web_url, 2000) ?? (issueId ? issueLink(input, issueId) : undefined),
    description: distinct(detailOf(event.metadata) ?? text(event.message), event.title),
    labels: compact({ rule, release: text(event.release, 200) }) as Record<string, string>,
  });
}

function fromMetricAlert(input: SentryInput, body: Obj): Alert {
  const action = String(body.action);
  const mapped = METRIC_ACTIONS[action];
  if (!mapped) throw new PayloadError(`action "${action.slice(0, 40)}" is not a metric_alert action (critical, warning, resolved)`, 'action');
  const data = asObj(body.data);
  const incident = asObj(data.metric_alert);
  const rule = asObj(incident.alert_rule);
  const projects = Array.isArray(incident.projects) ? incident.projects : Array.isArray(rule.projects) ? rule.projects : [];
  const resolved = mapped === 'resolved';
  // "1000 events in the last 10 minutes\nFilter: level:error": what the rule measured, then how.
  const [measure, ...how] = (text(data.description_text) ?? '').split('\n');
  return compact(base(input, `metric_alert.${action}`, hashId('sentry-metric', String(incident.id), action, text(incident.date_closed))), {
    key: `sentry-metric:${String(rule.id)}`,
    status: resolved ? ('resolved' as const) : ('firing' as const),
    severity: resolved ? ('warning' as const) : mapped,
    level: action,
    title: text(data.description_title, MAX_TITLE) ?? text(rule.name, MAX_TITLE) ?? text(incident.title, MAX_TITLE) ?? 'Sentry metric alert',
    environment: text(rule.environment, 100),
    service: text(projects[0], 200),
    startsAt: incidentStart(incident, rule),
    endsAt: resolved ? (isoTime(incident.date_closed) ?? input.receivedAt.toISOString()) : undefined,
    url: text(data.web_url, 2000),
    measure: text(measure, MAX_TITLE) ?? text(rule.aggregate, 200),
    description: text(how.join('\n')),
    labels: compact({ rule: text(rule.name, 500) }) as Record<string, string>,
  });
}

/**
 * When the incident started. Sentry's own examples date the incident at the rule's creation:
 * such a date says nothing about the incident, and the card then shows when it arrived.
 */
function incidentStart(incident: Obj, rule: Obj): string | undefined {
  const started = isoTime(incident.date_started) ?? isoTime(incident.date_detected);
  const ruleChanged = [isoTime(rule.date_created), isoTime(rule.date_modified)].filter((t): t is string => t !== undefined);
  return started && ruleChanged.every((t) => Date.parse(started) > Date.parse(t)) ? started : undefined;
}

function fromLegacy(input: SentryInput, body: Obj): { event: string; alert: Alert } {
  const event = asObj(body.event);
  const rules = Array.isArray(body.triggering_rules) ? (body.triggering_rules as string[]) : [];
  // "Test Plugin" sends a sample event with no rules (reference/sentry.md §1).
  const isTest = Array.isArray(body.triggering_rules) && rules.length === 0;
  const id = String(body.id);
  const eventId = text(event.event_id, 200) ?? text(event.id, 200) ?? '';
  const level = text(body.level, 50) ?? text(event.level, 50);
  const exceptions = asObj(event.exception).values;
  const lastException = Array.isArray(exceptions) ? asObj(exceptions[exceptions.length - 1]) : {};
  const exceptionText = detailOf({ type: lastException.type, value: lastException.value });
  const alert = compact(base(input, isTest ? 'legacy.test' : 'legacy', hashId('sentry-legacy', id, eventId, rules.join('\n'))), {
    key: `sentry:${id}`,
    status: 'firing' as const,
    severity: severityOf(level),
    repeatSeverity: repeatSeverityOf(level),
    level,
    title: text(event.title, MAX_TITLE) ?? text(body.message, MAX_TITLE) ?? `Sentry issue ${id}`,
    environment: environmentOf(event),
    service: text(body.project_slug, 200),
    location: text(body.culprit, 1000) ?? text(event.location, 1000),
    startsAt: isoTime(event.timestamp),
    userCount: event.user ? 1 : undefined,
    url: text(body.url, 2000) ?? issueLink(input, id),
    description: distinct(exceptionText ?? text(asObj(event.logentry).formatted) ?? text(body.message), event.title),
    labels: compact({ rule: rules.filter(Boolean).join(', ') || undefined, release: text(event.release, 200), test: isTest ? 'true' : undefined }) as Record<string, string>,
  });
  return { event: alert.kind, alert };
}

export function isLegacySentryPayload(body: unknown): boolean {
  const b = asObj(body);
  return 'project_slug' in b && 'event' in b;
}

/** Turns one Sentry webhook into alerts, or says why it carries none. Throws PayloadError on bad input. */
export function normalizeSentry(input: SentryInput): SentryOutcome {
  const resource = input.resource?.trim().toLowerCase();
  if (!input.body || typeof input.body !== 'object' || Array.isArray(input.body)) {
    throw new PayloadError('body must be a JSON object');
  }
  const body = input.body as Obj;
  if (!resource) {
    if (!isLegacySentryPayload(body)) {
      throw new PayloadError('no Sentry-Hook-Resource header and not a legacy WebHooks plugin body (needs project_slug and event)', 'Sentry-Hook-Resource');
    }
    check(sentrySchemas.legacy, body);
    const { event, alert } = fromLegacy(input, body);
    return { handled: true, event, alerts: [alert] };
  }
  const action = typeof body.action === 'string' ? body.action : '';
  const event = `${resource}.${action.slice(0, 40)}`;
  switch (resource) {
    case 'installation':
    case 'comment':
      return { handled: false, event, reason: `${resource} webhooks carry no alert` };
    case 'issue':
      check(sentrySchemas.issue, body);
      return { handled: true, event, alerts: [fromIssue(input, body)] };
    case 'error':
      check(sentrySchemas.error, body);
      if (action !== 'created') throw new PayloadError(`action "${action.slice(0, 40)}" is not an error action (created)`, 'action');
      return { handled: true, event, alerts: [fromEvent(input, body, 'error.created', asObj(asObj(body.data).error))] };
    case 'event_alert':
      check(sentrySchemas.event_alert, body);
      if (action !== 'triggered') throw new PayloadError(`action "${action.slice(0, 40)}" is not an event_alert action (triggered)`, 'action');
      return { handled: true, event, alerts: [fromEvent(input, body, 'event_alert.triggered', asObj(asObj(body.data).event))] };
    case 'metric_alert':
      check(sentrySchemas.metric_alert, body);
      return { handled: true, event, alerts: [fromMetricAlert(input, body)] };
    default:
      throw new UnknownResourceError(input.resource ?? '');
  }
}
