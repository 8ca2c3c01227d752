// The suite and the benchmarks use the Redis at REDIS_URL. The gateway's own start-up check
// (packages/core, so it runs after the build) says in one line when that Redis cannot serve.
import core from '../packages/core/dist/index.js';

const { ConfigError, checkRedis, loadConfig } = core;
let config;
try {
  config = loadConfig({ REDIS_URL: process.env.REDIS_URL });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err));
  process.exit(2);
}
const check = await checkRedis(config.redisUrl, { prefix: '{check-redis}' });
if (!check.ok) {
  console.error(`The tests and benchmarks need Redis: ${check.problem.line}`);
  process.exit(check.problem.exitCode);
}
