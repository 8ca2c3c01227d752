import type { HistoryStore } from '../store/history';
import type { Stage } from './stage';

/**
 * Counts every occurrence and lets one message per problem and status through per window.
 * Sentry errors are critical the first time a problem is seen and warning when it repeats.
 */
export function dedupStage(deps: { history: HistoryStore }): Stage {
  return {
    name: 'dedup',
    async run(ctx) {
      const verdict = await deps.history.observe(ctx.alert, String(ctx.job.id));
      ctx.totals = verdict.totals;
      if (verdict.kind === 'duplicate') return { fate: 'duplicate', detail: `duplicate of ${verdict.of}` };
      ctx.firstTime = verdict.firstTime;
      if (!verdict.firstTime && ctx.alert.repeatSeverity) {
        ctx.alert = { ...ctx.alert, severity: ctx.alert.repeatSeverity };
      }
    },
  };
}
