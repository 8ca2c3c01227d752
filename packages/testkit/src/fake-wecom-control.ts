import type http from 'node:http';
import Joi from 'joi';
import { ClickRefused, type Click, type ClickResult } from './fake-wecom-callback';
import { json, SCRIPTED_APIS, type CallbackTarget, type FakeState, type Member, type Recorded, type ScriptedApi } from './fake-wecom-common';

/**
 * The fake's own HTTP API under /__fake/ (no WeCom path starts so): what it received, the cards
 * as each member sees them, the troubles to play — scripted answers, an outage, expired tokens,
 * an untrusted IP, a disabled robot — its settings (members, the app's callback, OAuth), and a
 * member's click on a card. The README's "The fake WeCom" section documents it; every body is
 * checked, and a wrong one is answered 400 with what is wrong.
 */
export interface Controls {
  stats(): ReturnType<typeof statsOf>;
  script(api: ScriptedApi, answers: unknown[]): void;
  down(mode: 'refused' | '5xx' | '45009' | null, keep?: http.IncomingMessage['socket']): void;
  expireTokens(): void;
  /** Throws SettingsRefused with what is wrong. */
  settings(change: SettingsChange): void;
  cards(): unknown;
  /** Throws ClickRefused when no member could make that click. */
  click(click: Click): Promise<ClickResult>;
}

export interface SettingsChange {
  untrustedIp?: boolean;
  disabledRobotKeys?: string[];
  tokenTtlSec?: number;
  visibleRange?: { users?: string[]; parties?: number[]; tags?: number[] };
  /** The company's members (replacing the list). */
  members?: Member[];
  /** The app's callback: where clicks go, with its Token and EncodingAESKey; null: none. */
  callback?: CallbackTarget | null;
  /** Whether the app has a callback saved (43012 for button cards when false); null: whether `callback` is set. */
  callbackConfigured?: boolean | null;
  /** The member who signs in through OAuth. */
  oauthUser?: string;
  /** The app's 可信域名, host[:port]; null: none (any redirect is trusted). */
  trustedDomain?: string | null;
}

export class SettingsRefused extends Error {}

const scriptedAnswer = Joi.alternatives(
  Joi.object({ errcode: Joi.number().integer().required(), errmsg: Joi.string() }),
  Joi.object({ httpStatus: Joi.number().integer().min(100).max(599).required() }),
  Joi.object({ delayMs: Joi.number().integer().min(0).max(600_000).required() }),
  Joi.string().valid('reset'),
);

const member = Joi.object({
  // WeCom's userid: 1–64 letters, digits and _-.@ (global errcode 40003's help).
  userid: Joi.string().pattern(/^[A-Za-z0-9_.@-]{1,64}$/).required().messages({ 'string.pattern.base': '{{#label}} may hold 1 to 64 letters, digits and _-.@' }),
  name: Joi.string().min(1).max(64).required(),
  mobile: Joi.string().pattern(/^[0-9+-]{1,32}$/),
});

export const SETTINGS = Joi.object({
  untrustedIp: Joi.boolean(),
  disabledRobotKeys: Joi.array().items(Joi.string().min(1)),
  tokenTtlSec: Joi.number().integer().min(1),
  visibleRange: Joi.object({ users: Joi.array().items(Joi.string()), parties: Joi.array().items(Joi.number().integer()), tags: Joi.array().items(Joi.number().integer()) }),
  members: Joi.array().items(member).min(1).unique((a: Member, b: Member) => a.userid.toLowerCase() === b.userid.toLowerCase()),
  callback: Joi.object({
    url: Joi.string().uri({ scheme: ['http', 'https'] }).required(),
    // The console's rules (reference/wecom-callbacks.md §1).
    token: Joi.string().pattern(/^[A-Za-z0-9]{1,32}$/).required().messages({ 'string.pattern.base': '{{#label}} is letters and digits, at most 32' }),
    aesKey: Joi.string().pattern(/^[A-Za-z0-9]{43}$/).required().messages({ 'string.pattern.base': '{{#label}} (the EncodingAESKey) is 43 letters and digits' }),
  }).allow(null),
  callbackConfigured: Joi.boolean().allow(null),
  oauthUser: Joi.string().min(1),
  trustedDomain: Joi.string().pattern(/^[A-Za-z0-9.-]+(:\d{1,5})?$/).allow(null).messages({ 'string.pattern.base': '{{#label}} is a host, with its port if not the default' }),
})
  .min(1);

