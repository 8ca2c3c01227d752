import { createMetrics, runService } from '@ng/core';
import { startWorker } from '@ng/worker';
import { startIngest } from '@ng/ingest';

/**
 * Ingest and worker in one process (`pnpm start`, the single-container mode for small sites);
 * one metrics registry serves both on :PORT/metrics.
 */
runService('gateway', async (config, logger) => {
  const metrics = createMetrics('all-in-one');
  const worker = await startWorker({ config, logger, metrics });
  const ingest = await startIngest({ config, logger, metrics });
  return {
    // One request reaches both halves of this process, and every other process.
    reload: () => ingest.reload(),
    async close() {
      await ingest.close();
      await worker.close();
    },
  };
});
