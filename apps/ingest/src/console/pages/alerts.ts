import type { RequestHandler } from 'express';
import { matchersFor, type AlertFilters, type AlertRecord, type ProblemRecord } from '@ng/core';
import { viewerOf, type Viewer } from '../access';
import { html, safeHref, type Safe } from '../html';
import { FATE_WORDS, OUTCOME_WORDS, PLAN_WORDS, SEVERITY_WORDS, SOURCE_WORDS, STATUS_WORDS, when } from '../format';
import { page } from '../layout';
import { actionsSection } from './actions';
import { silenceForm } from './silences';
import { alertRow, alertTable, forgotten, type ConsoleDeps } from './shared';

const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);

/** The query string of the list page, as history filters. Unknown values are ignored, not errors: it is a form. */
function filtersOf(query: Record<string, unknown>, now: number): AlertFilters {
  const range = RANGES[String(query.range)];
  return {
    status: text(query.status),
    severity: text(query.severity),
    source: text(query.source),
    environment: text(query.environment),
    service: text(query.service),
    fate: text(query.fate),
    q: text(query.q),
    fromMs: range ? now - range : undefined,
  };
}

function select(name: string, label: string, words: Record<string, string>, current?: string): Safe {
  const options = Object.entries(words).map(([value, word]) => html`<option value="${value}" ${value === current ? html`selected` : ''}>${word}</option>`);
  return html`<select name="${name}" aria-label="${label}"><option value="">${label}: 全部</option>${options}</select>`;
}

/** GET /console: every alert, newest first, with filters and search. */
export function alertListPage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const filters = filtersOf(query, Date.now());
    const result = await deps.history.query(filters, { cursor: text(query.cursor), limit: 50 });
    const tz = deps.config.displayTz;
    const form = html`<form class="filters" method="get" action="/console">
<input type="search" name="q" placeholder="搜索标题、服务、告警名" value="${filters.q ?? ''}">
${select('severity', '级别', SEVERITY_WORDS, filters.severity)}${select('status', '状态', STATUS_WORDS, filters.status)}
${select('fate', '结果', FATE_WORDS, filters.fate)}${select('source', '来源', SOURCE_WORDS, filters.source)}
<input name="service" placeholder="服务" value="${filters.service ?? ''}"><input name="environment" placeholder="环境" value="${filters.environment ?? ''}">
${select('range', '时间', { '1h': '最近 1 小时', '24h': '最近 24 小时', '7d': '最近 7 天' }, text(query.range))}
<button type="submit">筛选</button></form>`;
    const more = new URLSearchParams(Object.entries({ ...query, cursor: result.next ?? '' }).map(([k, v]) => [k, String(v)]));
    const body = html`<h1>告警</h1>${form}${alertTable(result.alerts.map((s) => alertRow(s, tz, `/console/alerts/${encodeURIComponent(s.id)}`)))}
<div class="pager">${result.next ? html`<a href="/console?${more.toString()}">下一页 →</a>` : ''}<span class="muted">本页查看了 ${result.scanned} 条记录</span></div>`;
    res.type('html').send(page({ title: '告警', section: 'alerts', body, admin: true }));
  };
}

