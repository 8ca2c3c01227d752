import { DESTINATION_FORMAT, hashId, type Config, type Logger, type Metrics, type RedisConnection } from '@ng/core';
import type { Clock } from '../clock';
import { createTokenCache, type TokenCache } from '../store/token-cache';
import { DeliveryError } from '../wecom/classify';
import type { WecomHttp } from '../wecom/http';
import type { Channel, OutgoingMessage, SendResult } from './channel';

export interface AppTarget {
  id?: string;
  toUser?: string;
  toParty?: string;
  toTag?: string;
}

interface SendResponse {
  errcode: number;
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
}

const list = (s?: string) => (s ? s.split('|').filter(Boolean) : undefined);

/** One token cache per app (corp + agent), shared by every target of that app in the process. */
const tokenCaches = new WeakMap<object, Map<string, TokenCache>>();

function tokenCacheFor(deps: AppDeps): TokenCache {
  const { weixin } = deps.config;
  const key = `${deps.config.queuePrefix}:wecom:token:${hashId(weixin.corpId, weixin.agentId)}`;
  let byKey = tokenCaches.get(deps.redis);
  if (!byKey) tokenCaches.set(deps.redis, (byKey = new Map()));
  let cache = byKey.get(key);
  if (!cache) {
    cache = createTokenCache({
      redis: deps.redis,
      key,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      fetchToken: async () => {
        const query = new URLSearchParams({ corpid: weixin.corpId ?? '', corpsecret: weixin.corpSecret ?? '' });
        const body = await deps.http.call<{ access_token: string; expires_in: number }>('gettoken', 'GET', `/cgi-bin/gettoken?${query}`);
        return { token: body.access_token, expiresInSec: Number(body.expires_in) || 7200 };
      },
    });
    byKey.set(key, cache);
  }
  return cache;
}

export interface AppDeps {
  config: Config;
  /** Messages a minute one member may get (WeCom drops more than 30 without an error). */
  perMinute: number;
  redis: RedisConnection;
  http: WecomHttp;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
}

/**
 * WeCom application messages (gettoken + message/send). Plain text by default: markdown is
 * not shown to users on the WeChat side (reference/wecom.md §3).
 */
export function createAppChannel(deps: AppDeps, target: AppTarget = {}): Channel {
  const { weixin } = deps.config;
  const tokens = tokenCacheFor(deps);
  const toUser = target.toUser ?? (target.toParty || target.toTag ? undefined : weixin.toUser);

  function recipients(mentions?: string[]) {
    // Policy mentions on the app are extra recipients, unless everybody gets it already.
    const users = toUser === '@all' ? ['@all'] : [...new Set([...(list(toUser) ?? []), ...(mentions ?? [])])];
    return {
      touser: users.slice(0, 1000).join('|') || undefined,
      toparty: target.toParty ?? (target.toUser ? undefined : weixin.toParty),
      totag: target.toTag ?? (target.toUser ? undefined : weixin.toTag),
    };
  }

  // One budget per member the message reaches, shared by every destination of this app.
  const appId = hashId(weixin.corpId, weixin.agentId).slice(0, 8);
  function budget(message: OutgoingMessage) {
    const { touser, toparty, totag } = recipients(message.mentions);
    const keys = [
      ...(list(touser) ?? []).map((u) => `app:${appId}:user:${u.toLowerCase()}`),
      ...(list(toparty) ?? []).map((p) => `app:${appId}:party:${p}`),
      ...(list(totag) ?? []).map((t) => `app:${appId}:tag:${t}`),
    ];
    return { keys, perMinute: deps.perMinute };
  }

  async function sendWith(token: string, message: OutgoingMessage) {
    return deps.http.call<SendResponse>('send', 'POST', `/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`, {
      ...recipients(message.mentions),
      msgtype: message.format,
      agentid: weixin.agentId,
      [message.format]: { content: message.content },
      // A retried identical request is not delivered twice within 30 minutes.
      enable_duplicate_check: 1,
      duplicate_check_interval: 1800,
    });
  }

  return {
    id: target.id ?? 'app',
    kind: 'wecom-app',
    ...DESTINATION_FORMAT.app,
    budget,
    async send(message): Promise<SendResult> {
      let token = await tokens.get();
      let response: SendResponse;
      try {
        response = await sendWith(token, message);
      } catch (err) {
        if (!(err instanceof DeliveryError) || err.classification.action !== 'refresh-token') throw err;
        // Token dropped early by WeCom: fetch once, send once more, never loop.
        await tokens.invalidate(token);
        token = await tokens.get();
        try {
          response = await sendWith(token, message);
        } catch (again) {
          if (again instanceof DeliveryError && again.classification.action === 'refresh-token') {
            throw new DeliveryError({ ...again.classification, action: 'retry' }, again.message);
          }
          throw again;
        }
      }
      const missed = {
        users: list(response.invaliduser),
        parties: list(response.invalidparty),
        tags: list(response.invalidtag),
        unlicensed: list(response.unlicenseduser),
      };
      const anyMissed = Object.values(missed).some((v) => v?.length);
      return { errcode: response.errcode, missed: anyMissed ? missed : undefined };
    },
  };
}
