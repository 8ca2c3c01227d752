import type { Message } from '@ng/core';
import type { MessageFormat, OutgoingMessage } from '../channels/channel';

const MAX_TITLE_CHARS = 200;

/**
 * A member known only by a phone number is @-mentioned in a short text message after the card:
 * WeCom's robots read mentioned_mobile_list on text messages, and markdown has no phone
 * mention. A text card carries the numbers itself; an app cannot address a phone number.
 */
export function phoneMention(message: Message, format: MessageFormat): OutgoingMessage | undefined {
  if (message.kind !== 'alert' || !message.mentionMobiles?.length || format !== 'markdown') return undefined;
  const title = [...message.alert.title].slice(0, MAX_TITLE_CHARS).join('');
  const heading = message.escalation ? `⏫ 升级 ${message.escalation}` : '🔔 值班';
  return { format: 'text', content: `${heading}: ${title} 请处理`, mentionMobiles: message.mentionMobiles };
}
