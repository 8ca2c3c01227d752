import type { JobsOptions, Queue } from 'bullmq';
import { hashId, onCallMention, type AckStore, type ActivePolicy, type Alert, type EscalationTick, type Logger, type Metrics, type Route, type SilenceStore } from '@ng/core';
import type { Clock } from '../clock';
import type { EscalationStart } from '../decide';
import type { EnqueueDeliveries } from '../deliver/enqueue';
import type { EscalationStore } from '../store/escalations';
import type { ProblemStore } from '../store/problems';

export interface EscalationDeps {
  active: ActivePolicy;
  escalations: EscalationStore;
  acks: AckStore;
  silences: SilenceStore;
  problems: ProblemStore;
  enqueueDeliveries: EnqueueDeliveries;
  clockQueue: Queue;
  jobOptions: JobsOptions;
  clock: Clock;
  tz: string;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Escalation of unclaimed criticals. A card that starts one schedules level 1 on the clock
 * queue; each level, when due, checks that nobody claimed, resolved or silenced the problem,
 * sends the card again marked ⏫ 升级 n (to the next person on call, another rotation or other
 * destinations), and schedules the next level. Job ids follow from the episode and the level,
 * so a retried decision or tick queues nothing twice, with any number of workers.
 */
export function createEscalation(deps: EscalationDeps) {
  async function schedule(tick: EscalationTick, delayMs: number): Promise<void> {
    await deps.clockQueue.add('escalate', tick, { ...deps.jobOptions, delay: delayMs, jobId: hashId('escalate', tick.episode, tick.level) });
  }

  /** Who a level @-mentions: the next person on call, whoever is on call in another rotation, or the route's own on call. */
  function mentionFor(route: Route, mention: string | undefined) {
    const { policy } = deps.active.current;
    const now = deps.clock.now();
    if (mention === 'next') return route.mention ? onCallMention(policy, route.mention, now, deps.tz, 'next') : undefined;
    const rotation = mention ?? route.mention;
    return rotation ? onCallMention(policy, rotation, now, deps.tz) : undefined;
  }

  async function stopReason(tick: EscalationTick): Promise<string | undefined> {
    const { alert, episode } = tick;
    if (!(await deps.escalations.isRunning(alert.key, episode))) return 'the problem resolved (or fired again since)';
    const ack = await deps.acks.get(alert.key);
    if (ack?.claimedBy) return `claimed by ${ack.claimedName ?? ack.claimedBy}`;
    const silence = await deps.silences.match(alert, deps.clock.now());
    if (silence) return `silenced by ${silence.id}`;
    return undefined;
  }

  return {
    /** After a card went out: the problem's escalation starts unless one already runs. */
    async start(alert: Alert, start: EscalationStart, episode: string): Promise<void> {
      if (!(await deps.escalations.start(alert.key, episode))) return;
      await schedule({ alert, episode, level: 1, route: start.route, destinations: start.destinations }, start.afterMs);
    },

    /** The clock tick of one level. */
    async tick(tick: EscalationTick): Promise<{ level: number; sent: string[]; mentioned: string[] } | { level: number; stopped: string }> {
      const { alert, level } = tick;
      const stopped = await stopReason(tick);
      const route = deps.active.current.policy.routes.find((r) => r.name === tick.route);
      const spec = route?.escalation?.levels[level - 1];
      if (stopped || !route?.escalation || !spec) {
        const why = stopped ?? `the policy in force has no level ${level} for route ${tick.route}`;
        await deps.escalations.end(alert.key);
        deps.logger.info('escalation stopped', { key: alert.key, escalationLevel: level, reason: why });
        return { level, stopped: why };
      }
      const who = mentionFor(route, spec.mention);
      const destinations = spec.destinations ?? tick.destinations;
      const totals = await deps.problems.totals(alert.key);
      await deps.enqueueDeliveries(
        destinations.map((destinationId) => ({
          data: {
            destinationId,
            message: { kind: 'alert', alert, ...(totals && { totals }), repeat: true, mentions: who?.mentions ?? [], ...(who?.mentionMobiles.length && { mentionMobiles: who.mentionMobiles }), claimant: tick.episode, escalation: level },
          },
          jobId: hashId('escalation', tick.episode, level, destinationId),
        })),
      );
      deps.metrics.escalations.inc({ level: String(level) });
      const mentioned = [...(who?.mentions ?? []), ...(who?.mentionMobiles ?? [])];
      deps.logger.info('⏫ escalated: nobody claimed the problem', { key: alert.key, title: alert.title, escalationLevel: level, destinations, mentioned });
      if (route.escalation.levels.length > level) await schedule({ ...tick, level: level + 1 }, route.escalation.afterMs);
      return { level, sent: destinations, mentioned };
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;
