import { appRecipients, DESTINATION_FORMAT, hashId, type Config, type Logger, type Metrics, type RedisConnection } from '@ng/core';
import type { Clock } from '../clock';
import { createTokenCache, type TokenCache } from '../store/token-cache';
import { DeliveryError } from '../wecom/classify';
import type { WecomHttp } from '../wecom/http';
import type { CardUpdate, Channel, OutgoingMessage, SendResult } from './channel';

export interface AppTarget {
  id?: string;
  toUser?: string;
  toParty?: string;
  toTag?: string;
}

interface SendResponse {
  errcode: number;
  msgid?: string;
  response_code?: string;
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
  /** The app's callback is configured: its alert cards carry buttons. */
  interactive: boolean;
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
  const { toUser, toParty, toTag } = appRecipients(weixin, target);

  function recipients(mentions?: string[]) {
    // Policy mentions on the app are extra recipients, unless everybody gets it already.
    const users = toUser === '@all' ? ['@all'] : [...new Set([...(list(toUser) ?? []), ...(mentions ?? [])])];
    return {
      touser: users.slice(0, 1000).join('|') || undefined,
      toparty: toParty,
      totag: toTag,
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

  function sendBody(message: OutgoingMessage) {
    const content = message.card ? { msgtype: 'template_card', template_card: message.card } : { msgtype: message.format, [message.format]: { content: message.content } };
    // A retried identical request is not delivered twice within 30 minutes.
    return { ...recipients(message.mentions), ...content, agentid: weixin.agentId, enable_duplicate_check: 1, duplicate_check_interval: 1800 };
  }

  function updateBody(update: CardUpdate) {
    const change = update.card ? { template_card: update.card } : { button: { replace_name: update.replaceName } };
    return { atall: 1, agentid: weixin.agentId, response_code: update.responseCode, ...change };
  }

  /** One call with the shared token; a token WeCom dropped early is fetched once more and the call made once more, never looping. */
  async function withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await tokens.get();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof DeliveryError) || err.classification.action !== 'refresh-token') throw err;
      await tokens.invalidate(token);
      try {
        return await call(await tokens.get());
      } catch (again) {
        if (again instanceof DeliveryError && again.classification.action === 'refresh-token') {
          throw new DeliveryError({ ...again.classification, action: 'retry' }, again.message);
        }
        throw again;
      }
    }
  }

  const post = (path: string, api: 'send' | 'update', body: unknown) => (token: string) =>
    deps.http.call<SendResponse>(api, 'POST', `${path}?access_token=${encodeURIComponent(token)}`, body);

  return {
    id: target.id ?? 'app',
    kind: 'wecom-app',
    ...DESTINATION_FORMAT.app,
    budget,
    interactive: deps.interactive,
    async send(message): Promise<SendResult> {
      const response = await withToken(post('/cgi-bin/message/send', 'send', sendBody(message)));
      const missed = {
        users: list(response.invaliduser),
        parties: list(response.invalidparty),
        tags: list(response.invalidtag),
        unlicensed: list(response.unlicenseduser),
      };
      const anyMissed = Object.values(missed).some((v) => v?.length);
      return { errcode: response.errcode, msgid: response.msgid, responseCode: response.response_code, missed: anyMissed ? missed : undefined };
    },
    async updateCard(update) {
      const response = await withToken(post('/cgi-bin/message/update_template_card', 'update', updateBody(update)));
      return { errcode: response.errcode };
    },
    async memberName(userId) {
      // Apps may read the name of members in their visible range; without that right, the user id has to do.
      const query = `userid=${encodeURIComponent(userId)}`;
      const member = await withToken((token) => deps.http.call<{ name?: string }>('user', 'GET', `/cgi-bin/user/get?access_token=${encodeURIComponent(token)}&${query}`)).catch(() => undefined);
      return member?.name;
    },
  };
}
