import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import { createRedis } from '../redis';
import type { ReloadResult } from './holder';

/** One process's answer to a reload request. */
export type ReloadReply = ReloadResult & { process: string };

const REPLY_WAIT_MS = 3000;

/**
 * "Reload the policy" for every process at once (ingest and each worker), through Redis
 * pub/sub: whoever is asked (POST /-/reload, SIGHUP) publishes a request; every process
 * reloads its own POLICY_FILE and publishes its answer, which the asker collects. PUBLISH
 * says how many processes heard the request, so the asker knows how many answers to wait for.
 */
export function createReloadBus(deps: { redisUrl: string; prefix: string; process: string; logger: Logger; reload: () => ReloadResult }) {
  const requests = `${deps.prefix}:policy:reload`;
  const answers = `${deps.prefix}:policy:reloaded`;
  // A subscribed connection can do nothing else: one to listen, one to publish.
  // ioredis would resubscribe after a reconnect by itself, but without a catch: a bus closed in
  // that moment made an unhandled rejection. We resubscribe on every 'ready' ourselves.
  const listener = createRedis(deps.redisUrl, 'worker', { autoResubscribe: false });
  const publisher = createRedis(deps.redisUrl, 'worker');
  // Both reconnect (and resubscribe) by themselves; the process's main connection reports an outage.
  for (const connection of [listener, publisher]) connection.on('error', () => undefined);
  const waiting = new Map<string, (reply: ReloadReply) => void>();

  listener.on('message', (channel: string, raw: string) => {
    let message: { id?: unknown; reply?: ReloadReply };
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof message.id !== 'string') return;
    if (channel === requests) {
      const reply: ReloadReply = { ...deps.reload(), process: deps.process };
      publisher.publish(answers, JSON.stringify({ id: message.id, reply })).catch((err: Error) => deps.logger.warn('could not answer a policy reload request', { error: err.message }));
    } else if (channel === answers && message.reply) {
      waiting.get(message.id)?.(message.reply);
    }
  });
  // Resolves once the bus first hears requests and answers (Redis may be down for a while), or
  // when it closes first: a reload asked then fails at PUBLISH, with a clear error.
  let markSubscribed = () => undefined as void;
  const subscribed = new Promise<void>((resolve) => (markSubscribed = resolve));
  listener.on('ready', () => {
    listener.subscribe(requests, answers).then(markSubscribed, () => undefined);
  });

  return {
    /** Asks every process to reload; resolves with the answers that came within a few seconds. */
    async reloadEverywhere(): Promise<ReloadReply[]> {
      await subscribed;
      const id = randomUUID();
      const replies: ReloadReply[] = [];
      return new Promise((resolve, reject) => {
        let expected = Number.POSITIVE_INFINITY;
        const done = () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(replies);
        };
        const timer = setTimeout(done, REPLY_WAIT_MS);
        waiting.set(id, (reply) => {
          replies.push(reply);
          if (replies.length >= expected) done();
        });
        publisher.publish(requests, JSON.stringify({ id })).then(
          (heard) => {
            expected = heard;
            if (replies.length >= expected) done();
          },
          (err: Error) => {
            clearTimeout(timer);
            waiting.delete(id);
            reject(err);
          },
        );
      });
    },
    async close(): Promise<void> {
      markSubscribed();
      listener.disconnect();
      publisher.disconnect();
    },
  };
}

export type ReloadBus = ReturnType<typeof createReloadBus>;
