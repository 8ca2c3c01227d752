import { hashId, type Alert } from '../alert';

/** The alert POST /test sends through the whole pipeline (the seed's 手动测试发送). */
export function testAlert(receivedAt: Date, nonce: string): Alert {
  const at = receivedAt.toISOString();
  return {
    source: 'test',
    kind: 'test',
    key: `test:${nonce}`,
    idempotencyKey: hashId('test', nonce),
    status: 'firing',
    severity: 'critical',
    level: 'critical',
    title: '测试告警 (notification-gateway)',
    service: 'notification-gateway',
    startsAt: at,
    // Where the copy is read tells what it proves: the card says so when it knows its destination.
    summary: '这是一条测试消息：它出现在哪里，就说明 Webhook → 队列 → 发送 已通到了哪里。',
    labels: {},
    receivedAt: at,
  };
}
