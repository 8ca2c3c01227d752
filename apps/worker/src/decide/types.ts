import type { Alert, DeliveryJobData, PlanEntry, Totals } from '@ng/core';
import type { EscalationStart } from './escalation';

/** What became of an alert in the decision pipeline: a closed set, logged and counted. */
export type Fate = 'queued' | 'duplicate' | 'claimed' | 'digested' | 'merged' | 'silenced' | 'dropped';

export interface Outcome {
  fate: Fate;
  /** Why, in words: "duplicate of 12", "digested into 14:00 (robot-1)", "to app; merged into the storm summary (robot-1)". */
  reason: string;
  /** The alert as decided (its severity after the repeat rule). */
  alert: Alert;
  /** One message for each destination that gets the alert now; the delivery processor sends them. */
  deliveries: DeliveryJobData[];
  /** Where each destination gets it: its own card, a digest, the next storm summary (for the history). */
  plan: PlanEntry[];
  /** Who had claimed the problem when this alert came. */
  claim?: { by: string; at: string };
  /** The problem's running totals after this alert (absent when the job was refused). */
  totals?: Totals;
  /** The escalation this card starts, if it goes unclaimed. */
  escalation?: EscalationStart;
}
