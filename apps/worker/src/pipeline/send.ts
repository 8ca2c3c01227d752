import type { Logger } from '@ng/core';
import type { Channel, SendResult } from '../channels/channel';
import { DeliveryError } from '../wecom/classify';

/** How many times a message may be re-rendered shorter after WeCom says it is too long. */
const MAX_SHORTEN_STEPS = 3;

/**
 * Sends one rendered message (possibly several parts) through a channel. When WeCom answers
 * "too long" (45002/40058) the message is rendered again with half the budget — never the same
 * body twice. Every other failure propagates as a DeliveryError for the job to classify.
 */
export async function sendRendered(
  channel: Channel,
  render: (budgetBytes: number) => string[],
  log: Logger,
  mentions?: string[],
): Promise<SendResult[]> {
  let budget = channel.budgetBytes;
  for (let step = 0; ; step++) {
    const parts = render(budget);
    const results: SendResult[] = [];
    try {
      for (const content of parts) results.push(await channel.send({ format: channel.format, content, mentions }));
      return results;
    } catch (err) {
      const tooLong = err instanceof DeliveryError && err.classification.action === 'shorten';
      if (!tooLong || step >= MAX_SHORTEN_STEPS || results.length > 0) throw err;
      budget = Math.floor(budget / 2);
      log.warn('message too long for WeCom, rendering shorter', { channel: channel.id, errcode: err.classification.errcode, budgetBytes: budget });
    }
  }
}
