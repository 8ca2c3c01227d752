import type { RequestHandler } from 'express';
import { viewerOf } from '../access';
import { html } from '../html';
import { when } from '../format';
import { page } from '../layout';
import { csrfField, type ConsoleDeps } from './shared';

/** GET /console/failed: deliveries that failed for good, newest first, each with its reason and a retry. */
export function failedPage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const tz = deps.config.displayTz;
    const jobs = await deps.deliveries.getFailed(0, 99);
    const csrf = await csrfField(deps, viewerOf(req).user);
    const rows = jobs.map((j) => html`<tr><td>${when(j.finishedOn ?? j.timestamp, tz)}</td><td>${j.name}</td><td>${j.failedReason}</td><td>${j.attemptsMade}</td>
<td><form method="post" action="/console/failed/${encodeURIComponent(String(j.id))}/retry">${csrf}<button type="submit">重试</button></form></td></tr>`);
    const body = html`<h1>发送失败 (${await deps.deliveries.getFailedCount()})</h1>
<p class="muted">修复原因（见 README 的排障表）后重试；更多操作在 <a href="/admin/queues">Bull Board</a>。</p>
${rows.length ? html`<table class="wide"><thead><tr><th>时间</th><th>消息</th><th>原因</th><th>次数</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="note">没有失败的消息。</p>`}`;
    res.type('html').send(page({ title: '发送失败', section: 'failed', body, admin: true }));
  };
}

/** POST /console/failed/:id/retry */
export function retryFailed(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const job = await deps.deliveries.getJob(String(req.params.id));
    if (job && (await job.isFailed())) await job.retry();
    res.redirect(303, '/console/failed');
  };
}
