import type { RequestHandler } from 'express';
import { html } from '../html';
import { OUTCOME_WORDS, SEVERITY_WORDS, STATUS_WORDS, when } from '../format';
import { page } from '../layout';
import type { ConsoleDeps } from './shared';

/** GET /console/problems: problems still firing, most recently seen first, with their counts and last message. */
export function problemsPage(deps: ConsoleDeps): RequestHandler {
  return async (_req, res) => {
    const tz = deps.config.displayTz;
    const problems = await deps.history.openProblems();
    const rows = problems.map((p) => html`<tr><td class="${p.severity ?? ''}">${SEVERITY_WORDS[p.severity ?? ''] ?? ''}</td>
<td><a href="/console/alerts/${encodeURIComponent(p.lastAlertId ?? '')}">${p.title}</a><div class="muted">${p.key}</div></td>
<td>${STATUS_WORDS[p.status ?? ''] ?? p.status ?? ''}</td><td>${p.count}</td><td>${when(p.firstSeen, tz)}<br>${when(p.lastSeen, tz)}</td>
<td>${p.lastMessage ? `${OUTCOME_WORDS[p.lastMessage.outcome] ?? p.lastMessage.outcome} ${when(p.lastMessage.at, tz)}` : '-'}</td></tr>`);
    const body = html`<h1>未恢复的问题 (${problems.length})</h1>${
      rows.length
        ? html`<table class="wide"><thead><tr><th>级别</th><th>问题</th><th>状态</th><th>次数</th><th>首次 / 最近</th><th>最近消息</th></tr></thead><tbody>${rows}</tbody></table>`
        : html`<p class="note">没有未恢复的问题。</p>`
    }`;
    res.type('html').send(page({ title: '问题', section: 'problems', body, admin: true }));
  };
}
