import { DESTINATION_FORMAT, type Logger } from '@ng/core';
import type { Channel } from './channel';

/** Dry run: with no WeCom settings the rendered card goes to the log, so the gateway works out of the box. */
export function createLogChannel(deps: { logger: Logger }, id = 'log'): Channel {
  return {
    id,
    kind: 'log',
    ...DESTINATION_FORMAT.log,
    interactive: false,
    budget: () => undefined,
    async send(message) {
      deps.logger.info(`[log channel, dry run: set WEIXIN_* to deliver to WeCom]\n${message.content}`, { channel: id });
      return {};
    },
  };
}
