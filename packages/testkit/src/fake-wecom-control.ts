import type http from 'node:http';
import Joi from 'joi';
import { json, type FakeState, type Recorded } from './fake-wecom-api';

/**
 * The fake's own HTTP API under /__fake/ (no WeCom path starts so): what it received, and the
 * troubles to play — scripted answers, an outage, expired tokens, an untrusted IP, a disabled
 * robot. The README's "The fake WeCom" section documents it; every body is checked.
 */
export interface Controls {
  stats(): ReturnType<typeof statsOf>;
  script(api: 'gettoken' | 'app' | 'robot', answers: unknown[]): void;
  down(mode: 'refused' | '5xx' | '45009' | null, keep?: http.IncomingMessage['socket']): void;
  expireTokens(): void;
  settings(change: SettingsChange): void;
}

export interface SettingsChange {
  untrustedIp?: boolean;
  disabledRobotKeys?: string[];
  tokenTtlSec?: number;
  visibleRange?: { users?: string[]; parties?: number[]; tags?: number[] };
}

const scriptedAnswer = Joi.alternatives(
  Joi.object({ errcode: Joi.number().integer().required(), errmsg: Joi.string() }),
  Joi.object({ httpStatus: Joi.number().integer().min(100).max(599).required() }),
  Joi.object({ delayMs: Joi.number().integer().min(0).max(600_000).required() }),
  Joi.string().valid('reset'),
);

const BODIES: Record<string, Joi.Schema> = {
  'POST /__fake/script': Joi.object({ api: Joi.string().valid('gettoken', 'app', 'robot').required(), answers: Joi.array().items(scriptedAnswer).min(1).required() }),
  'POST /__fake/down': Joi.object({ mode: Joi.string().valid('refused', '5xx', '45009').required() }),
  'POST /__fake/up': Joi.object({}),
  'POST /__fake/expire-tokens': Joi.object({}),
  'POST /__fake/settings': Joi.object({
    untrustedIp: Joi.boolean(),
    disabledRobotKeys: Joi.array().items(Joi.string().min(1)),
    tokenTtlSec: Joi.number().integer().min(1),
    visibleRange: Joi.object({ users: Joi.array().items(Joi.string()), parties: Joi.array().items(Joi.number().integer()), tags: Joi.array().items(Joi.number().integer()) }),
  }).min(1),
};

export function statsOf(state: FakeState) {
  return {
    accepted: state.accepted,
    gettokenCalls: state.gettokenCalls,
    sendCalls: state.sendCalls,
    robotCalls: state.robotCalls,
    messages: state.messages.map((m) => ({ at: m.at, api: m.api, msgtype: m.msgtype, content: m.content })),
  };
}

/** A received message as a person reads it: where it went, then the card. */
export function describeMessage(m: Recorded): string {
  const to = m.api === 'app' ? `app message (${m.msgtype}) to ${['touser', 'toparty', 'totag'].map((f) => m.body[f] && `${f}=${m.body[f]}`).filter(Boolean).join(' ')}` : `robot message (${m.msgtype}) for key ${m.key}`;
  return `── ${new Date(m.at).toISOString()} ${to}\n${m.content}\n`;
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
  if (route === 'GET /__fake/messages') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(state.messages.map(describeMessage).join('\n') || '(no message yet)\n');
    return true;
  }
  const schema = BODIES[route];
  if (!schema) return json(res, { error: `no such control: ${route}`, routes: ['GET /__fake/stats', 'GET /__fake/messages', ...Object.keys(BODIES)] }, 404), true;
  const body = bodyOf(raw);
  const { error, value } = schema.validate(body ?? null);
  if (error) return json(res, { error: body === undefined ? 'the body is not JSON' : error.message }, 400), true;
  if (route === 'POST /__fake/script') controls.script(value.api, value.answers);
  if (route === 'POST /__fake/down') controls.down(value.mode, req.socket);
  if (route === 'POST /__fake/up') controls.down(null);
  if (route === 'POST /__fake/expire-tokens') controls.expireTokens();
  if (route === 'POST /__fake/settings') controls.settings(value);
  json(res, { ok: true });
  return true;
}
