import { UnrecoverableError } from 'bullmq';
import { alertJobSchema } from '@ng/core';
import type { Stage } from './stage';

/** A job that does not match the queue contract can never succeed: fail it now, keep it for a person. */
export function validateStage(): Stage {
  return {
    name: 'validate',
    async run(ctx) {
      const { error } = alertJobSchema.validate(ctx.job.data, { allowUnknown: false });
      if (error) throw new UnrecoverableError(`job data does not match the queue contract: ${error.message}`);
    },
  };
}
