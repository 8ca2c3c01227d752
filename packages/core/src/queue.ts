import Joi from 'joi';
import type { JobsOptions } from 'bullmq';
import type { Alert } from './alert';
import type { DigestItem } from './render/digest';
import type { StormGroup } from './render/list-summary';
import type { Totals } from './render/types';
import type { TemplateCard } from './render/template-card';
import { severitySchema as severity, sourceSchema } from './vocabulary';

/** The queue contract between ingest, the decision pipeline and the delivery processor. Data, not code. */
export const QUEUE_NAMES = {
  /** One job per normalized alert (ingest → the decision pipeline). The first release's format, unchanged. */
  alerts: 'alerts',
  /** One job per outgoing message and destination: the only way out to WeCom. */
  deliveries: 'deliveries',
  /** Ticks only: digest schedules, storm flushes, silence sweeps, escalations. */
  clock: 'clock',
  /** What people did: a button clicked in WeCom, a form sent from the console. */
  actions: 'actions',
} as const;

/** The first release's queue of digest flushes and sends; a new worker moves what it finds there (see the worker's upgrade.ts). */
export const LEGACY_DIGESTS_QUEUE = 'digests';

/** How a worker fails a job whose data its release cannot read (kept for a person, never retried by BullMQ). */
export const CONTRACT_REFUSED = 'job data does not match the queue contract';

export interface AlertJobData {
  alert: Alert;
}

/** The normalizers always write toISOString(): a plain pattern checks it for far less than joi's isoDate(). */
const isoTime = () => Joi.string().pattern(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/, 'ISO 8601 time');

/** An alert as jobs carry it: the normalizers' output is held to it by core's tests, and the worker checks every job against it. */
const alertSchema = Joi.object({
  source: sourceSchema.required(),
  kind: Joi.string().required(),
  key: Joi.string().min(1).required(),
  idempotencyKey: Joi.string().pattern(/^[0-9a-f]{32}$/).required(),
  status: Joi.string().valid('firing', 'resolved', 'assigned', 'ignored', 'unresolved').required(),
  severity: severity.required(),
  repeatSeverity: severity,
  level: Joi.string(),
  title: Joi.string().allow('').required(),
  environment: Joi.string(),
  service: Joi.string(),
  location: Joi.string(),
  instance: Joi.string(),
  job: Joi.string(),
  startsAt: isoTime(),
  endsAt: isoTime(),
  count: Joi.number().integer().min(0),
  userCount: Joi.number().integer().min(0),
  url: Joi.string(),
  generatorUrl: Joi.string(),
  summary: Joi.string().allow(''),
  description: Joi.string().allow(''),
  value: Joi.string(),
  labels: Joi.object().pattern(/^/, Joi.string().allow('')).required(), // a regex for keys: half the cost of a key schema
  annotations: Joi.object().pattern(/^/, Joi.string().allow('')),
  measure: Joi.string(),
  receivedAt: isoTime().required(),
  truncatedAlerts: Joi.number().integer().min(0),
  category: Joi.string(),
  issueType: Joi.string(),
});

export const alertJobSchema = Joi.object<AlertJobData>({ alert: alertSchema.required() });

/** Deterministic job id: the same notification redelivered is queued once. */
export function jobIdFor(alert: Pick<Alert, 'idempotencyKey'>): string {
  return alert.idempotencyKey;
}

/**
 * Alert and delivery jobs alike: transient failures retry through BullMQ only (exponential
 * backoff with jitter). Failed jobs are kept: the failed set is the dead-letter view in Bull
 * Board. Completed jobs are kept a day so their ids keep rejecting redelivered webhooks (and
 * re-added deliveries).
 */
