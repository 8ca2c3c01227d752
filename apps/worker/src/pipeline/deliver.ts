import { renderAlert, type Metrics } from '@ng/core';
import type { Channel } from '../channels/channel';
import type { HistoryStore } from '../store/history';
import type { RateLimiter } from '../store/rate-limit';
import type { Clock } from '../clock';
import { DeliveryError } from '../wecom/classify';
import { sendRendered } from './send';
import { sourceName } from './source-name';
import type { Stage } from './stage';

/**
 * Renders the card for each destination that is due one and sends it. Recording the delivery
 * right after each send means a retried job skips the destinations that already have it.
 */
export function deliverStage(deps: {
  channels: ReadonlyMap<string, Channel>;
  history: HistoryStore;
  limiter: RateLimiter;
  metrics: Metrics;
  clock: Clock;
  tz: string;
  /** A critical that waited longer than this in the backlog says how late it is. */
  lateNoticeAfterMs: number;
}): Stage {
  return {
    name: 'deliver',
    async run(ctx) {
      const { alert, job } = ctx;
      const claimant = String(job.id);
      const waitedMs = deps.clock.now() - Date.parse(alert.receivedAt);
      const lateByMs = alert.severity === 'critical' && waitedMs > deps.lateNoticeAfterMs ? waitedMs : undefined;
      // Only a job that ran before (a retry, or one a crashed worker left) can have sent already.
      const ranBefore = job.attemptsStarted > 1 || job.attemptsMade > 0;
      for (const decision of ctx.immediate) {
        if (ranBefore && (await deps.history.wasDelivered(claimant, decision.destinationId))) continue;
        const channel = deps.channels.get(decision.destinationId);
        if (!channel) throw new Error(`no channel for destination ${decision.destinationId}`);
        const fields = { source: alert.source, origin: sourceName(alert), key: alert.key, channel: channel.id, attempt: job.attemptsMade + 1 };
        try {
          const render = (budgetBytes: number) =>
            renderAlert(alert, { format: channel.format, budgetBytes, tz: deps.tz, totals: ctx.totals, repeat: ctx.firstTime === false, mentions: decision.mentions, lateByMs });
          const results = await sendRendered(channel, render, ctx.log, decision.mentions);
          await deps.history.markDelivered(claimant, decision.destinationId);
          ctx.sentTo.push(decision.destinationId);
          deps.metrics.deliveries.inc({ channel: channel.kind, outcome: 'success', errcode: String(results[0]?.errcode ?? 0) });
          deps.metrics.deliveryLatency.observe({ channel: channel.kind }, Math.max(0, waitedMs) / 1000);
          ctx.log.info('消息发送成功', { ...fields, errcode: results[0]?.errcode ?? 0, parts: results.length, fate: 'delivered' });
          const missed = results.find((r) => r.missed)?.missed;
          if (missed) ctx.log.warn('部分接收人未收到消息 (some recipients were not reached)', { ...fields, missed });
        } catch (err) {
          const slot = ctx.slots.get(decision.destinationId);
          if (slot) await deps.limiter.giveBack(decision.destinationId, slot);
          const c = err instanceof DeliveryError ? err.classification : undefined;
          deps.metrics.deliveries.inc({ channel: channel.kind, outcome: c?.action ?? 'error', errcode: String(c?.errcode ?? c?.httpStatus ?? '') });
          ctx.log[c?.action === 'permanent' ? 'error' : 'warn']('消息发送失败', {
            ...fields,
            errcode: c?.errcode,
            httpStatus: c?.httpStatus,
            reason: c?.reason ?? 'internal',
            action: c?.action,
            hint: c?.hint,
            error: err instanceof Error ? err.message : String(err),
          });
          throw err;
        }
      }
    },
  };
}
