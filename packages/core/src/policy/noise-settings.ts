import type { Config } from '../config';
import type { Policy } from './types';

/**
 * Settings that both the environment and the policy file may give. The file wins: it is the
 * more specific of the two, written for this deployment's routes. Every override is returned
 * as a sentence, for the start-up log.
 */
export function noiseSettings(config: Config, policy: Policy) {
  const overrides: string[] = [];
  if (policy.dedupWindowMs !== undefined && policy.dedupWindowMs !== config.dedupWindowMs) {
    overrides.push(`dedupWindow ${policy.dedupWindowMs} ms from the policy file replaces DEDUP_WINDOW (${config.dedupWindowMs} ms)`);
  }
  if (policy.dailyDigestAt !== undefined && policy.dailyDigestAt !== config.dailyDigestAt) {
    overrides.push(`dailyDigestAt ${policy.dailyDigestAt} from the policy file replaces DAILY_DIGEST_AT (${config.dailyDigestAt})`);
  }
  return {
    dedupWindowMs: policy.dedupWindowMs ?? config.dedupWindowMs,
    dailyDigestAt: policy.dailyDigestAt ?? config.dailyDigestAt,
    overrides,
  };
}
