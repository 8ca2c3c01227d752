export * from './fake-wecom';
export * from './procs';
export * from './redis-keys';
export * from './gateway';
export * from './redis-server';
export * from './fake-sentry';
