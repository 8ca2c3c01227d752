import type { RequestHandler } from 'express';
import { zonedTimeToMs } from '@ng/core';
import { html } from '../html';
import { SEVERITY_WORDS } from '../format';
import { page } from '../layout';
import type { ConsoleDeps } from './shared';

/** GET /console/noise: one day (the last 24 h by default, or ?day=YYYY-MM-DD in DISPLAY_TZ) — which problems made the most noise, what reached people against what was only counted. */
export function noisePage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const tz = deps.config.displayTz;
    const day = typeof req.query.day === 'string' && /^\d{4}-\d\d-\d\d$/.test(req.query.day) ? req.query.day : undefined;
    const fromMs = day ? zonedTimeToMs(day, tz) : Date.now() - 86_400_000;
    const { problems, totals } = await deps.history.noise(fromMs, fromMs + 86_400_000);
    const rows = problems.map((p) => html`<tr><td class="${p.severity}">${SEVERITY_WORDS[p.severity] ?? ''}</td><td>${p.title}<div class="muted">${p.key}</div></td><td>${p.alerts}</td><td>${p.sent}</td><td>${p.counted}</td></tr>`);
    const body = html`<h1>降噪日报 ${day ?? '(最近 24 小时)'}</h1>
<p class="note">收到 ${totals.alerts} 条告警，涉及 ${totals.problems} 个问题；${totals.sent} 条到达了人（单独、汇总或风暴合并），${totals.alerts - totals.sent} 条只计数（重复、静默、策略不发送）。</p>
<form class="filters" method="get"><input type="date" name="day" value="${day ?? ''}" aria-label="日期"><button type="submit">查看</button></form>
${rows.length ? html`<table class="wide"><thead><tr><th>级别</th><th>问题</th><th>告警</th><th>已送达</th><th>只计数</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="muted">这段时间没有告警。</p>`}`;
    res.type('html').send(page({ title: '降噪日报', section: 'noise', body, admin: true }));
  };
}
