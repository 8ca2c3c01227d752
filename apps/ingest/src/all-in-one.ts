import { loadConfig, createLogger, createMetrics, secretsOf, ConfigError } from '@ng/core';
import { startWorker } from '@ng/worker';
import { startIngest } from './server';

/**
 * Ingest and worker in one process (`pnpm start`, the single-container mode for small sites).
 * One metrics registry serves both on :PORT/metrics.
 */
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
  const logger = createLogger({ level: config.logLevel, service: 'gateway', secrets: secretsOf(config) });
  const metrics = createMetrics('all-in-one');
  const worker = await startWorker({ config, logger, metrics });
  const ingest = await startIngest({ config, logger, metrics });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await ingest.close();
    await worker.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err) => {
  console.error(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
