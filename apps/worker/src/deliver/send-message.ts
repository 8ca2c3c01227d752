import type { Logger, TemplateCard } from '@ng/core';
import type { Channel, OutgoingMessage, SendResult } from '../channels/channel';
import type { Budget } from '../store/budget';
import { DeliveryError } from '../wecom/classify';

/** How many times a message may be re-rendered shorter after WeCom says it is too long. */
const MAX_SHORTEN_STEPS = 3;

export interface Progress {
  parts: string[];
  sent: number;
}

export type SendOutcome = { sent: true; results: SendResult[]; parts: number } | { sent: false; retryInMs: number };

/**
 * One message to one channel: render, take a slot of the budget for each part (or say when to
 * try again), send the parts in order. After "too long" (45002/40058) it renders again with
 * half the budget, never sending the same body twice. When a part fails after others went out,
 * the parts and how many were sent are saved, so the retry sends only the rest. A companion
 * message (the @ by phone a markdown card cannot carry) goes last, as one more part.
 */
export async function sendMessage(input: {
  channel: Channel;
  budget: Budget;
  render: (budgetBytes: number) => string[];
  /** An interactive card instead of the rendered text: one part, nothing to shorten. */
  card?: TemplateCard;
  mentions?: string[];
  companion?: OutgoingMessage;
  progress?: Progress;
  saveProgress: (progress: Progress) => Promise<void>;
  log: Logger;
}): Promise<SendOutcome> {
  const { channel } = input;
  const rule = channel.budget({ format: channel.format, content: '', mentions: input.mentions });
  let budgetBytes = channel.budgetBytes;
  let progress = input.progress;
  for (let step = 0; ; step++) {
    const parts = input.card ? [''] : (progress?.parts ?? input.render(budgetBytes));
    const sends: OutgoingMessage[] = [...parts.map((content) => ({ format: channel.format, content, mentions: input.mentions, card: input.card })), ...(input.companion ? [input.companion] : [])];
    const from = progress?.sent ?? 0;
    const taken = rule ? await input.budget.take(rule, sends.length - from) : undefined;
    if (taken && !taken.ok) return { sent: false, retryInMs: taken.retryInMs };
    const results: SendResult[] = [];
    let sent = from;
    try {
      for (; sent < sends.length; sent++) results.push(await channel.send(sends[sent]));
      return { sent: true, results, parts: parts.length };
    } catch (err) {
      if (taken?.ok) await input.budget.giveBack(taken, sends.length - sent);
      const tooLong = err instanceof DeliveryError && err.classification.action === 'shorten';
      if (tooLong && from === 0 && sent === 0 && step < MAX_SHORTEN_STEPS) {
        budgetBytes = Math.floor(budgetBytes / 2);
        progress = undefined;
        input.log.warn('message too long for WeCom, rendering shorter', { channel: channel.id, errcode: err.classification.errcode, budgetBytes });
        continue;
      }
      if (sent > from) await input.saveProgress({ parts, sent });
      throw err;
    }
  }
}
