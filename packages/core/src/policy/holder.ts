import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { loadPolicy } from './load';
import type { Policy } from './types';

/** The policy in force and what a process built from it (the worker: its channels and noise settings). */
export interface Active<T> {
  policy: Policy;
  built: T;
  /** Epoch ms of the load. */
  loadedAt: number;
}

export type ReloadResult = { ok: true; hash: string; changed: boolean } | { ok: false; hash: string; error: string };

/**
 * One holder per process of "the current policy and what is built from it". Whatever reads
 * the policy reads `current` when it needs it, so a reload is one assignment: a job in flight
 * keeps what it started with, the next one sees the new policy. An invalid file changes
 * nothing but the metric and the log; the first load, at start-up, throws.
 */
export interface ActivePolicy<T = unknown> {
  readonly current: Active<T>;
  reload(): ReloadResult;
}

export function createPolicyHolder<T>(deps: {
  config: Config;
  logger: Logger;
  metrics: Pick<Metrics, 'configReloadSuccessful' | 'configReloadSuccessTime'>;
  build: (policy: Policy) => T;
  load?: () => Policy;
}): ActivePolicy<T> {
  const load = deps.load ?? (() => loadPolicy(deps.config));
  const activate = (): Active<T> => {
    const policy = load();
    const active = { policy, built: deps.build(policy), loadedAt: Date.now() };
    deps.metrics.configReloadSuccessful.set(1);
    deps.metrics.configReloadSuccessTime.set(Math.floor(active.loadedAt / 1000));
    return active;
  };
  let current = activate();
  return {
    get current() {
      return current;
    },
    reload() {
      const before = current.policy.hash;
      try {
        current = activate();
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        deps.metrics.configReloadSuccessful.set(0);
        deps.logger.error('policy reload failed: the previous policy stays in force', { hash: before, error });
        return { ok: false, hash: before, error };
      }
      const { hash } = current.policy;
      deps.logger.info('policy reloaded', { hash, previous: before, changed: hash !== before });
      return { ok: true, hash, changed: hash !== before };
    },
  };
}

/** What /health says of the policy in force: its hash (compare it across processes) and when it was loaded. */
export function policyDetails(active: Active<unknown>): { policy: { hash: string; loadedAt: string } } {
  return { policy: { hash: active.policy.hash, loadedAt: new Date(active.loadedAt).toISOString() } };
}
