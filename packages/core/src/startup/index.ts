export { EXIT } from './exit-codes';
export { checkRedis, type RedisCheck, type RedisFacts } from './redis-check';
export type { RedisProblem, RedisProblemCode } from './redis-problems';
export { startupWarnings, dryRunWarning } from './warnings';
