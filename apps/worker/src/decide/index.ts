import type { ActivePolicy, Alert, Message, SilenceStore } from '@ng/core';
import type { Clock } from '../clock';
import type { DigestStore, Schedule } from '../store/digests';
import type { ProblemStore } from '../store/problems';
import type { StormStore } from '../store/storm';
import { createDedup } from './dedup';
import { createDigestSplit } from './digest';
import { createRouter } from './route';
import { createSilenceGate } from './silence';
import { createStormSplit } from './storm';
import type { Fate, Outcome } from './types';
import { validateAlertJob } from './validate';

export type { Fate, Outcome } from './types';

export interface DeciderDeps {
  /** The routing policy in force (a reload replaces it). */
  active: ActivePolicy;
  problems: ProblemStore;
  silences: SilenceStore;
  digests: DigestStore;
  storm: StormStore;
  clock: Clock;
  stormThreshold: number;
  nextDigestLabel: (schedule: Schedule) => string;
  scheduleStormSummary: (destinationId: string) => Promise<void>;
}

const stop = (alert: Alert, fate: Fate, reason: string): Outcome => ({ fate, reason, alert, deliveries: [] });

/**
 * The decision pipeline: validate → dedup → route → silence → digest → storm. It decides
 * what goes where and when, and sends nothing: its outcome names the alert's fate and the
 * messages the delivery processor is to send. Each step takes and returns plain values.
 */
export function createDecider(deps: DeciderDeps) {
  const dedup = createDedup(deps);
  const route = createRouter(deps);
  const silenced = createSilenceGate(deps);
  const digestSplit = createDigestSplit(deps);
  const stormSplit = createStormSplit({ ...deps, threshold: deps.stormThreshold, scheduleSummary: deps.scheduleStormSummary });

  return async function decide(jobData: unknown, claimant: string): Promise<Outcome> {
    const incoming = validateAlertJob(jobData);
    const seen = await dedup(incoming, claimant);
    if (seen.kind === 'duplicate') return stop(incoming, 'duplicate', `duplicate of ${seen.of}`);
    const { alert, totals, firstTime } = seen;

    const { decisions, droppedBy } = route(alert);
    if (decisions.length === 0) return stop(alert, 'dropped', `dropped by policy (${droppedBy})`);

    const silence = await silenced(alert, claimant);
    if (silence) return stop(alert, 'silenced', `silenced by ${silence.id}`);

    const { immediate, digested } = await digestSplit(alert, decisions, firstTime);
    const { single, merged } = await stormSplit(alert, immediate, claimant);
    const deliveries = single.map((d) => {
      const message: Message = { kind: 'alert', alert, totals, repeat: !firstTime, mentions: d.mentions, claimant };
      return { destinationId: d.destinationId, message };
    });
    const fate: Fate = deliveries.length ? 'queued' : merged.length ? 'merged' : 'digested';
    const sentTo = deliveries.length ? [`to ${deliveries.map((d) => d.destinationId).join(', ')}`] : [];
    return { fate, reason: [...sentTo, ...merged, ...digested].join('; '), alert, deliveries };
  };
}

export type Decide = ReturnType<typeof createDecider>;
