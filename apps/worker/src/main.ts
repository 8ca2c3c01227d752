import { runService } from '@ng/core';
import { startWorker } from './worker';

/** Composition root of a worker replica (split mode). */
runService('worker', (config, logger) => startWorker({ config, logger, metricsServer: true }));
