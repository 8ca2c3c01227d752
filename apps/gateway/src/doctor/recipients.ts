import { appRecipients, type AppRecipients, type Config, type DestinationSpec } from '@ng/core';
import type { Row } from './row';

export type Recipients = AppRecipients;

/** The app's visible range (可见范围) as agent/get tells it. */
export interface VisibleRange {
  users: string[];
  parties: number[];
  tags: number[];
  closed: boolean;
}

/** Who an app destination sends to, by the rule the worker's app channel follows. */
export const recipientsOf = (config: Config, d: Extract<DestinationSpec, { type: 'app' }>): Recipients => appRecipients(config.weixin, d);

const ids = (list?: string) => (list ? list.split('|').filter(Boolean) : []);
const WHOLE_COMPANY = 1;

/**
 * Whether the app may reach its recipients, as far as the visible range tells: WeCom delivers
 * only inside it (81013 when nobody is). A user or department listed outside it may still be
 * inside through a department that is, which only a send shows: a warning, not a failure.
 */
export function judgeRecipients(r: Recipients, range: VisibleRange): Omit<Row, 'check'> {
  const size = `${range.users.length} users, ${range.parties.length} departments, ${range.tags.length} tags`;
  if (range.closed) return { status: 'fail', found: 'the app is disabled in WeCom', fix: 'enable it: 管理后台 → 应用管理 → the app' };
  if (range.users.length + range.parties.length + range.tags.length === 0) {
    return { status: 'fail', found: "the app's visible range (可见范围) is empty: nobody can receive (81013)", fix: '管理后台 → 应用管理 → the app → 可见范围: add the on-call people or their department' };
  }
  const to = [r.toUser && `touser ${r.toUser}`, r.toParty && `toparty ${r.toParty}`, r.toTag && `totag ${r.toTag}`].filter(Boolean).join(', ');
  if (!to) return { status: 'fail', found: 'no recipient (82001)', fix: 'set WEIXIN_TO_USER, WEIXIN_TO_PARTY or WEIXIN_TO_TAG' };
  if (r.toUser === '@all' || range.parties.includes(WHOLE_COMPANY)) return { status: 'ok', found: `${to}: inside the visible range (${size})` };
  const outside = [
    ...ids(r.toUser).filter((u) => !range.users.some((v) => v.toLowerCase() === u.toLowerCase())),
    ...ids(r.toParty).filter((p) => !range.parties.includes(Number(p))).map((p) => `department ${p}`),
    ...ids(r.toTag).filter((t) => !range.tags.includes(Number(t))).map((t) => `tag ${t}`),
  ];
  if (outside.length === 0) return { status: 'ok', found: `${to}: inside the visible range (${size})` };
  return {
    status: 'warn',
    found: `${outside.join(', ')} not listed in the app's visible range (${size}); reached only through a department that is`,
    fix: 'add them to 可见范围 (管理后台 → 应用管理 → the app), or correct WEIXIN_TO_*; --send shows who WeCom reaches',
  };
}
