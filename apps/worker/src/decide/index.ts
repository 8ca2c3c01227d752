import type { AckStore, ActivePolicy, Alert, Message, PlanEntry, SilenceStore } from '@ng/core';
import type { Clock } from '../clock';
import type { DigestStore, Schedule } from '../store/digests';
import type { EscalationStore } from '../store/escalations';
import type { ProblemStore } from '../store/problems';
import type { StormStore } from '../store/storm';
import { createAckGate } from './ack';
import { createDedup } from './dedup';
import { createDigestSplit } from './digest';
import { createEscalationPlan } from './escalation';
import { createRouter } from './route';
import { createSilenceGate } from './silence';
import { createStormSplit } from './storm';
import type { Fate, Outcome } from './types';
import { validateAlertJob } from './validate';

export type { Fate, Outcome } from './types';
export type { EscalationStart } from './escalation';

export interface DeciderDeps {
  /** The routing policy in force (a reload replaces it). */
  active: ActivePolicy;
  problems: ProblemStore;
  silences: SilenceStore;
  acks: AckStore;
  escalations: EscalationStore;
  digests: DigestStore;
  storm: StormStore;
  clock: Clock;
  /** DISPLAY_TZ: rotations hand over in local time. */
  tz: string;
  stormThreshold: number;
  nextDigestLabel: (schedule: Schedule) => string;
  scheduleStormSummary: (destinationId: string) => Promise<void>;
}

const stop = (alert: Alert, fate: Fate, reason: string, extra: Pick<Outcome, 'claim' | 'totals'> = {}): Outcome => ({ fate, reason, alert, deliveries: [], plan: [], ...extra });

/**
 * The decision pipeline: validate → dedup → claimed? → route → silence → digest → storm →
 * escalation. It decides what goes where and when, and sends nothing: its outcome names the
 * alert's fate, the messages the delivery processor is to send and the escalation a card
 * starts. Each step takes and returns plain values.
 */
export function createDecider(deps: DeciderDeps) {
  const dedup = createDedup(deps);
  const ackGate = createAckGate(deps);
  const route = createRouter(deps);
  const silenced = createSilenceGate(deps);
  const digestSplit = createDigestSplit(deps);
  const stormSplit = createStormSplit({ ...deps, threshold: deps.stormThreshold, scheduleSummary: deps.scheduleStormSummary });
  const escalationOf = createEscalationPlan(deps);

  return async function decide(jobData: unknown, claimant: string): Promise<Outcome> {
    const incoming = validateAlertJob(jobData);
    const seen = await dedup(incoming, claimant);
    if (seen.kind === 'duplicate') return stop(incoming, 'duplicate', `duplicate of ${seen.of}`, { totals: seen.totals });
    const { alert, totals, firstTime } = seen;

    const { claim, suppress } = await ackGate.check(alert, firstTime);
    if (suppress) return stop(alert, 'claimed', suppress, { claim, totals });

    const { decisions, droppedBy } = route(alert);
    if (decisions.length === 0) return stop(alert, 'dropped', `dropped by policy (${droppedBy})`, { claim, totals });

    const silence = await silenced(alert, claimant);
    if (silence) return stop(alert, 'silenced', `silenced by ${silence.id}`, { claim, totals });
    await ackGate.settle(alert);

    const { immediate, digested } = await digestSplit(alert, decisions, firstTime);
    const { single, merged } = await stormSplit(alert, immediate, claimant);
    const deliveries = single.map((d) => {
      const message: Message = { kind: 'alert', alert, totals, repeat: !firstTime, mentions: d.mentions, ...(d.mentionMobiles?.length && { mentionMobiles: d.mentionMobiles }), claimant, ...(claim && { claim }) };
      return { destinationId: d.destinationId, message };
    });
    const fate: Fate = deliveries.length ? 'queued' : merged.length ? 'merged' : 'digested';
    const reason = [
      ...(single.length ? [`to ${single.map((d) => d.destinationId).join(', ')}`] : []),
      ...merged.map((d) => `merged into the storm summary (${d.destinationId})`),
      ...digested.map((d) => `digested into ${d.at} (${d.decision.destinationId})`),
    ].join('; ');
    const plan: PlanEntry[] = [
      ...single.map((d) => ({ destinationId: d.destinationId, route: d.route, as: 'card' as const })),
      ...merged.map((d) => ({ destinationId: d.destinationId, route: d.route, as: 'storm summary' as const })),
      ...digested.map((d) => ({ destinationId: d.decision.destinationId, route: d.decision.route, as: `${d.schedule} digest` as const })),
    ];
    return { fate, reason, alert, deliveries, plan, claim, totals, escalation: escalationOf(alert, single, Boolean(claim)) };
  };
}

export type Decide = ReturnType<typeof createDecider>;
