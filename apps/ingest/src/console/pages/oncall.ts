import type { RequestHandler } from 'express';
import { zonedTimeToMs, type ActivePolicy, type Member, type Rotation, type Shift } from '@ng/core';
import { html, type Safe } from '../html';
import { when } from '../format';
import { page } from '../layout';
import { shiftsBetween, shownMember } from '../../oncall';
import type { ConsoleDeps } from './shared';

/** How far ahead the page lists the handovers. */
const AHEAD_MS = 14 * 86_400_000;

/** 王五 (wangwu) · 138****1111: the name first, the user id to tell, the phone masked. */
function who(member: Member): Safe {
  const shown = shownMember(member);
  const id = shown.name && shown.userid ? html` <span class="muted">(${shown.userid})</span>` : '';
  return html`<b>${shown.name ?? shown.userid ?? shown.mobile ?? '?'}</b>${id}${shown.mobile && (shown.name || shown.userid) ? html` <span class="muted">· ${shown.mobile}</span>` : ''}`;
}

const overrideMark = (shift: Shift) => (shift.override ? html` <span class="badge override">临时调班</span>` : '');

function rotationSection(rotation: Rotation, atMs: number, tz: string): Safe {
  const [now, ...coming] = shiftsBetween(rotation, atMs, atMs + AHEAD_MS, tz);
  const next = coming[0];
  const rows = [now, ...coming].map(
    (s, i) => html`<tr><td>${when(s.from, tz)}</td><td>${when(s.until, tz)}</td><td>${who(s.member)}${overrideMark(s)}${i === 0 ? html` <span class="badge">当前</span>` : ''}</td></tr>`,
  );
  return html`<h2>${rotation.id} <span class="muted">每 ${rotation.every} 于 ${rotation.handoff} 交接</span></h2>
<dl><dt>当前值班</dt><dd>${who(now.member)}${overrideMark(now)} <span class="muted">至 ${when(now.until, tz)}</span></dd>
${next ? html`<dt>下一班</dt><dd>${who(next.member)}${overrideMark(next)} <span class="muted">${when(next.from, tz)} 起</span></dd>` : ''}</dl>
<table class="wide"><thead><tr><th>开始</th><th>结束</th><th>值班人</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** ?at=: a local time in DISPLAY_TZ as the form sends it (2026-12-24T09:00), or an ISO time with its zone. */
function atOf(value: unknown, tz: string): number | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const ms = /(Z|[+-]\d\d:?\d\d)$/.test(value.trim()) ? Date.parse(value) : zonedTimeToMs(value, tz);
  return Number.isFinite(ms) ? ms : NaN;
}

/** GET /console/oncall: each rotation of the policy in force, who is on call and who is next, the handovers of the next 14 days (from ?at=). */
export function onCallPage(deps: ConsoleDeps & { policy: ActivePolicy }): RequestHandler {
  return async (req, res) => {
    const tz = deps.config.displayTz;
    const { rotations } = deps.policy.current.policy;
    const asked = atOf(req.query.at, tz);
    const atMs = asked !== undefined && Number.isFinite(asked) ? asked : Date.now();
    const form = html`<form class="filters" method="get" action="/console/oncall"><input type="datetime-local" name="at" aria-label="时间" value="${asked !== undefined && Number.isFinite(asked) ? String(req.query.at) : ''}"><button type="submit">查看该时间</button></form>
${Number.isNaN(asked) ? html`<p class="note">无法识别的时间 "${String(req.query.at).slice(0, 40)}"：显示的是现在。</p>` : ''}`;
    const body = rotations.length
      ? html`<h1>值班</h1>${form}<p class="muted">${asked === undefined ? '现在' : when(atMs, tz)}起 14 天的交接（${tz}）；告警按路由的 mention 提及当前值班人，无人认领时按 escalation 升级。</p>${rotations.map((r) => rotationSection(r, atMs, tz))}`
      : html`<h1>值班</h1><p class="note">当前策略没有值班表：在 POLICY_FILE 中加入 rotations（见 docs/policy.example.yaml），然后 POST /-/reload。</p>`;
    res.type('html').send(page({ title: '值班', section: 'oncall', body, admin: true }));
  };
}
