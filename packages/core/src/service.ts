import { ConfigError, loadConfig, secretsOf, type Config } from './config';
import { createLogger, type Logger } from './logger';

/**
 * The shared shell of every entry point: config (a bad one stops start-up with the list of
 * problems), logger, start, SIGHUP reloads the policy (in every process), and one bounded
 * shutdown on SIGTERM/SIGINT that exits 0.
 */
export function runService(service: string, start: (config: Config, logger: Logger) => Promise<{ close(): Promise<void>; reload(): Promise<unknown> }>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel, service, secrets: secretsOf(config) });
  start(config, logger)
    .then((running) => {
      let stopping = false;
      const stop = (signal: string) => {
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
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    })
    .catch((err) => {
      console.error(`${service} failed to start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
