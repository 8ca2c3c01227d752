import { ConfigError, createLogger, loadConfig, secretsOf } from '@ng/core';
import { startIngest } from './server';

/** Composition root of ingest: config → logger → server → signals. */
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
  const logger = createLogger({ level: config.logLevel, service: 'ingest', secrets: secretsOf(config) });
  const ingest = await startIngest({ config, logger });
  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    await ingest.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err) => {
  console.error(`ingest failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
