import { DESTINATION_FORMAT, hashId } from '@ng/core';
import type { WecomHttp } from '../wecom/http';
import type { Channel } from './channel';

/** WeCom group robot (webhook/send?key=). Markdown for the colours; the key is the only credential. */
export function createRobotChannel(deps: { http: WecomHttp; perMinute: number }, target: { key: string; id?: string }): Channel {
  // Names the robot in logs, metrics and budget keys without revealing its key.
  const keyId = hashId(target.key).slice(0, 12);
  return {
    id: target.id ?? `robot-${keyId.slice(0, 6)}`,
    kind: 'wecom-robot',
    ...DESTINATION_FORMAT.robot,
    interactive: false,
    // WeCom counts per key: two destinations with the same key share it.
    budget: () => ({ keys: [`robot:${keyId}`], perMinute: deps.perMinute }),
    async send(message) {
      const body =
        message.format === 'text'
          ? { msgtype: 'text', text: { content: message.content, mentioned_list: message.mentions, mentioned_mobile_list: message.mentionMobiles } }
          : { msgtype: 'markdown', markdown: { content: message.content } };
      const response = await deps.http.call<{ errcode: number }>('robot', 'POST', `/cgi-bin/webhook/send?key=${encodeURIComponent(target.key)}`, body);
      return { errcode: response.errcode };
    },
  };
}