function detailsOf(record: AlertRecord, tz: string): Safe {
  const a = record.alert;
  const source = safeHref(a.url);
  const rows: Array<[string, string | Safe | undefined]> = [
    ['级别', `${SEVERITY_WORDS[a.severity] ?? a.severity}${a.level ? ` (${a.level})` : ''}`],
    ['状态', STATUS_WORDS[a.status] ?? a.status],
    ['来源', SOURCE_WORDS[a.source] ?? a.source],
    ['环境', a.environment],
    ['服务', a.service],
    ['位置', a.location],
    ['实例', a.instance],
    ['开始时间', a.startsAt && when(a.startsAt, tz)],
    ['结束时间', a.endsAt && when(a.endsAt, tz)],
    ['收到时间', when(a.receivedAt, tz)],
    ['问题标识', a.key],
    ['原始链接', source ? html`<a href="${source}" rel="noopener noreferrer">${source}</a>` : a.url],
  ];
  const present = rows.filter(([, v]) => v !== undefined && v !== '');
  return html`<dl>${present.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function decisionOf(record: AlertRecord, tz: string): Safe {
  const plan = record.plan.length
    ? html`<table><thead><tr><th>目的地</th><th>路由</th><th>方式</th></tr></thead><tbody>${record.plan.map((p) => html`<tr><td>${p.destinationId}</td><td>${p.route}</td><td>${PLAN_WORDS[p.as] ?? p.as}</td></tr>`)}</tbody></table>`
    : '';
  return html`<p><span class="badge">${FATE_WORDS[record.fate] ?? record.fate}</span> ${record.reason} <span class="muted">(${when(record.decidedAt, tz)})</span></p>${plan}`;
}

function messagesOf(record: AlertRecord, tz: string, viewer: Viewer): Safe {
  const rows = record.messages.map((m) => html`<tr><td>${when(m.at, tz)}</td><td>${m.destinationId}${m.escalation ? ` ⏫ 升级 ${m.escalation}` : ''}${m.kind === 'card-update' ? ' (卡片更新)' : ''}</td><td>${OUTCOME_WORDS[m.outcome] ?? m.outcome}${m.errcode ? ` (errcode ${m.errcode})` : ''}${m.hint ? html`<div class="muted">${m.hint}</div>` : ''}</td><td>${m.attempt}</td></tr>`);
  const lists = record.lists.map((l) => {
    const last = l.messages.at(-1);
    const href = viewer.admin ? html`<a href="/console/lists/${encodeURIComponent(l.id)}">${l.heading}</a>` : l.heading;
    return html`<tr><td>${when(l.at, tz)}</td><td>${l.destinationId}</td><td>${href}: ${last ? OUTCOME_WORDS[last.outcome] ?? last.outcome : '等待发送'}</td><td>${last?.attempt ?? ''}</td></tr>`;
  });
  if (rows.length + lists.length === 0) return html`<p class="muted">没有消息（${FATE_WORDS[record.fate] ?? record.fate}）。</p>`;
  return html`<table><thead><tr><th>时间</th><th>目的地</th><th>结果</th><th>次数</th></tr></thead><tbody>${rows}${lists}</tbody></table>`;
}

function timelineOf(problem: ProblemRecord | undefined, tz: string, viewer: Viewer, current: string): Safe {
  if (!problem) return html``;
  const rows = problem.timeline.map((t) => {
    const label = `${STATUS_WORDS[t.status] ?? t.status} · ${FATE_WORDS[t.fate] ?? t.fate}`;
    const cell = viewer.admin && t.id !== current ? html`<a href="/console/alerts/${encodeURIComponent(t.id)}">${label}</a>` : label;
    return html`<tr><td>${when(t.at, tz)}</td><td>${cell}</td></tr>`;
  });
  return html`<h2>问题时间线</h2><p class="muted">共 ${problem.count} 次 · 首次 ${when(problem.firstSeen, tz)} · 最近 ${when(problem.lastSeen, tz)}</p><table><tbody>${rows}</tbody></table>`;
}

/** GET /console/alerts/:id: what came in, what was decided, every message that carried it, its problem's timeline. */
export function alertPage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const viewer = viewerOf(req);
    const record = await deps.history.get(String(req.params.id));
    if (!record) {
      forgotten(res, viewer, '这条告警');
      return;
    }
    const tz = deps.config.displayTz;
    const a = record.alert;
    const labels = Object.entries(a.labels);
    const problem = await deps.history.problem(a.key);
    const body = html`<h1 class="${a.severity}">${a.title || a.key}</h1>
${viewer.kind === 'link' ? html`<p class="note">通过消息中的链接只读打开。</p>` : ''}
${await actionsSection(deps, req, record, problem)}
${detailsOf(record, tz)}
${a.summary || a.description ? html`<h2>描述</h2><pre>${[a.summary, a.description].filter(Boolean).join('\n\n')}</pre>` : ''}
${labels.length ? html`<h2>标签</h2><dl>${labels.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>` : ''}
<h2>处理结果</h2>${decisionOf(record, tz)}
<h2>消息</h2>${messagesOf(record, tz, viewer)}
${timelineOf(problem, tz, viewer, record.id)}
${viewer.admin ? html`<h2>静默这个问题</h2>${await silenceForm(deps, viewer.user, matchersFor(a), a.title)}` : ''}`;
    res.type('html').send(page({ title: a.title || a.key, section: 'alerts', body, admin: viewer.admin, who: viewer.member?.name ?? viewer.member?.userid }));
  };
}
