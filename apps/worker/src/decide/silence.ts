import type { Alert, Silence, SilenceStore } from '@ng/core';
import type { Clock } from '../clock';
import type { ProblemStore } from '../store/problems';

/**
 * An active silence holds the alert (dedup counted it already) and frees its claim, so the
 * problem is sent when the silence ends if it still fires.
 */
export function createSilenceGate(deps: { silences: SilenceStore; problems: ProblemStore; clock: Clock }) {
  return async function silenced(alert: Alert, claimant: string): Promise<Silence | undefined> {
    const silence = await deps.silences.match(alert, deps.clock.now());
    if (!silence) return undefined;
    await deps.silences.hold(silence.id, alert);
    await deps.problems.release(alert, claimant);
    return silence;
  };
}
