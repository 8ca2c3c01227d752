import type { SilenceStore } from '@ng/core';
import type { HistoryStore } from '../store/history';
import type { Clock } from '../clock';
import type { Stage } from './stage';

/**
 * An active silence holds the alert (counted already by dedup) and releases its claim, so the
 * problem is sent again once the silence ends if it still fires.
 */
export function silenceStage(deps: { silences: SilenceStore; history: HistoryStore; clock: Clock }): Stage {
  return {
    name: 'silence',
    async run(ctx) {
      const silence = await deps.silences.match(ctx.alert, deps.clock.now());
      if (!silence) return;
      await deps.silences.hold(silence.id, ctx.alert);
      await deps.history.release(ctx.alert, String(ctx.job.id));
      return { fate: 'silenced', detail: `silenced by ${silence.id}` };
    },
  };
}
