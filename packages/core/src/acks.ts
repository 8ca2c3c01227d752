import { historyKeys } from './history/keys';
import type { RedisConnection } from './redis';

/** Who took a problem on, and who said it was dealt with (from a card's buttons or the console). */
export interface Ack {
  claimedBy?: string;
  claimedName?: string;
  claimedAt?: string;
  handledBy?: string;
  handledName?: string;
  handledAt?: string;
}

/**
 * Claims per problem, kept as long as the history. The first claim wins (HSETNX): two people
 * clicking 认领 at once both see the one who was first.
 */
export function createAckStore(deps: { redis: RedisConnection; prefix: string; retentionMs: number }) {
  const key = (problemKey: string) => historyKeys(deps.prefix).ack(problemKey);
  return {
    async get(problemKey: string): Promise<Ack | undefined> {
      const ack = (await deps.redis.hgetall(key(problemKey))) as Ack;
      return Object.keys(ack).length ? ack : undefined;
    },
    /** The claim that holds after this one: this one if it was first. */
    async claim(problemKey: string, user: { id: string; name?: string }, atMs: number): Promise<{ ack: Ack; first: boolean }> {
      const first = (await deps.redis.hsetnx(key(problemKey), 'claimedBy', user.id)) === 1;
      if (first) await deps.redis.hset(key(problemKey), 'claimedName', user.name ?? user.id, 'claimedAt', new Date(atMs).toISOString());
      await deps.redis.pexpire(key(problemKey), deps.retentionMs);
      return { ack: (await this.get(problemKey)) ?? {}, first };
    },
    async handled(problemKey: string, user: { id: string; name?: string }, atMs: number): Promise<Ack> {
      await deps.redis.hset(key(problemKey), 'handledBy', user.id, 'handledName', user.name ?? user.id, 'handledAt', new Date(atMs).toISOString());
      await deps.redis.pexpire(key(problemKey), deps.retentionMs);
      return (await this.get(problemKey)) ?? {};
    },
    /** The problem fired again after it ended: the next occurrence is nobody's yet. */
    async clear(problemKey: string): Promise<void> {
      await deps.redis.del(key(problemKey));
    },
  };
}

export type AckStore = ReturnType<typeof createAckStore>;
