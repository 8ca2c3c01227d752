/**
 * Exit codes of every entry point (pnpm start, start:ingest, start:worker, the image) and of
 * the doctor, so a supervisor or a script can tell a setting to fix from a server to wait for.
 */
export const EXIT = {
  /** Started, then failed for a reason none of the checks knows (the message says which). */
  failed: 1,
  /** A setting is wrong: an environment variable, or Redis refusing what REDIS_URL asks. Restarting will not help. */
  badSetting: 2,
  /** Redis did not answer within the start-up wait: start it, or restart the gateway once it is up. */
  redisUnreachable: 3,
} as const;
