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
}

export interface SendResult {
  /** Recipients WeCom reported as not reached (invaliduser, invalidparty, invalidtag, unlicenseduser). */
  missed?: { users?: string[]; parties?: string[]; tags?: string[]; unlicensed?: string[] };
  /** errcode of the (successful) answer, 0 for WeCom, absent for the log channel. */
  errcode?: number;
  /** The app message's id (WeCom uses it to recall or update a message). */
  msgid?: string;
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
}
