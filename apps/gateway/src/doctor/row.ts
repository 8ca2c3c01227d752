/** One line of the doctor's table: what was checked, what it found, and what to change. */
export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface Row {
  check: string;
  status: Status;
  found: string;
  fix?: string;
}
