import type http from 'node:http';
import { checkCard, renderCard } from './fake-wecom-card-rules';
import { answered, callbackConfigured, err, freshCode, json, record, scripted, tokenProblem, visible, type FakeState, type Problem, type Query, type Res } from './fake-wecom-common';

/**
 * The template cards the fake delivered (reference/wecom-callbacks.md §3–§4): per task_id, the
 * card as each recipient now sees it; the response codes it issued (one per send of a button
 * card, one per click), each good for one update within 72 hours; and update_template_card,
 * which changes the card for everyone who got it (atall) or for some of them (userids).
 */
type Obj = Record<string, unknown>;

/** A card as one member now sees it. `greyed`: the text of the grey button that replaced the buttons. */
export interface CardView {
  card: Obj;
  text: string;
  greyed?: string;
  updatedAt: number;
}

export interface CardTask {
  taskId: string;
  cardType: string;
  sentAt: number;
  /** userid → the card as that member now sees it. */
  views: Map<string, CardView>;
}

export interface ResponseCode {
  taskId: string;
  issuedAt: number;
  used: boolean;
  /** Issued by a send, or by a member's click. */
  via: 'send' | 'click';
  userid?: string;
}

export interface CardUpdate {
  at: number;
  taskId: string;
  body: Obj;
  /** Who now sees the new card. */
  affected: string[];
  warnings: string[];
}

export interface CardBook {
  tasks: Map<string, CardTask>;
  codes: Map<string, ResponseCode>;
  updates: CardUpdate[];
}

export const newCardBook = (): CardBook => ({ tasks: new Map(), codes: new Map(), updates: [] });

/** "一个code只能调用一次该接口，且只能在72小时内调用" (older copies say 24 h; current docs 72 h). */
export const RESPONSE_CODE_TTL_MS = 72 * 3600 * 1000;

export function issueResponseCode(state: FakeState, taskId: string, via: 'send' | 'click', userid?: string): string {
  const code = freshCode('fake-rc-');
  state.cards.codes.set(code, { taskId, issuedAt: state.now(), used: false, via, userid });
  return code;
}

/**
 * Who got a card: touser split on '|' ('@all': every member the app sees), and everyone when
 * toparty holds department 1. Users whose id starts with "ghost" do not exist (as in message/send);
 * other parties and tags have no members the fake knows of.
 */
function recipientsOf(state: FakeState, body: Obj): string[] {
  const users = String(body.touser ?? '').split('|').filter((u) => u && !u.startsWith('ghost'));
  const everyone = users.includes('@all') || String(body.toparty ?? '').split('|').includes('1');
  const members = everyone ? state.members.filter((m) => visible(state, m.userid)).map((m) => m.userid) : [];
  return [...new Set([...users.filter((u) => u !== '@all'), ...members])];
}

/** message/send with msgtype template_card, after the envelope's checks. Answers the call. */
export function sendCard(state: FakeState, body: Obj, res: Res) {
  const check = checkCard(body.template_card, 'send');
  if ('problem' in check) return err(res, ...check.problem);
  if (check.callback && !callbackConfigured(state)) return err(res, 43012, 'app need to config callback url (应用需配置回调url)');
  // "同一个应用任务id不能重复". WeCom's global list has no code of its own for a reused task_id;
  // 42014 (任务卡片消息的task_id不合法) is the one that names it (unconfirmed for this case).
  if (check.taskId && state.cards.tasks.has(check.taskId)) return err(res, 42014, `task_id "${check.taskId}" was used before: a task_id is unique per app (invalid task_id)`);
  const card = body.template_card as Obj;
  const text = renderCard(card);
  const at = state.now();
  if (check.taskId) {
    const views = new Map(recipientsOf(state, body).map((u) => [u, { card, text, updatedAt: at }] as const));
    state.cards.tasks.set(check.taskId, { taskId: check.taskId, cardType: check.cardType, sentAt: at, views });
  }
  const recipients = String(body.touser ?? '').split('|').filter(Boolean);
  record(state, { api: 'app', msgtype: 'template_card', content: text, body, at, warnings: check.warnings, recipients, card, taskId: check.taskId });
  const invalid = recipients.filter((u) => u.startsWith('ghost'));
  // response_code: only for cards whose buttons call back (button, vote, multiple choice).
  const responseCode = check.cardType === 'button_interaction' && check.taskId ? issueResponseCode(state, check.taskId, 'send') : undefined;
  json(res, answered(state, body, { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid: `msg-${state.accepted}`, ...(responseCode ? { response_code: responseCode } : {}) }));
}

/**
 * The response code's problem, if any. WeCom's global list has no code for a used or expired
 * response_code (the reference found none, ✖); 60140 is what one production client handles as
 * "code 过期或失效" — the fake answers it for an unknown, used or expired code, unconfirmed.
 */
function codeProblem(state: FakeState, code: unknown): Problem | undefined {
  if (typeof code !== 'string' || !code) return [40063, 'response_code is required (missing parameter)'];
  const issued = state.cards.codes.get(code);
  if (!issued) return [60140, 'invalid response_code: WeCom never issued it'];
  if (issued.used) return [60140, 'invalid response_code: it was used before (one update per code)'];
  if (state.now() - issued.issuedAt >= RESPONSE_CODE_TTL_MS) return [60140, 'invalid response_code: older than 72 hours'];
  return undefined;
}

