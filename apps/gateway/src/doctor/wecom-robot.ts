import type { Config, DestinationSpec } from '@ng/core';
import type { Row } from './row';
import { wecomCall } from './wecom-call';

/**
 * A group robot destination. WeCom has no call that only checks a robot key: without --send the
 * doctor uploads a small file through the robot's upload_media, which checks the key and posts
 * nothing in the group; whether the robot is disabled (93004) shows only when it posts, with --send.
 */
export async function robotRows(config: Config, d: Extract<DestinationSpec, { type: 'robot' }>, send: boolean): Promise<Row[]> {
  const check = `${d.id} (robot)`;
  if (send) {
    const content = `🩺 notification-gateway doctor: 测试消息。收到即说明群机器人 ${d.id} 的配置正确。`;
    const sent = await wecomCall(config, 'robot', { method: 'POST', url: '/cgi-bin/webhook/send', params: { key: d.key }, data: { msgtype: 'text', text: { content } } });
    return [sent.ok ? { check, status: 'ok', found: 'test message posted in the group' } : { check, status: 'fail', found: sent.found, fix: sent.fix }];
  }
  const form = new FormData();
  form.append('media', new Blob(['notification-gateway doctor: robot key check\n']), 'doctor-key-check.txt');
  const uploaded = await wecomCall(config, 'robot', { method: 'POST', url: '/cgi-bin/webhook/upload_media', params: { key: d.key, type: 'file' }, data: form });
  if (!uploaded.ok) return [{ check, status: 'fail', found: uploaded.found, fix: uploaded.fix }];
  return [{ check, status: 'ok', found: 'key valid (upload_media accepted it; nothing posted)', fix: 'whether the robot is disabled (93004) shows only when it posts: --send' }];
}
