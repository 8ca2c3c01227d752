import type { Alert, Totals } from '@ng/core';
import type { ProblemStore } from '../store/problems';

export type Seen =
  | { kind: 'duplicate'; of: string; totals: Totals }
  /** alert: with the severity that applies now (a repeat may be less severe than a first occurrence). */
  | { kind: 'send'; alert: Alert; firstTime: boolean; totals: Totals };

/**
 * Counts every occurrence and lets one message per problem, status and severity through per
 * window (atomic in Redis: two replicas never both send). Sentry errors are critical the
 * first time a problem is seen and warning when it repeats (the seed's 告警分级策略).
 */
export function createDedup(deps: { problems: ProblemStore }) {
  return async function dedup(alert: Alert, claimant: string): Promise<Seen> {
    const verdict = await deps.problems.observe(alert, claimant);
    if (verdict.kind === 'duplicate') return verdict;
    const repeated = !verdict.firstTime && alert.repeatSeverity !== undefined;
    return { kind: 'send', alert: repeated ? { ...alert, severity: alert.repeatSeverity! } : alert, firstTime: verdict.firstTime, totals: verdict.totals };
  };
}
