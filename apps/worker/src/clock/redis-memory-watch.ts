import { describeRedisFull, readRedisMemory, type Logger, type RedisConnection } from '@ng/core';

/** Share of maxmemory at which the gateway starts to warn: well before Redis refuses writes. */
export const MEMORY_WARN_SHARE = 0.8;
/** While memory stays high, the warning is repeated this often, not at every sweep. */
const REPEAT_MS = 10 * 60_000;

const MB = 1024 * 1024;

/**
 * Part of the clock's sweep: with the noeviction policy BullMQ needs, a full Redis turns every
 * webhook into a 503. The gateway says so in its own log well before: at 80 % of maxmemory, a
 * warning with what to do; once full, an error.
 */
export function createRedisMemoryWatch(deps: { redis: RedisConnection; logger: Logger; now: () => number }) {
  let warnedAt = Number.NEGATIVE_INFINITY;
  return async function watchRedisMemory(): Promise<string> {
    const memory = await readRedisMemory(deps.redis);
    if (memory.maxBytes === 0) return 'no maxmemory';
    const share = memory.usedBytes / memory.maxBytes;
    const summary = `${Math.round(share * 100)} % of maxmemory`;
    if (share < MEMORY_WARN_SHARE) {
      warnedAt = Number.NEGATIVE_INFINITY;
      return summary;
    }
    if (deps.now() - warnedAt < REPEAT_MS) return summary;
    warnedAt = deps.now();
    if (memory.full) deps.logger.error(describeRedisFull(memory));
    else {
      deps.logger.warn(
        `Redis memory at ${summary} (${(memory.usedBytes / MB).toFixed(0)} MB of ${(memory.maxBytes / MB).toFixed(0)} MB): at 100 % every webhook gets 503; raise maxmemory, or keep less (HISTORY_MAX_ALERTS, HISTORY_RETENTION), or empty the failed set (Bull Board)`,
        { usedBytes: memory.usedBytes, maxBytes: memory.maxBytes },
      );
    }
    return summary;
  };
}
