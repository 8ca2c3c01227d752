import type { TemplateCard } from '@ng/core';
import type { BudgetRule } from '../store/budget';

/**
 * One interface for every way a message leaves the gateway. The WeCom app, the group robot
 * and the log (dry run) each implement it; the delivery processor never knows which it holds.
 */
export type MessageFormat = 'text' | 'markdown';

export interface OutgoingMessage {
  format: MessageFormat;
  content: string;
  /** WeCom user ids to @-mention (robot: `<@id>` in content / mentioned_list; app: touser). */
  mentions?: string[];
  /** Phone numbers to @-mention (robot text messages only: mentioned_mobile_list). */
  mentionMobiles?: string[];
  /** An interactive card instead of the text (app channel with a callback; content is then unused). */
  card?: TemplateCard;
}

/** A card already sent, changed for every recipient: a new card, or its buttons greyed out with one text. */
export interface CardUpdate {
  /** Single use: from the send, or from the click being answered. */
  responseCode: string;
  card?: TemplateCard;
  replaceName?: string;
}

export interface SendResult {
  /** Recipients WeCom reported as not reached (invaliduser, invalidparty, invalidtag, unlicenseduser). */
  missed?: { users?: string[]; parties?: string[]; tags?: string[]; unlicensed?: string[] };
  /** errcode of the (successful) answer, 0 for WeCom, absent for the log channel. */
  errcode?: number;
  /** The app message's id (WeCom uses it to recall or update a message). */
  msgid?: string;
  /** An interactive card's code for one later update (valid 72 h, single use). */
  responseCode?: string;
}

export interface Channel {
  /** Stable id used in logs, metrics and rate-limit keys; never contains a secret. */
  readonly id: string;
  readonly kind: 'wecom-app' | 'wecom-robot' | 'log';
  /** Preferred format and its UTF-8 byte budget (app 2048, robot markdown 4096, robot text 2048). */
  readonly format: MessageFormat;
  readonly budgetBytes: number;
  /** Where a message spends WeCom's per-minute budget; undefined = no limit (the log). */
  budget(message: OutgoingMessage): BudgetRule | undefined;
  /** Sends once. Throws DeliveryError (wecom/classify.ts) on any failure; never retries by itself except the one token refresh. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Can it send cards with buttons (an app whose callback is configured)? Then updateCard exists. */
  readonly interactive: boolean;
  updateCard?(update: CardUpdate): Promise<SendResult>;
  /** A member's name (the app may read it for members in its visible range), for "已认领: 张三". */
  memberName?(userId: string): Promise<string | undefined>;
}
