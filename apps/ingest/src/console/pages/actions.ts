import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { CARD_BUTTONS, hashId, type ActionJobData, type AlertRecord, type ProblemRecord } from '@ng/core';
import { identifyHref, mayAct, viewerOf, type Viewer } from '../access';
import { html, type Safe } from '../html';
import { when } from '../format';
import { page } from '../layout';
import { csrfField, type ConsoleDeps } from './shared';

/** The card's three buttons, as the console names them in its URLs (`?do=claim`) and forms. */
export const ACTIONS = {
  claim: { key: CARD_BUTTONS.claim.key, word: CARD_BUTTONS.claim.text, question: '认领这个问题？之后不再提醒、不再升级，恢复消息会写明认领人。' },
  silence: { key: CARD_BUTTONS.silence.key, word: CARD_BUTTONS.silence.text, question: '静默这个问题 1 小时？期间它的告警只计数、不发送。' },
  resolve: { key: CARD_BUTTONS.resolve.key, word: CARD_BUTTONS.resolve.text, question: '标记为已处理？Sentry 问题会在 Sentry 中解决；Prometheus 告警静默到恢复为止。' },
} as const;
export type ActionName = keyof typeof ACTIONS;

export const actionNamed = (name: unknown): ActionName | undefined => (typeof name === 'string' && Object.hasOwn(ACTIONS, name) ? (name as ActionName) : undefined);

const alertPath = (id: string) => `/console/alerts/${encodeURIComponent(id)}`;

/** Where a form's action goes back to when its sender must first say who they are. */
export const confirmPath = (req: Request): string => {
  const action = actionNamed((req.body as Record<string, unknown> | undefined)?.action);
  return `${alertPath(String(req.params.id))}${action ? `?do=${action}` : ''}`;
};

/** One button: a form that POSTs the action with the viewer's CSRF token and this page's nonce. */
async function actionForm(deps: ConsoleDeps, viewer: Viewer, id: string, name: ActionName, nonce: string, label: string = ACTIONS[name].word, quiet = true): Promise<Safe> {
  return html`<form method="post" action="${alertPath(id)}/actions">${await csrfField(deps, viewer.user)}<input type="hidden" name="action" value="${name}"><input type="hidden" name="nonce" value="${nonce}"><button type="submit" class="${quiet ? 'quiet' : ''}">${label}</button></form>`;
}

function ackLines(record: AlertRecord, problem: ProblemRecord | undefined, tz: string): Safe {
  const ack = problem?.ack;
  const claimedBy = ack?.claimedName ?? ack?.claimedBy ?? record.claim?.by;
  const claimedAt = ack?.claimedAt ?? record.claim?.at;
  const lines = [
    claimedBy ? html`<div>✋ 已认领: <b>${claimedBy}</b> <span class="muted">${when(claimedAt, tz)}</span></div>` : '',
    ack?.handledBy ? html`<div>✅ 已处理: <b>${ack.handledName ?? ack.handledBy}</b> <span class="muted">${when(ack.handledAt, tz)}</span></div>` : '',
  ];
  return html`${lines}`;
}

/**
 * What can be done about the alert, at the top of its page: who claimed it and who handled it,
 * the action just queued, the action a card's link asks to confirm (`?do=`: a GET never acts),
 * and the three buttons — forms for the admin and a signed-in member, links to sign in for
 * someone holding only a card's link.
 */
