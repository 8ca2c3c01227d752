import type http from 'node:http';
import { sendCard, updateCard } from './fake-wecom-cards';
import { answered, duplicateAnswer, err, json, record, scripted, tokenProblem, type FakeState, type Problem, type Query, type Res } from './fake-wecom-common';
import { userGet } from './fake-wecom-members';
import { authorize, getUserInfo } from './fake-wecom-oauth';

/**
 * The WeCom endpoints the gateway and the doctor call, answering as reference/wecom.md says
 * WeCom does: errcode in an HTTP 200 body, the byte limits, the robot's 20 a minute, tokens
 * that expire, 60020 for an untrusted IP, 93000/93004 for a wrong or disabled robot; template
 * cards and their updates (fake-wecom-cards), members (fake-wecom-members) and OAuth
 * (fake-wecom-oauth) as reference/wecom-callbacks.md says.
 */
export type { DownMode, FakeState, Recorded, Scripted, ScriptedApi, VisibleRange } from './fake-wecom-common';
export { json } from './fake-wecom-common';

function contentOf(body: Record<string, unknown>): { msgtype: string; content: string } {
  const msgtype = String(body.msgtype ?? '');
  return { msgtype, content: String((body[msgtype] as { content?: string } | undefined)?.content ?? '') };
}

async function gettoken(state: FakeState, query: Query, req: http.IncomingMessage, res: Res) {
  state.gettokenCalls++;
  if (await scripted(state, 'gettoken', req, res)) return;
  if (query.get('corpid') !== state.corpId) return err(res, 40013, 'invalid corpid');
  if (query.get('corpsecret') !== state.corpSecret) return err(res, 40001, 'invalid credential');
  const token = `fake-access-token-${++state.tokenSeq}-${Math.random().toString(36).slice(2)}`;
  state.tokens.set(token, state.now() + state.tokenTtlSec * 1000);
  json(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: state.tokenTtlSec });
}

/** GET /cgi-bin/agent/get: the app's details and visible range (WeCom doc 90227), read-only. */
function agentGet(state: FakeState, query: Query, res: Res) {
  const problem = tokenProblem(state, query);
  if (problem) return err(res, ...problem);
  if (Number(query.get('agentid')) !== state.agentId) return err(res, 40056, 'invalid agentid');
  const { users, parties, tags } = state.visibleRange;
  json(res, {
    errcode: 0,
    errmsg: 'ok',
    agentid: state.agentId,
    name: 'notification-gateway (fake)',
    allow_userinfos: { user: users.map((userid) => ({ userid })) },
    allow_partys: { partyid: parties },
    allow_tags: { tagid: tags },
    close: 0,
  });
}

async function messageSend(state: FakeState, query: Query, body: Record<string, unknown>, req: http.IncomingMessage, res: Res) {
  state.sendCalls++;
  if (await scripted(state, 'app', req, res)) return;
  const problem = tokenProblem(state, query);
  if (problem) return err(res, ...problem);
  if (Number(body.agentid) !== state.agentId) return err(res, 40056, 'invalid agentid');
  if (!body.touser && !body.toparty && !body.totag) return err(res, 82001, 'All touser & toparty & totag invalid');
  const { users, parties, tags } = state.visibleRange;
  if (users.length + parties.length + tags.length === 0) return err(res, 81013, 'user & party & tag all invalid');
  const again = duplicateAnswer(state, body);
  if (again) return json(res, again);
  if (body.msgtype === 'template_card') return sendCard(state, body, res);
  const { msgtype, content } = contentOf(body);
  if (msgtype !== 'text' && msgtype !== 'markdown') return err(res, 40008, 'invalid message type');
  if (!content) return err(res, 44004, 'empty content');
  if (msgtype === 'markdown' && Buffer.byteLength(content) > 2048) return err(res, 45002, 'content size out of limit');
  // Text over 2048 bytes is cut silently by WeCom, never rejected.
  const delivered = msgtype === 'text' ? Buffer.from(content).subarray(0, 2048).toString('utf8') : content;
  const recipients = String(body.touser ?? '').split('|').filter(Boolean);
  record(state, { api: 'app', msgtype, content: delivered, body, at: state.now(), warnings: [], recipients });
  // Users whose id starts with "ghost" do not exist: a partial success, as WeCom answers it.
  const invalid = recipients.filter((u) => u.startsWith('ghost'));
  json(res, answered(state, body, { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid: `msg-${state.accepted}` }));
}

/**
 * Who a robot message @-mentions (reference/wecom.md §4): text.mentioned_list (userids or "@all")
 * and text.mentioned_mobile_list (phone numbers or "@all"), both lists of strings; and the
 * <@userid> of text and markdown content. Markdown has no mentioned_list: WeCom ignores one.
 * WeCom's errcode for a list of the wrong type is not documented: 40058 (invalid parameter).
 */
