import { hashId, type Alert } from '@ng/core';

let seq = 0;

/** The seed's Sentry example (section 4), as the normalizer would produce it. */
export function seedSentryAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'sentry',
    kind: 'issue.created',
    key: 'sentry:12345',
    idempotencyKey: hashId('seed-sentry', ++seq, Math.random()),
    status: 'firing',
    severity: 'critical',
    repeatSeverity: 'warning',
    level: 'error',
    title: 'ValueError in calculate_score',
    environment: 'production',
    service: 'recommendation-api',
    location: 'app.main.get_recommend',
    startsAt: '2025-10-31T04:30:45.000Z',
    count: 1,
    userCount: 15,
    url: 'https://trace.dianshudata.com/issues/12345',
    labels: {},
    receivedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** The seed's Alertmanager example. */
export function seedAlertmanagerAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'alertmanager',
    kind: 'alertmanager',
    key: 'am:redis-down',
    idempotencyKey: hashId('seed-am', ++seq, Math.random()),
    status: 'firing',
    severity: 'critical',
    level: 'critical',
    title: 'RedisConnectionFailed',
    instance: 'redis:6379',
    job: 'redis-exporter',
    startsAt: '2025-10-31T04:35:00.000Z',
    summary: 'Redis 连接失败',
    description: 'Redis 服务不可用，推荐系统将降级运行',
    labels: { alertname: 'RedisConnectionFailed', severity: 'critical' },
    receivedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A distinct critical problem. */
export function criticalAlert(n: number, overrides: Partial<Alert> = {}): Alert {
  return seedAlertmanagerAlert({ key: `am:problem-${n}`, title: `Problem${n}`, labels: { alertname: `Problem${n}`, severity: 'critical' }, idempotencyKey: hashId('critical', n, Math.random()), ...overrides });
}
