import { createHash } from 'node:crypto';
import type { RedisConnection } from '@ng/core';

type Arg = string | number;

/**
 * A Lua script called by its SHA (EVALSHA), loaded on first use: sending the script text with
 * every call would cost more than the script itself on the hot path.
 */
export function luaScript(lua: string, numberOfKeys: number) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis: RedisConnection, ...keysAndArgs: Arg[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, numberOfKeys, ...keysAndArgs);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, numberOfKeys, ...keysAndArgs);
    }
  };
}
