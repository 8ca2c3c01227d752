import { pickTemplate } from '../policy/templates';
import type { CardTemplates } from '../policy/types';
import type { Message } from '../queue';
import { renderAlert } from './card';
import { renderDigest, renderStormSummary } from './digest';
import type { RenderOptions } from './types';

export interface RenderContext {
  format: RenderOptions['format'];
  budgetBytes: number;
  tz: string;
  now: number;
  /** A critical that waited longer than this says how late it is. */
  lateNoticeAfterMs: number;
  /** The destination the message goes to and the policy's templates: they choose the card's template. */
  destinationId?: string;
  templates?: CardTemplates;
  /** The console page of what the message is about (PUBLIC_URL). */
  link?: string;
  onTemplateError?: RenderOptions['onTemplateError'];
}

/** What a message says, written for one channel: 1..n parts, each within the byte budget. */
export function renderMessage(message: Message, ctx: RenderContext): string[] {
  const opts = { format: ctx.format, budgetBytes: ctx.budgetBytes, tz: ctx.tz, now: new Date(ctx.now), link: ctx.link };
  switch (message.kind) {
    case 'alert': {
      const { alert } = message;
      const waitedMs = ctx.now - Date.parse(alert.receivedAt);
      const lateByMs = alert.severity === 'critical' && waitedMs > ctx.lateNoticeAfterMs ? waitedMs : undefined;
      const template = pickTemplate(ctx.templates, { route: message.route, destinationId: ctx.destinationId, source: alert.source, format: ctx.format });
      return renderAlert(alert, { ...opts, totals: message.totals, repeat: message.repeat, mentions: message.mentions, lateByMs, template, onTemplateError: ctx.onTemplateError });
    }
    case 'digest':
      return renderDigest({ heading: message.heading, items: message.items }, opts);
    case 'storm':
      return renderStormSummary({ items: message.items, windowStart: message.windowStart, windowEnd: message.windowEnd }, opts);
  }
}
