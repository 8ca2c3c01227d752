import { ConfigError, loadConfig } from '@ng/core';
import { gatewayRows } from './gateway';
import { policyRows } from './policy';
import { redisRows } from './redis';
import type { Row } from './row';
import { appRows } from './wecom-app';
import { robotRows } from './wecom-robot';

const LOG_DESTINATION: Omit<Row, 'check'> = {
  status: 'warn',
  found: 'dry run: its cards go to the log, nothing reaches WeCom',
  fix: 'set WEIXIN_CORP_ID, WEIXIN_CORP_SECRET and WEIXIN_AGENT_ID (app) or WEIXIN_ROBOT_KEY (robot), or give it type app/robot in POLICY_FILE',
};

/**
 * What a new operator gets wrong, in the order the seed's troubleshooting walks it: settings,
 * Redis, the policy, every WeCom destination (问题 2), the gateway's address (问题 1).
 * Sends nothing to WeCom unless send is true.
 */
export async function runDoctor(env: NodeJS.ProcessEnv, opts: { send: boolean }): Promise<Row[]> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((found) => ({ check: 'settings', status: 'fail', found, fix: 'as the line says; the other checks need valid settings' }));
  }
  const rows: Row[] = [{ check: 'settings', status: 'ok', found: 'every variable valid' }];
  rows.push(...(await redisRows(config)));
  const { rows: policy, policy: { destinations } } = policyRows(config);
  rows.push(...policy);
  for (const d of destinations) {
    if (d.type === 'app') rows.push(...(await appRows(config, d, opts.send)));
    else if (d.type === 'robot') rows.push(...(await robotRows(config, d, opts.send)));
    else rows.push({ check: `${d.id} (log)`, ...LOG_DESTINATION });
  }
  rows.push(...(await gatewayRows(config)));
  return rows;
}
