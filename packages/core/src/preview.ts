import type { Alert } from './alert';
import type { Config } from './config';
import { decide } from './policy/decide';
import { DESTINATION_FORMAT, type Policy } from './policy/types';
import { pickTemplate } from './policy/templates';
import type { Message } from './queue';
import { renderMessage } from './render/message';
import type { Totals } from './render/types';
import { byteLength } from './render/utf8';
import { normalizeWebhook, type Webhook } from './sources/webhook';

export interface PreviewPart {
  text: string;
  bytes: number;
  /** WeCom's limit for the destination's format (reference/wecom.md §5). */
  limit: number;
}

export interface PreviewDestination {
  destination: string;
  type: Policy['destinations'][number]['type'];
  format: 'text' | 'markdown';
  /** The policy route that decided (`default` when none did). */
  route: string;
  /** What the worker would do with a first occurrence: send it now, put it in a digest, drop it, hold it for a silence. */
  fate: 'queued' | 'digested' | 'dropped' | 'silenced';
  reason: string;
  /** The card template: a file, the policy path of an inline one, or the built-in card. */
  template: string;
  /** What the destination receives now, part by part (queued only). */
  parts: PreviewPart[];
}

export interface PreviewAlert {
  key: string;
  title: string;
  source: Alert['source'];
  severity: Alert['severity'];
  status: Alert['status'];
  destinations: PreviewDestination[];
}

export interface Preview {
  event: string;
  /** Why a webhook carries no alert (a Sentry comment, an installation). */
  ignored?: string;
  /** Hash of the policy previewed. */
  policy: string;
  alerts: PreviewAlert[];
}

/**
 * The totals the worker's problem store holds after a problem's first occurrence (store/
 * problems.ts, OBSERVE): the source's count or 1, its users, first seen at its start, last
 * seen now. A resolution or an assignment is not an occurrence and counts nothing.
 */
function firstOccurrence(alert: Alert, now: Date): Totals {
  if (alert.status !== 'firing' && alert.status !== 'unresolved') return { count: 0 };
  const startsAt = Date.parse(alert.startsAt ?? '');
  return {
    count: Math.max(1, alert.count ?? 0),
    userCount: alert.userCount !== undefined && alert.userCount > 0 ? alert.userCount : undefined,
    firstSeen: new Date(Number.isFinite(startsAt) ? startsAt : now.getTime()).toISOString(),
    lastSeen: now.toISOString(),
  };
}

/**
 * What each destination would receive for a webhook, as if it were the problem's first
 * occurrence: the policy's routing and silences decide, the destination's format, template
 * and byte limit shape the parts. Dedup and storms depend on what came before, so they are
 * not simulated: a preview never touches the gateway's state.
 */
export async function previewWebhook(input: {
  webhook: Webhook;
  policy: Policy;
  config: Pick<Config, 'displayTz' | 'lateNoticeAfterMs'> & { sentry: Pick<Config['sentry'], 'baseUrl'> };
  now: Date;
  silenced?: (alert: Alert) => Promise<{ id: string } | undefined>;
}): Promise<Preview> {
  const { policy, now } = input;
  const { event, alerts, ignored } = normalizeWebhook(input.webhook, { receivedAt: now, sentryBaseUrl: input.config.sentry.baseUrl });
  const types = new Map(policy.destinations.map((d) => [d.id, d.type]));
  const previewed: PreviewAlert[] = [];
  for (const alert of alerts) {
    const silence = await input.silenced?.(alert);
    const destinations = decide(policy, alert).map((d): PreviewDestination => {
      const type = types.get(d.destinationId) ?? 'log';
      const { format, budgetBytes } = DESTINATION_FORMAT[type];
      const template = pickTemplate(policy, { alert, destinationId: d.destinationId, format })?.name ?? `built-in ${alert.source}.${format}.liquid`;
      const base = { destination: d.destinationId, type, format, route: d.route, template, parts: [] };
      if (d.delivery === 'drop') return { ...base, fate: 'dropped', reason: `dropped by policy (${d.route})` };
      if (silence) return { ...base, fate: 'silenced', reason: `silenced by ${silence.id}` };
      if (d.delivery !== 'immediate') return { ...base, fate: 'digested', reason: `digested into the ${d.delivery} digest (${d.destinationId})` };
      const message: Message = { kind: 'alert', alert, totals: firstOccurrence(alert, now), repeat: false, mentions: d.mentions, claimant: 'preview' };
      const texts = renderMessage(message, { format, budgetBytes, tz: input.config.displayTz, now: now.getTime(), lateNoticeAfterMs: input.config.lateNoticeAfterMs, policy, destinationId: d.destinationId });
      return { ...base, fate: 'queued', reason: `to ${d.destinationId}`, parts: texts.map((text) => ({ text, bytes: byteLength(text), limit: budgetBytes })) };
    });
    previewed.push({ key: alert.key, title: alert.title, source: alert.source, severity: alert.severity, status: alert.status, destinations });
  }
  return { event, ignored, policy: policy.hash, alerts: previewed };
}
