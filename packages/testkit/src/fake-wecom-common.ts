import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { CardBook } from './fake-wecom-cards';
import type { OAuthCode } from './fake-wecom-oauth';

/**
 * What every part of the fake WeCom shares: its state, and the way WeCom answers (errcode in an
 * HTTP 200 body with a trace hint, scripted troubles, the checks of a call made with a token).
 */
export interface Recorded {
  api: 'app' | 'robot';
  key?: string;
  msgtype: string;
  /** The message as a person reads it (a template card rendered as text). */
  content: string;
  body: Record<string, unknown>;
  at: number;
  /** Advice WeCom gives but does not enforce (it cuts): lengths over it. Empty when none. */
  warnings: string[];
  /** App messages: touser split on '|'. */
  recipients?: string[];
  /** Template cards: the card as sent, and its task id. */
  card?: Record<string, unknown>;
  taskId?: string;
  /** Robot text and markdown: who was @-mentioned (mentioned_list and <@userid>; mentioned_mobile_list). */
  mentions?: { userids: string[]; mobiles: string[] };
}

/** A scripted answer for the next call: an errcode, an HTTP status, a delay, or a reset socket. */
export type Scripted = { errcode: number; errmsg?: string } | { httpStatus: number } | { delayMs: number } | 'reset';
export type ScriptedApi = 'gettoken' | 'app' | 'robot' | 'update' | 'user';
export const SCRIPTED_APIS: ScriptedApi[] = ['gettoken', 'app', 'robot', 'update', 'user'];
export type DownMode = 'refused' | '5xx' | '45009';

/** Who the app may reach (WeCom's 可见范围); department 1 is the whole company. */
export interface VisibleRange {
  users: string[];
  parties: number[];
  tags: number[];
}

/** A member of the fake company (every one in department 1). */
export interface Member {
  userid: string;
  name: string;
  mobile?: string;
}

/** The app's callback (接收消息 → 设置API接收): where the fake plays clicks, and their keys. */
export interface CallbackTarget {
  url: string;
  token: string;
  /** The EncodingAESKey, 43 letters and digits. */
  aesKey: string;
}

/** Everything the fake knows; the control API and the programmatic handle change it. */
export interface FakeState {
  corpId: string;
  corpSecret: string;
  agentId: number;
  robotKeys: Set<string>;
  disabledRobotKeys: Set<string>;
  untrustedIp: boolean;
  visibleRange: VisibleRange;
  tokenTtlSec: number;
  robotPerMinute: number;
  keepMessages: boolean;
  now: () => number;
  down: DownMode | null;
  tokens: Map<string, number>;
  tokenSeq: number;
  robotSends: Map<string, { times: number[]; start: number }>;
  scripts: Record<ScriptedApi, Scripted[]>;
  messages: Recorded[];
  accepted: number;
  gettokenCalls: number;
  sendCalls: number;
  robotCalls: number;
  updateCalls: number;
  userCalls: number;
  clicks: number;
  members: Member[];
  callback?: CallbackTarget;
  /** Whether the app has a callback saved in the console; undefined: whether `callback` is set. */
  callbackConfigured?: boolean;
  /** The app's 可信域名 (host[:port]); undefined: any redirect_uri is trusted. */
  trustedDomain?: string;
  /** Who signs in through OAuth; undefined: the first member. */
  oauthUser?: string;
  cards: CardBook;
  oauthCodes: Map<string, OAuthCode>;
  /** App sends that asked for WeCom's duplicate check: the request JSON → when, and what was answered. */
  checkedSends: Map<string, { at: number; answer: Record<string, unknown> }>;
  onMessage?: (message: Recorded) => void;
}

/** WeCom's limit for duplicate_check_interval ("最大不超过4小时"); 1800 s unless the request says. */
const MAX_DUPLICATE_CHECK_SEC = 4 * 3600;

/**
 * enable_duplicate_check: "同样内容(请求json)的消息，不会重复收到" within duplicate_check_interval.
 * The same request again is not delivered; what WeCom answers then is not documented: the fake
 * answers as it did the first time (same msgid and response_code).
 */
export function duplicateAnswer(state: FakeState, body: Record<string, unknown>): Record<string, unknown> | undefined {
  if (Number(body.enable_duplicate_check) !== 1) return undefined;
  const seen = state.checkedSends.get(JSON.stringify(body));
  const windowMs = Math.min(Number(body.duplicate_check_interval ?? 1800), MAX_DUPLICATE_CHECK_SEC) * 1000;
  return seen && state.now() - seen.at < windowMs ? seen.answer : undefined;
}

/** A successful app send's answer, remembered for the duplicate check when the request asked for it. */
export function answered(state: FakeState, body: Record<string, unknown>, answer: Record<string, unknown>): Record<string, unknown> {
  if (Number(body.enable_duplicate_check) === 1) state.checkedSends.set(JSON.stringify(body), { at: state.now(), answer });
  return answer;
}

export type Res = http.ServerResponse;
export type Query = URLSearchParams;

const hint = (code: number) => `, hint: [${Date.now()}${Math.floor(Math.random() * 1e6)}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;

export const json = (res: Res, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
export const err = (res: Res, errcode: number, errmsg: string) => json(res, { errcode, errmsg: `${errmsg}${hint(errcode)}` });

/** A WeCom refusal: its errcode and errmsg (without the hint). */
export type Problem = [errcode: number, errmsg: string];

export function record(state: FakeState, message: Recorded) {
  state.accepted++;
  if (state.keepMessages) state.messages.push(message);
  state.onMessage?.(message);
}

/** Applies a scripted answer or the down mode; true when it answered. */
export async function scripted(state: FakeState, api: ScriptedApi, req: http.IncomingMessage, res: Res): Promise<boolean> {
  if (state.down === '5xx') return json(res, { error: 'bad gateway' }, 502), true;
  if (state.down === '45009') return err(res, 45009, 'api freq out of limit'), true;
  const next = state.scripts[api].shift();
  if (!next) return false;
  if (next === 'reset') return req.socket.destroy(), true;
  if ('delayMs' in next) {
    await new Promise((r) => setTimeout(r, next.delayMs));
    return false;
  }
  if ('httpStatus' in next) return json(res, { error: 'scripted' }, next.httpStatus), true;
  return err(res, next.errcode, next.errmsg ?? 'scripted error'), true;
}

/** What a call made with an access token meets before its own checks. */
export function tokenProblem(state: FakeState, query: Query): Problem | undefined {
  const token = query.get('access_token');
  if (!token) return [41001, 'access_token missing'];
  const expires = state.tokens.get(token);
  if (expires === undefined) return [40014, 'invalid access_token'];
  if (expires <= state.now()) return [42001, 'access_token expired'];
  // WeCom checks the app's trusted IPs (企业可信IP) on the calls a token makes.
  if (state.untrustedIp) return [60020, 'not allow to access from your ip'];
  return undefined;
}

/** Whether the app may see a member: named in its visible range, or department 1 (everyone) is. */
export function visible(state: FakeState, userid: string): boolean {
  const { users, parties } = state.visibleRange;
  return parties.includes(1) || users.some((u) => u.toLowerCase() === userid.toLowerCase());
}

/** A member by userid (WeCom's userids are case-insensitive). */
export const memberOf = (state: FakeState, userid: string) => state.members.find((m) => m.userid.toLowerCase() === userid.toLowerCase());

/** Whether callback-capable cards may be sent (WeCom: 43012 otherwise). */
export const callbackConfigured = (state: FakeState) => state.callbackConfigured ?? state.callback !== undefined;

/** A fresh opaque code (response codes, OAuth codes). */
export const freshCode = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;
