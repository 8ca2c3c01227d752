import { pickTemplate } from '../policy/templates';
import type { Policy } from '../policy/types';
import type { Message } from '../queue';
import { renderAlert } from './card';
import { renderDigest, renderStormSummary } from './digest';
import { summarizeDigest, summarizeStorm } from './list-summary';
import type { RenderOptions } from './types';
import { templateCardFor, type TemplateCard } from './template-card';

export interface RenderContext {
  format: RenderOptions['format'];
  budgetBytes: number;
  tz: string;
  now: number;
  /** A critical that waited longer than this says how late it is. */
  lateNoticeAfterMs: number;
  /** The policy in force and the destination the message goes to: they choose the card's template. */
  policy?: Policy;
  destinationId?: string;
  /** The console page of what the message is about (PUBLIC_URL). */
  link?: string;
  /** The channel the message goes through: the test card names it. */
  destination?: RenderOptions['destination'];
  onTemplateError?: RenderOptions['onTemplateError'];
}

/**
 * An alert card people can act on, for a channel that can take one (the app, its callback
 * configured): a problem still firing, worth a claim (critical or warning, not the test card).
 */
export function actionableCard(message: Message, ctx: { interactive: boolean; taskId: string; tz: string; link?: string }): TemplateCard | undefined {
  if (!ctx.interactive || message.kind !== 'alert') return undefined;
  const { alert } = message;
  if (alert.source === 'test' || alert.severity === 'info' || (alert.status !== 'firing' && alert.status !== 'unresolved')) return undefined;
  const state = message.claim && { text: `✋ 已认领: ${message.claim.by}`, claimed: true };
  return templateCardFor(alert, { taskId: ctx.taskId, tz: ctx.tz, totals: message.totals, link: ctx.link, state, escalation: message.escalation });
}

/** What a message says, written for one channel: 1..n parts, each within the byte budget. */
export function renderMessage(message: Exclude<Message, { kind: 'card-update' }>, ctx: RenderContext): string[] {
  const opts = { format: ctx.format, budgetBytes: ctx.budgetBytes, tz: ctx.tz, now: new Date(ctx.now), link: ctx.link };
  switch (message.kind) {
    case 'alert': {
      const { alert } = message;
      const waitedMs = ctx.now - Date.parse(alert.receivedAt);
      const lateByMs = alert.severity === 'critical' && waitedMs > ctx.lateNoticeAfterMs ? waitedMs : undefined;
      const template = ctx.policy && ctx.destinationId !== undefined ? pickTemplate(ctx.policy, { alert, destinationId: ctx.destinationId, format: ctx.format }) : undefined;
      return renderAlert(alert, { ...opts, totals: message.totals, repeat: message.repeat, mentions: message.mentions, lateByMs, claim: message.claim, escalation: message.escalation, destination: ctx.destination, template, onTemplateError: ctx.onTemplateError });
    }
    case 'digest': {
      const { items, problems, occurrences } = message;
      const summary = problems !== undefined && occurrences !== undefined ? { items, problems, occurrences } : summarizeDigest(items);
      return renderDigest({ heading: message.heading, ...summary }, opts);
    }
    case 'storm': {
      const summary = 'groups' in message ? { groups: message.groups, alerts: message.alerts } : summarizeStorm(message.items);
      return renderStormSummary({ ...summary, windowStart: message.windowStart, windowEnd: message.windowEnd }, opts);
    }
  }
}
