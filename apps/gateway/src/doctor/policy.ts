import { loadPolicy, type Config, type Policy } from '@ng/core';
import type { Row } from './row';

const minutes = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);

/**
 * The routing policy the worker will load (the seed's 问题 3, too many alerts, is tuned here):
 * its destinations are what the doctor checks next. A broken POLICY_FILE stops the worker, so
 * it fails here; the destinations from the environment alone are checked all the same.
 */
export function policyRows(config: Config): { rows: Row[]; policy: Policy } {
  const noise = (policy: Policy) => {
    const d = policy.defaults.delivery;
    return `dedup ${minutes(policy.dedupWindowMs ?? config.dedupWindowMs)}; critical ${d.critical}, warning ${d.warning}, info ${d.info}; destinations ${policy.destinations.map((destination) => destination.id).join(', ')}`;
  };
  try {
    const policy = loadPolicy(config);
    const source = config.policyFile ? `POLICY_FILE ${config.policyFile}: ${policy.routes.length} routes` : 'no POLICY_FILE: the seed\'s defaults';
    return { rows: [{ check: 'policy', status: 'ok', found: `${source}; ${noise(policy)}` }], policy };
  } catch (err) {
    const policy = loadPolicy({ ...config, policyFile: undefined });
    const found = (err as Error).message.replace(/:?\n\s*-\s*/g, '; ');
    return { rows: [{ check: 'policy', status: 'fail', found, fix: 'correct the file (README, Policy file): the worker does not start with it' }], policy };
  }
}
