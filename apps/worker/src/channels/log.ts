import { DESTINATION_FORMAT, dryRunWarning, followedBy, type Config, type Logger } from '@ng/core';
import type { Channel } from './channel';

/**
 * Dry run: with no WeCom settings the rendered card goes to the log, so the gateway works out
 * of the box. Made once per log destination at start-up, the channel says then that nothing it
 * gets reaches WeCom, and why. Each card is one JSON line (the card in a field, for machines)
 * followed by the card itself, line by line, for people reading `docker logs`.
 */
export function createLogChannel(deps: { logger: Logger; config: Config }, id = 'log'): Channel {
  deps.logger.warn(dryRunWarning(deps.config, id), { channel: id, dryRun: true });
  return {
    id,
    kind: 'log',
    ...DESTINATION_FORMAT.log,
    interactive: false,
    budget: () => undefined,
    async send(message) {
      deps.logger.info('演练模式 (dry run): 未发往企业微信，卡片只写入日志', { channel: id, dryRun: true, card: message.content, ...followedBy(message.content) });
      return {};
    },
  };
}
