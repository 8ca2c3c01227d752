import type { AckStore, Alert, SilenceStore } from '@ng/core';
import type { Clock } from '../clock';
import type { EscalationStore } from '../store/escalations';

const isUpdate = (alert: Alert) => alert.status === 'resolved' || alert.status === 'ignored';

/**
 * What people did about the problem. Once someone claimed it, reminders stop (its resolution
 * still goes out, and says who claimed it). Once it resolves, the claim, its escalation and any
 * silence kept "until resolved" end: if it fires again, it is nobody's yet.
 */
export function createAckGate(deps: { acks: AckStore; silences: SilenceStore; escalations: EscalationStore; clock: Clock }) {
  return {
    async check(alert: Alert, firstTime: boolean): Promise<{ claim?: { by: string; at: string }; suppress?: string }> {
      const ack = await deps.acks.get(alert.key);
      if (!ack?.claimedBy) return {};
      const claim = { by: ack.claimedName ?? ack.claimedBy, at: ack.claimedAt ?? new Date(deps.clock.now()).toISOString() };
      if (!firstTime && !isUpdate(alert)) return { claim, suppress: `claimed by ${claim.by}: no reminders` };
      return { claim };
    },
    async settle(alert: Alert): Promise<void> {
      if (alert.status !== 'resolved') return;
      await deps.silences.endUntilResolved(alert.key, new Date(deps.clock.now()));
      await deps.acks.clear(alert.key);
      await deps.escalations.end(alert.key);
    },
  };
}
