import { runService } from '@ng/core';
import { startIngest } from './server';

/** Composition root of ingest (split mode). */
runService('ingest', (config, logger) => startIngest({ config, logger }));