export function retryingJobOptions(opts: { attempts: number; backoffBaseMs: number }): JobsOptions {
  return {
    attempts: opts.attempts,
    backoff: { type: 'exponential', delay: opts.backoffBaseMs, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}

/** What one outgoing message says; the delivery processor renders it for its destination's channel. */
export type Message =
  /**
   * One alert's card: a first notice, a reminder, a resolution, a released silence, an
   * escalation, the /test card. claim: who took the problem on (a resolution says so).
   */
  | {
      kind: 'alert';
      alert: Alert;
      totals?: Totals;
      repeat: boolean;
      /** WeCom user ids to @ (app: added recipients). */
      mentions: string[];
      /** Phone numbers to @ where no user id is known (robots only, in a text message). */
      mentionMobiles?: string[];
      claimant: string;
      claim?: { by: string; at: string };
      /** The escalation level this card is (⏫ 升级 n). */
      escalation?: number;
    }
  /** A card already sent with buttons, changed for everyone who got it (a claim, a silence, 已处理). */
  | { kind: 'card-update'; alertId: string; taskId: string; responseCode: string; card?: TemplateCard; replaceName?: string }
  /**
   * The hourly or daily digest of one destination; listId names its page in the history.
   * problems and occurrences count all of it, items carries the worst (list-summary.ts). A job
   * queued by the release before this one has no counts: its items are all there is.
   */
  | { kind: 'digest'; heading: string; items: DigestItem[]; problems?: number; occurrences?: number; listId?: string }
  /**
   * The alerts of a storm, summarized in one card: the worst groups and the count of all. A
   * job queued by the release before this one carries every alert as items instead.
   */
  | ({ kind: 'storm'; windowStart: string; windowEnd: string; listId?: string } & ({ groups: StormGroup[]; alerts: number } | { items: DigestItem[] }));

export interface DeliveryJobData {
  destinationId: string;
  message: Message;
  /** A retry after some parts went out: the parts as first rendered, and how many were sent. */
  progress?: { parts: string[]; sent: number };
}

/** What a delivery is counted and logged as: the /test card apart from real alerts. */
export function deliveryKind(message: Message): 'alert' | 'test' | 'digest' | 'storm' | 'card-update' {
  return message.kind === 'alert' && message.alert.source === 'test' ? 'test' : message.kind;
}

const totalsSchema = Joi.object({ count: Joi.number().min(0).required(), userCount: Joi.number().min(0), firstSeen: isoTime(), lastSeen: isoTime() });
/**
 * A delivery carries alerts the decision pipeline already held to alertSchema: checking them
 * again for every message would cost as much as the first check. Their shape is checked.
 */
const decidedAlert = Joi.object({ key: Joi.string().required(), title: Joi.string().allow('').required(), source: sourceSchema.required(), receivedAt: Joi.string().required() }).unknown(true);
const itemSchema = Joi.object({ alert: decidedAlert.required(), totals: totalsSchema.required() });
const itemsSchema = Joi.array().items(itemSchema);
const countSchema = Joi.number().integer().min(0);
const stormGroupSchema = Joi.object({ worst: itemSchema.required(), alerts: countSchema.min(1).required(), ended: countSchema.required() });

export const deliveryJobSchema = Joi.object<DeliveryJobData>({
  destinationId: Joi.string().min(1).required(),
  message: Joi.alternatives()
    .conditional('.kind', {
      switch: [
        {
          is: 'alert',
          then: Joi.object({
            kind: 'alert',
            alert: decidedAlert.required(),
            totals: totalsSchema,
            repeat: Joi.boolean().required(),
            mentions: Joi.array().items(Joi.string()).required(),
            mentionMobiles: Joi.array().items(Joi.string()),
            claimant: Joi.string().required(),
            claim: Joi.object({ by: Joi.string().required(), at: Joi.string().required() }),
            escalation: Joi.number().integer().min(1),
          }),
        },
        {
          is: 'card-update',
          then: Joi.object({ kind: 'card-update', alertId: Joi.string().required(), taskId: Joi.string().required(), responseCode: Joi.string().required(), card: Joi.object().unknown(true), replaceName: Joi.string() }).xor('card', 'replaceName'),
        },
        {
          is: 'digest',
          then: Joi.object({ kind: 'digest', heading: Joi.string().required(), items: itemsSchema.required(), problems: countSchema, occurrences: countSchema, listId: Joi.string() }).and('problems', 'occurrences'),
        },
        {
          is: 'storm',
          then: Joi.object({ kind: 'storm', groups: Joi.array().items(stormGroupSchema), alerts: countSchema, items: itemsSchema, windowStart: isoTime().required(), windowEnd: isoTime().required(), listId: Joi.string() })
            .xor('groups', 'items')
            .and('groups', 'alerts'),
        },
      ],
      otherwise: Joi.forbidden().messages({ 'any.unknown': 'message.kind must be alert, card-update, digest or storm' }),
    })
    .required(),
  progress: Joi.object({ parts: Joi.array().items(Joi.string()).min(1).required(), sent: Joi.number().integer().min(1).required() }),
});

/** The ticks of the clock queue and what each carries. */
export type ClockTick =
  | { name: 'digest'; data: { schedule: 'hourly' | 'daily' } }
  | { name: 'storm'; data: { destinationId: string } }
  | { name: 'sweep'; data: Record<string, never> }
  | { name: 'escalate'; data: EscalationTick };

/**
 * One level of an unclaimed critical's escalation, due `afterMs` after the previous one.
 * episode: the alert job that paged first (a resolution and a new firing start another).
 */
export interface EscalationTick {
  alert: Alert;
  episode: string;
  level: number;
  route: string;
  /** Who got the card: the levels that name no destinations go to them again. */
  destinations: string[];
}

export const clockTickSchema = Joi.object({
  name: Joi.string().valid('digest', 'storm', 'sweep', 'escalate').required(),
  data: Joi.when('name', {
    switch: [
      { is: 'digest', then: Joi.object({ schedule: Joi.string().valid('hourly', 'daily').required() }) },
      { is: 'storm', then: Joi.object({ destinationId: Joi.string().min(1).required() }) },
      {
        is: 'escalate',
        then: Joi.object({
          alert: decidedAlert.required(),
          episode: Joi.string().required(),
          level: Joi.number().integer().min(1).required(),
          route: Joi.string().required(),
          destinations: Joi.array().items(Joi.string().min(1)).min(1).required(),
        }),
      },
    ],
    otherwise: Joi.object(),
  }).required(),
});

/**
 * Delivery jobs retry as alert jobs do, but a completed one is kept only an hour (at most
 * 10,000): its id only has to outlive the retries of the decision that queued it, and the
 * history keeps what it sent. At a steady alert rate this is most of the Redis a delivery costs.
 */
export function deliveryJobOptions(opts: { attempts: number; backoffBaseMs: number }): JobsOptions {
  return { ...retryingJobOptions(opts), removeOnComplete: { age: 3600, count: 10_000 } };
}

/** What people did about a problem: a button clicked in WeCom, or the same from the console. */
export type ActionJobData =
  | { via: 'wecom'; userId: string; eventKey: string; taskId: string; responseCode?: string; createTime: number }
  | { via: 'console'; userId: string; name?: string; eventKey: string; alertId: string; atMs: number };

export const actionJobSchema = Joi.object({
  via: Joi.string().valid('wecom', 'console').required(),
  userId: Joi.string().max(128).required(),
  name: Joi.string().max(128),
  eventKey: Joi.string().max(1024).required(),
  taskId: Joi.when('via', { is: 'wecom', then: Joi.string().max(128).required(), otherwise: Joi.forbidden() }),
  responseCode: Joi.when('via', { is: 'wecom', then: Joi.string().max(1024), otherwise: Joi.forbidden() }),
  createTime: Joi.when('via', { is: 'wecom', then: Joi.number().integer().required(), otherwise: Joi.forbidden() }),
  alertId: Joi.when('via', { is: 'console', then: Joi.string().max(64).required(), otherwise: Joi.forbidden() }),
  atMs: Joi.when('via', { is: 'console', then: Joi.number().integer().required(), otherwise: Joi.forbidden() }),
});
