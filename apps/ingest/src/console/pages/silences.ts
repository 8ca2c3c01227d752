import type { RequestHandler } from 'express';
import { MATCH_OPS, PayloadError, silenceState, type Matcher, type Silence } from '@ng/core';
import { viewerOf } from '../access';
import { html, type Safe } from '../html';
import { when } from '../format';
import { page } from '../layout';
import { csrfField, type ConsoleDeps } from './shared';

const STATE_WORDS = { pending: '⏳ 未开始', active: '🔕 生效中', expired: '已结束', deleted: '已解除' } as const;
/** Rows of a new silence's form: the prefilled matchers and a few empty ones. */
const ROWS = 5;

/** The form that creates a silence, matchers filled in from an alert when there is one. */
export async function silenceForm(deps: ConsoleDeps, user: string, matchers: Matcher[] = [], about?: string): Promise<Safe> {
  const rows = [...matchers, ...Array.from({ length: Math.max(1, ROWS - matchers.length) }, () => ({ name: '', op: '=' as const, value: '' }))];
  const ops = (current: string) => MATCH_OPS.map((op) => html`<option ${op === current ? html`selected` : ''}>${op}</option>`);
  return html`<form method="post" action="/console/silences">${await csrfField(deps, user)}
<div class="matchers"><span class="muted">字段或标签</span><span class="muted">条件</span><span class="muted">值（=~ !~ 为正则）</span>
${rows.map((m) => html`<input name="name" value="${m.name}" aria-label="字段"><select name="op" aria-label="条件">${ops(m.op)}</select><input name="value" value="${m.value}" aria-label="值">`)}</div>
<p><select name="duration" aria-label="时长"><option value="1h">1 小时</option><option value="2h">2 小时</option><option value="8h">8 小时</option><option value="1d">1 天</option><option value="7d">7 天</option></select>
<input name="comment" placeholder="原因" value="${about ? `静默: ${about}`.slice(0, 200) : ''}" size="30"> <button type="submit">创建静默</button></p></form>`;
}

function matchersText(matchers: Matcher[]): string {
  return matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(', ');
}

function row(s: Silence, tz: string, actions: Safe | string): Safe {
  const state = silenceState(s, Date.now());
  const lifted = s.deletedAt ? html`<div class="muted">${s.deletedBy ?? '?'} 于 ${when(s.deletedAt, tz)} 解除</div>` : '';
  return html`<tr><td>${STATE_WORDS[state]}</td><td><code>${matchersText(s.matchers)}</code>${s.comment ? html`<div class="muted">${s.comment}</div>` : ''}</td>
<td>${when(s.startsAt, tz)} ~ ${when(s.endsAt, tz)}</td><td>${s.createdBy ?? '-'}${lifted}</td><td>${actions}</td></tr>`;
}

/** GET /console/silences: active and pending ones (with "expire"), ended and lifted ones with who made and lifted them. */
export function silencesPage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const viewer = viewerOf(req);
    const tz = deps.config.displayTz;
    const all = await deps.silences.list(new Date(), { all: true });
    const live = all.filter((s) => ['active', 'pending'].includes(silenceState(s, Date.now())));
    const ended = all.filter((s) => !live.includes(s));
    const csrf = await csrfField(deps, viewer.user);
    const expire = (s: Silence) => html`<form method="post" action="/console/silences/${encodeURIComponent(s.id)}/expire">${csrf}<button class="quiet" type="submit">解除</button></form>`;
    const table = (rows: Safe[]) => (rows.length ? html`<table class="wide"><thead><tr><th>状态</th><th>条件</th><th>时间</th><th>创建人</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="muted">无</p>`);
    const body = html`<h1>静默</h1>${req.query.created ? html`<p class="note">已创建静默 ${String(req.query.created)}</p>` : ''}
<h2>生效中</h2>${table(live.map((s) => row(s, tz, expire(s))))}
<h2>新建</h2>${await silenceForm(deps, viewer.user)}
<h2>已结束或已解除</h2>${table(ended.map((s) => row(s, tz, '')))}`;
    res.type('html').send(page({ title: '静默', section: 'silences', body, admin: true }));
  };
}

/** POST /console/silences: the form's rows become matchers (empty rows skipped); errors come back in words. */
export function createSilence(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const form = req.body as Record<string, string | string[]>;
    const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
    const names = list(form.name);
    const ops = list(form.op);
    const values = list(form.value);
    const matchers = names.map((name, i) => ({ name: name.trim(), op: ops[i] ?? '=', value: values[i] ?? '' })).filter((m) => m.name);
    try {
      const silence = await deps.silences.create({ matchers, duration: form.duration, comment: form.comment }, new Date(), viewerOf(req).user);
      res.redirect(303, `/console/silences?created=${encodeURIComponent(silence.id)}`);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      res.status(400).type('html').send(page({ title: '静默', section: 'silences', admin: true, body: html`<h1>无法创建静默</h1><p class="note">${err.message}</p><p><a href="/console/silences">返回</a></p>` }));
    }
  };
}

/** POST /console/silences/:id/expire */
export function expireSilence(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    await deps.silences.remove(String(req.params.id), new Date(), viewerOf(req).user);
    res.redirect(303, '/console/silences');
  };
}
