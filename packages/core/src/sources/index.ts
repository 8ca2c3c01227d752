export * from './payload-error';
export * from './sentry';
export * from './alertmanager';
export * from './grafana';
export * from './test-alert';
export * from './webhook';
