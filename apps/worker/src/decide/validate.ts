import { UnrecoverableError } from 'bullmq';
import { alertJobSchema, compiledCheck, CONTRACT_REFUSED, type Alert, type AlertJobData } from '@ng/core';

const matchesContract = compiledCheck(alertJobSchema, { allowUnknown: false });

/** A job that does not match the queue contract can never succeed: fail it now, keep it for a person. */
export function validateAlertJob(data: unknown): Alert {
  if (matchesContract(data)) return (data as AlertJobData).alert;
  // joi words what is wrong (and has the last word should the compiled check be stricter).
  // Job data is JSON written by ingest: nothing to convert, and not converting is a third cheaper.
  const { error } = alertJobSchema.validate(data, { allowUnknown: false, convert: false });
  if (error) throw new UnrecoverableError(`${CONTRACT_REFUSED}: ${error.message}`);
  return (data as AlertJobData).alert;
}
