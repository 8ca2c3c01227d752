import type { Config } from '../config';
import { SETTINGS } from '../config/settings';
import type { RedisFacts } from './redis-check';

/**
 * Settings that start fine but do not do what a new operator expects: said once at start-up,
 * each with what to change.
 */
export function startupWarnings(config: Config, redis: RedisFacts): string[] {
  const out: string[] = [];
  if (redis.maxmemoryPolicy !== 'noeviction') {
    out.push(`Redis maxmemory-policy is ${redis.maxmemoryPolicy}: when memory runs short Redis may evict queued alerts; set it to noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)`);
  }
  const wecomSet = Boolean(config.weixin.corpId || config.weixin.robotKeys.length || config.policyFile);
  if (wecomSet && config.weixin.apiBase !== SETTINGS.weixin.apiBase.default) {
    out.push(`WeCom calls go to ${config.weixin.apiBase} (WEIXIN_API_BASE), not to WeCom: unset WEIXIN_API_BASE to reach real people`);
  }
  return out;
}

/**
 * Said by a log destination when it is created: its cards stay in this log. Without a policy
 * file the only log destination is the one the gateway falls back to when no WeCom is set.
 */
export function dryRunWarning(config: Config, destinationId: string): string {
  if (config.policyFile) {
    return `DRY RUN for destination "${destinationId}": its cards are written to this log and never reach WeCom, because POLICY_FILE ${config.policyFile} gives it type: log; give it type app or robot to deliver`;
  }
  return 'DRY RUN: nothing will reach WeCom, every card is written to this log instead, because no WeCom destination is set (WEIXIN_CORP_ID, WEIXIN_CORP_SECRET and WEIXIN_AGENT_ID for the app, or WEIXIN_ROBOT_KEY for a group robot); set them (see .env.example), restart, and run the doctor to check them';
}
