import { UnrecoverableError } from 'bullmq';
import { alertJobSchema } from '@ng/core';
import type { Stage } from './stage';

/** A job that does not match the queue contract can never succeed: fail it now, keep it for a person. */
export function validateStage(): Stage {
  return {
    name: 'validate',
    async run(ctx) {
      // Job data is JSON written by ingest: nothing to convert, and not converting is a third cheaper.
      const { error } = alertJobSchema.validate(ctx.job.data, { allowUnknown: false, convert: false });
      if (error) throw new UnrecoverableError(`job data does not match the queue contract: ${error.message}`);
    },
  };
}
