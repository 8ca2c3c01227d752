import { renderAlert, renderDigest, renderStormSummary, type Message, type RenderOptions } from '@ng/core';

export interface RenderContext {
  format: RenderOptions['format'];
  budgetBytes: number;
  tz: string;
  now: number;
  /** A critical that waited longer than this says how late it is. */
  lateNoticeAfterMs: number;
  /** The message's console page (PUBLIC_URL set). */
  link?: string;
}

/** What a message says, written for one channel: 1..n parts, each within the byte budget. */
export function renderMessage(message: Message, ctx: RenderContext): string[] {
  const opts = { format: ctx.format, budgetBytes: ctx.budgetBytes, tz: ctx.tz, now: new Date(ctx.now), link: ctx.link };
  switch (message.kind) {
    case 'alert': {
      const { alert } = message;
      const waitedMs = ctx.now - Date.parse(alert.receivedAt);
      const lateByMs = alert.severity === 'critical' && waitedMs > ctx.lateNoticeAfterMs ? waitedMs : undefined;
      return renderAlert(alert, { ...opts, totals: message.totals, repeat: message.repeat, mentions: message.mentions, lateByMs });
    }
    case 'digest':
      return renderDigest({ heading: message.heading, items: message.items }, opts);
    case 'storm':
      return renderStormSummary({ items: message.items, windowStart: message.windowStart, windowEnd: message.windowEnd }, opts);
  }
}
