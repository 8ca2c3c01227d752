import type { RedisConnection } from '@ng/core';

/**
 * Escalations in Redis, shared by every replica. A problem has at most one running escalation
 * (its episode: the alert job that first paged it); the problem's resolution, a claim or a
 * silence ends it.
 */
export function createEscalationStore(deps: { redis: RedisConnection; prefix: string; retentionMs: number }) {
  const running = (problemKey: string) => `${deps.prefix}:escalation:${problemKey}`;
  return {
    /** Starts an escalation for the problem unless another runs: true when this episode owns it (a retry too). */
    async start(problemKey: string, episode: string): Promise<boolean> {
      if ((await deps.redis.set(running(problemKey), episode, 'PX', deps.retentionMs, 'NX')) === 'OK') return true;
      return (await deps.redis.get(running(problemKey))) === episode;
    },
    /** Is this episode's escalation still running (not claimed, not resolved, not replaced)? */
    async isRunning(problemKey: string, episode: string): Promise<boolean> {
      return (await deps.redis.get(running(problemKey))) === episode;
    },
    /** The problem resolved or was claimed: its escalation stops. */
    async end(problemKey: string): Promise<void> {
      await deps.redis.del(running(problemKey));
    },
  };
}

export type EscalationStore = ReturnType<typeof createEscalationStore>;