export async function actionsSection(deps: ConsoleDeps, req: Request, record: AlertRecord, problem: ProblemRecord | undefined): Promise<Safe> {
  const viewer = viewerOf(req);
  const tz = deps.config.displayTz;
  const open = (problem?.status ?? record.alert.status) !== 'resolved';
  const claimed = Boolean(problem?.ack?.claimedBy);
  const asked = actionNamed(req.query.do);
  const queued = actionNamed(req.query.queued);
  const nonce = randomBytes(16).toString('hex');
  const id = record.id;
  const signIn = (name: ActionName) => identifyHref(deps.config, `${alertPath(id)}?do=${name}`);
  const offered = (Object.keys(ACTIONS) as ActionName[]).filter((name) => !(claimed && name === 'claim'));

  let prompt: Safe | string = '';
  // Once the worker has done it, the lines below say so (who and when).
  const done = (queued === 'claim' && claimed) || (queued === 'resolve' && Boolean(problem?.ack?.handledBy));
  if (queued && !done) prompt = html`<p class="note done">已提交「${ACTIONS[queued].word}」：正在处理，稍后刷新本页可见结果，收到这条告警的卡片也会更新。</p>`;
  else if (asked && !open) prompt = html`<p class="note">问题已恢复，无需「${ACTIONS[asked].word}」。</p>`;
  else if (asked === 'claim' && claimed) prompt = html`<p class="note">这个问题已被认领。</p>`;
  else if (asked && mayAct(viewer)) prompt = html`<div class="note confirm"><p>${ACTIONS[asked].question}</p><div class="actions">${await actionForm(deps, viewer, id, asked, nonce, `确认${ACTIONS[asked].word}`, false)}<a href="${alertPath(id)}">取消</a></div></div>`;
  else if (asked) prompt = html`<div class="note confirm"><p>「${ACTIONS[asked].word}」前请先确认身份。</p><div class="actions"><a class="button" href="${signIn(asked)}">确认身份后${ACTIONS[asked].word}</a></div></div>`;

  // A confirm (or a sign-in) asked by a card's link stands alone: one choice on a phone's screen.
  const buttons = !open || (asked && prompt && !queued && !(asked === 'claim' && claimed))
    ? ''
    : mayAct(viewer)
      ? html`<div class="actions">${await Promise.all(offered.map((name) => actionForm(deps, viewer, id, name, nonce, ACTIONS[name].word, name !== 'claim')))}</div>`
      : html`<div class="actions">${offered.map((name) => html`<a class="button" href="${signIn(name)}">${ACTIONS[name].word}</a>`)}<span class="muted">（需确认身份）</span></div>`;
  return html`${prompt}${ackLines(record, problem, tz)}${buttons}`;
}

/**
 * POST /console/alerts/:id/actions: the action becomes the same job a card's button makes,
 * `{via: 'console'}`, for the worker to do once and update every card. The job id is the
 * alert, the action, who and the page's nonce: a form sent twice is one action.
 */
export function actOnAlert(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const viewer = viewerOf(req);
    const form = req.body as Record<string, unknown>;
    const id = String(req.params.id);
    const name = actionNamed(form.action);
    const nonce = typeof form.nonce === 'string' && /^[A-Za-z0-9]{16,64}$/.test(form.nonce) ? form.nonce : undefined;
    const refuse = (status: number, title: string, message: string) =>
      res.status(status).type('html').send(page({ title, admin: viewer.admin, who: viewer.member?.name ?? viewer.member?.userid, body: html`<h1>${title}</h1><p class="note">${message}</p><p><a href="${alertPath(id)}">返回告警</a></p>` }));
    if (!name || !nonce) return refuse(400, '无法操作', '表单不完整：请从告警页面重新提交。');
    const record = await deps.history.get(id);
    if (!record) return refuse(404, '未找到', '未找到这条告警：它可能已超过保留期 (HISTORY_RETENTION)。');
    const userId = viewer.member?.userid ?? viewer.user;
    const data: ActionJobData = { via: 'console', userId, name: viewer.member?.name ?? (viewer.member ? undefined : viewer.user), eventKey: ACTIONS[name].key, alertId: record.id, atMs: Date.now() };
    if (data.name === undefined) delete data.name;
    await deps.actions.add(`${data.eventKey} by ${userId}`, data, {
      jobId: hashId('console-action', record.id, data.eventKey, viewer.user, nonce),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 86400 },
      removeOnFail: false,
    });
    deps.logger.info('console action queued', { action: data.eventKey, user: viewer.user, alert: record.id, key: record.alert.key });
    res.redirect(303, `${alertPath(record.id)}?queued=${name}`);
  };
}