const ids = (v: unknown, numeric: boolean) => Array.isArray(v) && v.every((x) => (numeric ? Number.isInteger(Number(x)) : typeof x === 'string'));

/** Whom an update reaches: atall, userids, partyids (department 1: everyone), tagids (no one the fake knows). */
function targetsOf(task: CardTask, body: Obj): { targets?: string[]; invalid: string[]; problem?: Problem } {
  const all = [...task.views.keys()];
  if (body.atall === 1 || body.atall === true) return { targets: all, invalid: [] };
  for (const [field, numeric, max, code] of [['userids', false, 1000, 40032], ['partyids', true, 100, 82002], ['tagids', true, 100, 82003]] as const) {
    if (body[field] === undefined) continue;
    if (!ids(body[field], numeric)) return { invalid: [], problem: [40058, `${field} must be a list of ${numeric ? 'ids' : 'userids'}. invalid Request Parameter`] };
    if ((body[field] as unknown[]).length > max) return { invalid: [], problem: [code, `${field} has more than ${max} items`] };
  }
  const userids = (body.userids as string[] | undefined) ?? [];
  const parties = ((body.partyids as unknown[] | undefined) ?? []).map(Number);
  if (!userids.length && !parties.length && !((body.tagids as unknown[] | undefined) ?? []).length) return { invalid: [], problem: [82001, 'All touser & toparty & totag invalid: set atall, userids, partyids or tagids'] };
  const chosen = parties.includes(1) ? all : all.filter((u) => userids.some((id) => id.toLowerCase() === u.toLowerCase()));
  // A named member who never got the card cannot see it change (WeCom lists them as invalid).
  const invalid = userids.filter((id) => !all.some((u) => u.toLowerCase() === id.toLowerCase()));
  return { targets: chosen, invalid };
}

/** POST /cgi-bin/message/update_template_card (docs 94888). */
export async function updateCard(state: FakeState, query: Query, body: Obj, req: http.IncomingMessage, res: Res) {
  state.updateCalls++;
  if (await scripted(state, 'update', req, res)) return;
  const problem = tokenProblem(state, query);
  if (problem) return err(res, ...problem);
  if (Number(body.agentid) !== state.agentId) return err(res, 40056, 'invalid agentid');
  const bad = codeProblem(state, body.response_code);
  if (bad) return err(res, ...bad);
  const code = state.cards.codes.get(body.response_code as string)!;
  const task = state.cards.tasks.get(code.taskId);
  if (!task) return err(res, 42016, 'the task_id to update does not exist');
  const { targets, invalid, problem: who } = targetsOf(task, body);
  if (who || !targets) return err(res, ...(who ?? [82001, 'no recipient']));
  if ((body.button === undefined) === (body.template_card === undefined)) return err(res, 40058, 'give exactly one of button and template_card. invalid Request Parameter');
  let change: (view: CardView) => CardView;
  let warnings: string[] = [];
  const at = state.now();
  if (body.button !== undefined) {
    const name = (body.button as { replace_name?: unknown } | null)?.replace_name;
    if (typeof name !== 'string' || !name) return err(res, 40063, 'button.replace_name is required (missing parameter)');
    // Only cards with buttons that call back can be greyed so.
    if (task.cardType !== 'button_interaction') return err(res, 40058, `button.replace_name greys the buttons of a button card; task ${task.taskId} is a ${task.cardType}`);
    change = (view) => ({ card: view.card, greyed: name, text: renderCard(view.card, name), updatedAt: at });
  } else {
    const check = checkCard(body.template_card, 'update');
    if ('problem' in check) return err(res, ...check.problem);
    if (check.taskId && check.taskId !== task.taskId) return err(res, 42014, `template_card.task_id "${check.taskId}" is not the task of this response_code (${task.taskId})`);
    warnings = check.warnings;
    const card = body.template_card as Obj;
    change = () => ({ card, text: renderCard(card), updatedAt: at });
  }
  code.used = true;
  for (const userid of targets) task.views.set(userid, change(task.views.get(userid)!));
  state.cards.updates.push({ at, taskId: task.taskId, body, affected: targets, warnings });
  json(res, { errcode: 0, errmsg: 'ok', invaliduser: invalid });
}

/** Every task's card as each recipient sees it (GET /__fake/cards, fake.cards). */
export function cardsOf(state: FakeState) {
  return Object.fromEntries(
    [...state.cards.tasks.values()].map((task) => [
      task.taskId,
      { cardType: task.cardType, sentAt: task.sentAt, recipients: Object.fromEntries([...task.views].map(([userid, view]) => [userid, { ...view }])) },
    ]),
  );
}

/** The card a member now sees for a task, or undefined when they never got it. */
export function cardFor(state: FakeState, taskId: string, userid: string): CardView | undefined {
  const task = state.cards.tasks.get(taskId);
  const key = task && [...task.views.keys()].find((u) => u.toLowerCase() === userid.toLowerCase());
  return key ? { ...task.views.get(key)! } : undefined;
}
