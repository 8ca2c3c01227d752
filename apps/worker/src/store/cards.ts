import { luaScript, type Alert, type RedisConnection } from '@ng/core';

/** WeCom keeps a card's response code 72 hours; so does this store. */
const CARD_TTL_MS = 72 * 3600 * 1000;

export interface SentCard {
  taskId: string;
  /** The alert the card is about, to draw it again when it changes. */
  alert: Alert;
  destinationId: string;
}

// A response code is good for one update: whoever takes it, takes it alone.
const TAKE_CODE = `local c = redis.call('HGET', KEYS[1], 'code') if c then redis.call('HDEL', KEYS[1], 'code') end return c`;
const takeCodeScript = luaScript(TAKE_CODE);

/**
 * The interactive cards sent, by task id (WeCom names the card so in a click event): which
 * alert, problem and destination each is about, and its unused response code; and per
 * problem, every card about it, so a claim updates them all.
 */
export function createCardStore(deps: { redis: RedisConnection; prefix: string }) {
  const cardKey = (taskId: string) => `${deps.prefix}:card:${taskId}`;
  const problemKey = (key: string) => `${deps.prefix}:cards:${key}`;
  return {
    async register(card: SentCard, responseCode?: string): Promise<void> {
      const fields = { alert: JSON.stringify(card.alert), destinationId: card.destinationId, ...(responseCode ? { code: responseCode } : {}) };
      const problem = problemKey(card.alert.key);
      await deps.redis.multi().hset(cardKey(card.taskId), fields).pexpire(cardKey(card.taskId), CARD_TTL_MS).sadd(problem, card.taskId).pexpire(problem, CARD_TTL_MS).exec();
    },
    async get(taskId: string): Promise<SentCard | undefined> {
      const fields = await deps.redis.hgetall(cardKey(taskId));
      return fields.alert ? { taskId, alert: JSON.parse(fields.alert) as Alert, destinationId: fields.destinationId } : undefined;
    },
    /** Every card about a problem that WeCom still lets us update. */
    async ofProblem(key: string): Promise<SentCard[]> {
      const ids = await deps.redis.smembers(problemKey(key));
      return (await Promise.all(ids.map((id) => this.get(id)))).filter((c): c is SentCard => c !== undefined);
    },
    /** The card's own response code (from its send), once. */
    async takeCode(taskId: string): Promise<string | undefined> {
      return ((await takeCodeScript(deps.redis, [cardKey(taskId)])) as string | null) ?? undefined;
    },
  };
}

export type CardStore = ReturnType<typeof createCardStore>;
