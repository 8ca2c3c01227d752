import type { Config, DestinationSpec, Logger, Metrics, RedisConnection } from '@ng/core';
import type { Clock } from '../clock';
import { createWecomHttp } from '../wecom/http';
import type { Channel } from './channel';
import { createAppChannel } from './wecom-app';
import { createRobotChannel } from './wecom-robot';
import { createLogChannel } from './log';

export type { Channel } from './channel';
export { createAppChannel, createRobotChannel, createLogChannel };

/** One channel per destination the policy names, keyed by destination id. */
export function buildDestinationChannels(
  destinations: readonly DestinationSpec[],
  deps: { config: Config; redis: RedisConnection; logger: Logger; metrics?: Metrics; clock: Clock },
): Map<string, Channel> {
  const http = createWecomHttp({ apiBase: deps.config.weixin.apiBase, timeoutMs: deps.config.weixin.timeoutMs, freqLimitDelayMs: deps.config.freqLimitDelayMs });
  const channels = new Map<string, Channel>();
  for (const d of destinations) {
    const channel =
      d.type === 'app'
        ? createAppChannel({ ...deps, http, perMinute: deps.config.appRateLimitPerMin, interactive: Boolean(deps.config.weixin.callbackToken) }, { id: d.id, toUser: d.toUser, toParty: d.toParty, toTag: d.toTag })
        : d.type === 'robot'
          ? createRobotChannel({ http, perMinute: deps.config.robotRateLimitPerMin }, { key: d.key, id: d.id })
          : createLogChannel(deps, d.id);
    channels.set(d.id, channel);
  }
  return channels;
}
