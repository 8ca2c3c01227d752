import type { Ack } from '../acks';
import type { Alert, AlertStatus, Severity } from '../alert';

/** Where the decision sent an alert, destination by destination. */
export interface PlanEntry {
  destinationId: string;
  route: string;
  /** As its own card, in a digest, or in the next storm summary. */
  as: 'card' | 'hourly digest' | 'daily digest' | 'storm summary';
}

/** One message that carried an alert (or a list of alerts), one attempt. */
export interface MessageRecord {
  at: string;
  destinationId: string;
  channel: string;
  kind: 'alert' | 'test' | 'digest' | 'storm' | 'card-update';
  outcome: 'sent' | 'failed' | 'will retry';
  attempt: number;
  parts?: number;
  errcode?: number;
  msgid?: string;
  reason?: string;
  hint?: string;
  /** The escalation level this card was (⏫ 升级 n). */
  escalation?: number;
}

/** What the list pages and the API show of an alert, without reading its whole record. */
export interface AlertSummary {
  id: string;
  at: string;
  fate: string;
  severity: Severity;
  source: Alert['source'];
  status: AlertStatus;
  environment?: string;
  service?: string;
  title: string;
  key: string;
  alertname?: string;
}

/** A digest or storm summary: the alerts it carried and its messages. */
export interface ListRecord {
  id: string;
  kind: 'digest' | 'storm';
  destinationId: string;
  heading: string;
  at: string;
  /** How many alerts it carried. */
  total: number;
  messages: MessageRecord[];
}

/** Everything known of one alert. */
export interface AlertRecord {
  id: string;
  alert: Alert;
  fate: string;
  reason: string;
  decidedAt: string;
  plan: PlanEntry[];
  /** Who had claimed its problem when it came. */
  claim?: { by: string; at: string };
  messages: MessageRecord[];
  /** The digests and storm summaries that carried it. */
  lists: ListRecord[];
}

/** A problem (all alerts with one key): totals and how its status moved. */
export interface ProblemRecord {
  key: string;
  title: string;
  severity?: Severity;
  status?: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  lastAlertId?: string;
  lastMessage?: MessageRecord;
  /** Who claimed it and who handled it, while it is open. */
  ack?: Ack;
  timeline: Array<{ at: string; id: string; status: AlertStatus; fate: string }>;
}
