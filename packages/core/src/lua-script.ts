import { createHash } from 'node:crypto';
import type { RedisConnection } from './redis';

type Arg = string | number;

/**
 * Most arguments one call may carry. ioredis's auto-pipelining spreads a command's arguments
 * into a function call; past some tens of thousands that overflows the stack inside ioredis,
 * which then answers the wrong callbacks and throws where nothing can catch it: the process
 * dies. Refused here, as an error its caller sees; callers with more work split it.
 */
export const MAX_SCRIPT_ARGS = 10_000;

/** Ids or keys per Redis call where work comes in unbounded amounts: well under that limit. */
export const KEYS_PER_CALL = 1000;

/**
 * A Lua script called by its SHA (EVALSHA), loaded on first use: sending the script text with
 * every call would cost more than the script itself on the hot path.
 */
export function luaScript(lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis: RedisConnection, keys: readonly string[], args: readonly Arg[] = []): Promise<unknown> => {
    if (keys.length + args.length > MAX_SCRIPT_ARGS) throw new Error(`a Lua script called with ${keys.length + args.length} keys and arguments, more than ${MAX_SCRIPT_ARGS}: split the work`);
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
