import { loadConfig, createLogger, secretsOf, ConfigError } from '@ng/core';
import { startWorker } from './worker';

/** Composition root of a worker replica: config → logger → worker → signals. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, service: 'worker', secrets: secretsOf(config) });
  const worker = await startWorker({ config, logger, metricsServer: true });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: finishing jobs in flight', { signal, graceMs: config.shutdownGraceMs });
    await worker.close();
    logger.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err) => {
  console.error(`worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