function mentionsOf(msgtype: string, message: Record<string, unknown>, content: string): { problem: Problem } | { mentions: { userids: string[]; mobiles: string[] }; warnings: string[] } {
  const warnings: string[] = [];
  const lists: Record<string, string[]> = {};
  for (const field of ['mentioned_list', 'mentioned_mobile_list']) {
    const v = message[field];
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return { problem: [40058, `${msgtype}.${field} must be a list of strings. invalid Request Parameter`] };
    if (msgtype === 'text') lists[field] = v;
    else warnings.push(`${msgtype}.${field} is ignored: only text messages take it (markdown mentions with <@userid>)`);
  }
  const inline = [...content.matchAll(/<@([^<>\s]+)>/g)].map((m) => m[1]);
  return { mentions: { userids: [...new Set([...(lists.mentioned_list ?? []), ...inline])], mobiles: lists.mentioned_mobile_list ?? [] }, warnings };
}

/** The robot's own checks, shared by send and upload: the key, then whether it is disabled. */
function robotProblem(state: FakeState, key: string): [number, string] | undefined {
  if (!state.robotKeys.has(key) && !state.disabledRobotKeys.has(key)) return [93000, 'invalid webhook url'];
  return undefined;
}

async function webhookSend(state: FakeState, query: Query, body: Record<string, unknown>, req: http.IncomingMessage, res: Res) {
  state.robotCalls++;
  if (await scripted(state, 'robot', req, res)) return;
  const key = query.get('key') ?? '';
  const problem = robotProblem(state, key);
  if (problem) return err(res, ...problem);
  if (state.disabledRobotKeys.has(key)) return err(res, 93004, 'robot is disabled');
  // Sliding minute per key, kept as a queue so a long run stays O(1) per message.
  const window = state.robotSends.get(key) ?? { times: [] as number[], start: 0 };
  state.robotSends.set(key, window);
  while (window.start < window.times.length && window.times[window.start] <= state.now() - 60_000) window.start++;
  if (window.start > 1024) {
    window.times = window.times.slice(window.start);
    window.start = 0;
  }
  if (window.times.length - window.start >= state.robotPerMinute) return err(res, 45009, 'api freq out of limit');
  const { msgtype, content } = contentOf(body);
  if (msgtype !== 'text' && msgtype !== 'markdown') return err(res, 40008, 'invalid message type');
  const limit = msgtype === 'text' ? 2048 : 4096;
  if (Buffer.byteLength(content) > limit) return err(res, 40058, `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`);
  const mentioned = mentionsOf(msgtype, (body[msgtype] ?? {}) as Record<string, unknown>, content);
  if ('problem' in mentioned) return err(res, ...mentioned.problem);
  window.times.push(state.now());
  record(state, { api: 'robot', key, msgtype, content, body, at: state.now(), warnings: mentioned.warnings, mentions: mentioned.mentions });
  json(res, { errcode: 0, errmsg: 'ok' });
}

/**
 * POST /cgi-bin/webhook/upload_media?key=&type=file: stores a file for the robot and posts
 * nothing (WeCom doc 91770, 文件上传接口; 5 B to 20 MB). What WeCom answers here for a
 * disabled robot is not documented: the fake treats it as a valid key.
 */
function uploadMedia(state: FakeState, query: Query, raw: Buffer, req: http.IncomingMessage, res: Res) {
  const problem = robotProblem(state, query.get('key') ?? '');
  if (problem) return err(res, ...problem);
  const type = query.get('type');
  if (type !== 'file' && type !== 'voice') return err(res, 40004, 'invalid media type');
  if (!String(req.headers['content-type']).startsWith('multipart/form-data') || raw.length < 5) return err(res, 40006, 'invalid file size');
  json(res, { errcode: 0, errmsg: 'ok', type, media_id: `fake-media-${++state.tokenSeq}`, created_at: String(Math.floor(state.now() / 1000)) });
}

/** Answers one WeCom call; false when the path is none of WeCom's. */
export async function answerWecom(state: FakeState, url: URL, raw: Buffer, req: http.IncomingMessage, res: Res): Promise<boolean> {
  const query = url.searchParams;
  if (url.pathname === '/cgi-bin/gettoken') return await gettoken(state, query, req, res), true;
  if (url.pathname === '/cgi-bin/agent/get') return agentGet(state, query, res), true;
  if (url.pathname === '/cgi-bin/webhook/upload_media') return uploadMedia(state, query, raw, req, res), true;
  if (url.pathname === '/cgi-bin/user/get') return await userGet(state, query, req, res), true;
  if (url.pathname === '/cgi-bin/auth/getuserinfo') return getUserInfo(state, query, res), true;
  if (url.pathname === '/connect/oauth2/authorize') return authorize(state, query, res), true;
  if (!['/cgi-bin/message/send', '/cgi-bin/webhook/send', '/cgi-bin/message/update_template_card'].includes(url.pathname)) return false;
  let body: Record<string, unknown> = {};
  if (raw.length) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return err(res, 40008, 'invalid message type. Warning: wrong json format.'), true;
    }
  }
  if (url.pathname === '/cgi-bin/message/send') await messageSend(state, query, body, req, res);
  else if (url.pathname === '/cgi-bin/message/update_template_card') await updateCard(state, query, body, req, res);
  else await webhookSend(state, query, body, req, res);
  return true;
}
