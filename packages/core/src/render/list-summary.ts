import { SEVERITY_RANK, type Alert } from '../alert';
import { oneLine } from './user-text';
import type { DigestItem } from './digest';

/**
 * How many items (digest problems, storm groups) a list message carries: more than the widest
 * card can show. A list line takes at least 20 bytes (icon, a one-character title, the status)
 * and the widest budget is 4,096 bytes (robot markdown), so a card never reaches the 205th
 * line, and a message that carries the worst 250 renders exactly as one carrying them all.
 * The rest are counted, not carried: a digest of a busy hour holds tens of thousands of
 * problems, and carrying each (about 1 KB) put hundreds of megabytes in the worker and in the
 * delivery job.
 */
export const LIST_ITEMS_CARRIED = 250;

/** A title in a list line is cut shorter than on a card: the list is for scanning. */
export const LIST_TITLE_BYTES = 120;

/**
 * Worst first: severity, then still open before resolved, then the most frequent; then by
 * problem key, so that which problems a full card shows does not depend on the order Redis
 * handed them over.
 */
export function worstFirst(a: DigestItem, b: DigestItem): number {
  return (
    SEVERITY_RANK[b.alert.severity] - SEVERITY_RANK[a.alert.severity] ||
    Number(a.alert.status === 'resolved') - Number(b.alert.status === 'resolved') ||
    (b.totals.count || 0) - (a.totals.count || 0) ||
    (a.alert.key < b.alert.key ? -1 : a.alert.key > b.alert.key ? 1 : 0)
  );
}

/**
 * An alert as it waits for a list: only what a list line, its group and its order read. A
 * pending digest keeps one per problem until its hour or day ends, and a storm buffer one per
 * alert; the rest (description, annotations, labels, links: most of an Alertmanager alert) is
 * in the history, which the list's page reads.
 */
export function listedAlert(alert: Alert): Alert {
  const { source, kind, key, idempotencyKey, status, severity, title, summary, service, startsAt, endsAt, receivedAt, count, category, issueType } = alert;
  const { alertname } = alert.labels;
  return { source, kind, key, idempotencyKey, status, severity, title, summary, service, startsAt, endsAt, receivedAt, count, category, issueType, labels: alertname === undefined ? {} : { alertname } };
}

function occurrencesOf(item: DigestItem): number {
  return Number.isFinite(item.totals.count) && item.totals.count > 0 ? item.totals.count : 0;
}

/** What a digest card shows of any number of pending problems: the worst of them, and the counts of all. */
export interface DigestSummary {
  /** Worst first, at most LIST_ITEMS_CARRIED. */
  items: DigestItem[];
  problems: number;
  occurrences: number;
}

/**
 * Collects a digest one problem at a time in bounded memory: every problem is counted, only
 * the worst are kept, the same ones whatever order they come in (problems have distinct keys).
 */
export function digestCollector(keep = LIST_ITEMS_CARRIED) {
  let kept: DigestItem[] = [];
  let problems = 0;
  let occurrences = 0;
  const worst = () => kept.sort(worstFirst).slice(0, keep);
  return {
    add(item: DigestItem): void {
      problems++;
      occurrences += occurrencesOf(item);
      kept.push(item);
      if (kept.length >= 2 * keep) kept = worst();
    },
    summary(): DigestSummary {
      return { items: worst(), problems, occurrences };
    },
  };
}

/** A storm card's line: alerts of one name and service, shown by the worst of them. */
export interface StormGroup {
  worst: DigestItem;
  alerts: number;
  /** How many of them have ended (resolved). */
  ended: number;
}

/** What a storm card shows of any number of alerts: the worst groups, and the count of all. */
export interface StormSummary {
  /** Worst group first, at most LIST_ITEMS_CARRIED. */
  groups: StormGroup[];
  alerts: number;
}

/** What a storm groups by: the alert's name (Alertmanager alertname, Sentry issue title), then service. */
export function stormGroupOf(alert: DigestItem['alert']): { name: string; service?: string } {
  return { name: oneLine(alert.labels.alertname ?? alert.title, LIST_TITLE_BYTES) ?? '-', service: oneLine(alert.service, LIST_TITLE_BYTES) };
}

/**
 * Collects a storm one alert at a time: alerts grouped by name and service, each group kept as
 * its count, its ended count and its worst alert. Groups are ordered worst first, then larger
 * first, then by where their worst alert came, as sorting every alert would order them.
 */
export function stormCollector(keep = LIST_ITEMS_CARRIED) {
  const groups = new Map<string, StormGroup & { seq: number }>();
  let alerts = 0;
  return {
    add(item: DigestItem): void {
      const seq = alerts++;
      const { name, service } = stormGroupOf(item.alert);
      const id = `${name}\u0000${service ?? ''}`;
      const group = groups.get(id);
      const ended = Number(item.alert.status === 'resolved');
      if (!group) groups.set(id, { worst: item, alerts: 1, ended, seq });
      else {
        group.alerts++;
        group.ended += ended;
        if (worstFirst(item, group.worst) < 0) Object.assign(group, { worst: item, seq });
      }
    },
    summary(): StormSummary {
      const ordered = [...groups.values()].sort((a, b) => worstFirst(a.worst, b.worst) || b.alerts - a.alerts || a.seq - b.seq);
      return { groups: ordered.slice(0, keep).map(({ worst, alerts: n, ended }) => ({ worst, alerts: n, ended })), alerts };
    },
  };
}

/** A whole list at once (tests, and delivery jobs queued by a release that carried every item). */
export function summarizeDigest(items: DigestItem[], keep = LIST_ITEMS_CARRIED): DigestSummary {
  const collector = digestCollector(keep);
  for (const item of items) collector.add(item);
  return collector.summary();
}

export function summarizeStorm(items: DigestItem[], keep = LIST_ITEMS_CARRIED): StormSummary {
  const collector = stormCollector(keep);
  for (const item of items) collector.add(item);
  return collector.summary();
}
