import { ConfigError, loadConfig, secretsOf, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { EXIT, checkRedis, startupWarnings } from './startup';

/** Prints the one line an operator reads and exits: no stack trace, no log JSON. */
function stop(service: string, line: string, code: number): never {
  console.error(`${service} cannot start: ${line}`);
  process.exit(code);
}

/**
 * The shared shell of every entry point (pnpm start, start:ingest, start:worker, the image):
 * config (a bad one stops start-up with the list of problems), a check that REDIS_URL leads to
 * a Redis the gateway can write to (else one line with the cause and the fix, and an exit code
 * from EXIT), the start-up warnings, then start; SIGHUP reloads the policy (in every process),
 * and one bounded shutdown on SIGTERM/SIGINT exits 0. A Redis that goes away after this check
 * is waited for, not fatal.
 */
export function runService(service: string, start: (config: Config, logger: Logger) => Promise<{ close(): Promise<void>; reload(): Promise<unknown> }>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    stop(service, err instanceof ConfigError ? err.message : String(err), EXIT.badSetting);
  }
  void checkRedis(config.redisUrl, { prefix: config.queuePrefix }).then((redis) => {
    if (!redis.ok) stop(service, redis.problem.line, redis.problem.exitCode);
    const logger = createLogger({ level: config.logLevel, service, secrets: secretsOf(config) });
    logger.info('Redis ready', { redis: redis.target, version: redis.facts.version, mode: redis.facts.mode });
    for (const warning of startupWarnings(config, redis.facts)) logger.warn(warning);
    start(config, logger)
      .then((running) => {
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info('shutting down: finishing work in flight', { signal });
          void running.close().then(() => {
            logger.info(`${service} stopped`);
            process.exit(0);
          });
        };
        process.on('SIGHUP', () => {
          logger.info('SIGHUP: reloading the policy in every process');
          running.reload().catch((err: Error) => logger.error('policy reload request failed', { error: err.message }));
        });
        process.on('SIGTERM', () => shutdown('SIGTERM'));
        process.on('SIGINT', () => shutdown('SIGINT'));
      })
      .catch((err) => stop(service, err instanceof Error ? err.message : String(err), EXIT.failed));
  });
}
