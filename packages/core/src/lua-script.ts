import { createHash } from 'node:crypto';
import type { RedisConnection } from './redis';

type Arg = string | number;

/**
 * A Lua script called by its SHA (EVALSHA), loaded on first use: sending the script text with
 * every call would cost more than the script itself on the hot path.
 */
export function luaScript(lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis: RedisConnection, keys: readonly string[], args: readonly Arg[] = []): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
