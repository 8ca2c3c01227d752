import type { Job } from 'bullmq';
import type { Alert, Logger, Totals } from '@ng/core';
import type { Decision } from '../policy';

/** What one alert job carries through the pipeline; each stage reads and adds to it. */
export interface AlertContext {
  job: Job;
  alert: Alert;
  log: Logger;
  /** Running totals of the problem (from the history store). */
  totals?: Totals;
  /** Was this the first time the gateway saw the problem? */
  firstTime?: boolean;
  /** Where and how the alert goes (from the policy). */
  decisions: Decision[];
  /** Destinations that are to receive the alert now (after digests and rate limits took theirs). */
  immediate: Decision[];
  /** Destinations this run sent to (their 消息发送成功 lines carry the alert's fate). */
  sentTo: string[];
  /** Rate-limit slots taken for the immediate destinations, given back if the send fails. */
  slots: Map<string, string>;
}

/** Why a stage ended the pipeline early: one closed set, logged and counted. */
export type Fate =
  | { fate: 'delivered'; detail?: string }
  | { fate: 'duplicate'; detail: string }
  | { fate: 'digested'; detail: string }
  | { fate: 'merged'; detail: string }
  | { fate: 'silenced'; detail: string }
  | { fate: 'dropped'; detail: string };

/** A stage returns nothing to go on, or a fate to stop the pipeline there. */
export interface Stage {
  name: string;
  run(ctx: AlertContext): Promise<Fate | void>;
}