const CLICK = Joi.object({
  userid: Joi.string().min(1).required(),
  taskId: Joi.string().min(1).required(),
  eventKey: Joi.string().min(1).required(),
  retries: Joi.number().integer().min(0).max(3),
  force: Joi.boolean(),
  timeoutMs: Joi.number().integer().min(1).max(60_000),
});

const BODIES: Record<string, Joi.Schema> = {
  'POST /__fake/script': Joi.object({ api: Joi.string().valid(...SCRIPTED_APIS).required(), answers: Joi.array().items(scriptedAnswer).min(1).required() }),
  'POST /__fake/down': Joi.object({ mode: Joi.string().valid('refused', '5xx', '45009').required() }),
  'POST /__fake/up': Joi.object({}),
  'POST /__fake/expire-tokens': Joi.object({}),
  'POST /__fake/settings': SETTINGS,
  'POST /__fake/click': CLICK,
};

/** Checks a settings change as the control API does (in-process callers get the same words). */
export function checkSettings(change: unknown): SettingsChange {
  const { error, value } = SETTINGS.validate(change ?? null);
  if (error) throw new SettingsRefused(error.message);
  return value;
}

export function statsOf(state: FakeState) {
  return {
    accepted: state.accepted,
    gettokenCalls: state.gettokenCalls,
    sendCalls: state.sendCalls,
    robotCalls: state.robotCalls,
    updateCalls: state.updateCalls,
    userCalls: state.userCalls,
    clicks: state.clicks,
    messages: state.messages.map((m) => ({
      at: m.at,
      api: m.api,
      msgtype: m.msgtype,
      content: m.content,
      ...(m.warnings.length ? { warnings: m.warnings } : {}),
      ...(m.taskId ? { taskId: m.taskId } : {}),
      ...(m.recipients ? { recipients: m.recipients } : {}),
      ...(m.mentions ? { mentions: m.mentions } : {}),
    })),
  };
}

/** A received message as a person reads it: where it went, then the card (and who was @-mentioned, what was advised). */
export function describeMessage(m: Recorded): string {
  const to = m.api === 'app' ? `app message (${m.msgtype}) to ${['touser', 'toparty', 'totag'].map((f) => m.body[f] && `${f}=${m.body[f]}`).filter(Boolean).join(' ')}` : `robot message (${m.msgtype}) for key ${m.key}`;
  const task = m.taskId ? ` task_id=${m.taskId}` : '';
  const mentions = m.mentions && (m.mentions.userids.length || m.mentions.mobiles.length) ? `\n@ ${[...m.mentions.userids, ...m.mentions.mobiles].join(' ')}` : '';
  const warnings = m.warnings.map((w) => `\n⚠ ${w}`).join('');
  return `── ${new Date(m.at).toISOString()} ${to}${task}\n${m.content}${mentions}${warnings}\n`;
}

function bodyOf(raw: Buffer): unknown {
  if (!raw.length) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Answers one control call; false when the path is not the fake's. */
export function answerControl(controls: Controls, state: FakeState, url: URL, raw: Buffer, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!url.pathname.startsWith('/__fake/')) return false;
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /__fake/stats') return json(res, controls.stats()), true;
  if (route === 'GET /__fake/cards') return json(res, controls.cards()), true;
  if (route === 'GET /__fake/messages') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(state.messages.map(describeMessage).join('\n') || '(no message yet)\n');
    return true;
  }
  const schema = BODIES[route];
  if (!schema) return json(res, { error: `no such control: ${route}`, routes: ['GET /__fake/stats', 'GET /__fake/messages', 'GET /__fake/cards', ...Object.keys(BODIES)] }, 404), true;
  const body = bodyOf(raw);
  const { error, value } = schema.validate(body ?? null);
  if (error) return json(res, { error: body === undefined ? 'the body is not JSON' : error.message }, 400), true;
  if (route === 'POST /__fake/click') {
    controls.click(value).then(
      (result) => json(res, result),
      (e: Error) => json(res, { error: e.message }, e instanceof ClickRefused ? 400 : 500),
    );
    return true;
  }
  try {
    if (route === 'POST /__fake/settings') controls.settings(value);
  } catch (e) {
    if (e instanceof SettingsRefused) return json(res, { error: e.message }, 400), true;
    throw e;
  }
  if (route === 'POST /__fake/script') controls.script(value.api, value.answers);
  if (route === 'POST /__fake/down') controls.down(value.mode, req.socket);
  if (route === 'POST /__fake/up') controls.down(null);
  if (route === 'POST /__fake/expire-tokens') controls.expireTokens();
  json(res, { ok: true });
  return true;
}
