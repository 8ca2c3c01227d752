import type { RequestHandler } from 'express';
import { viewerOf } from '../access';
import { html } from '../html';
import { OUTCOME_WORDS, when } from '../format';
import { page } from '../layout';
import { alertRow, alertTable, forgotten, type ConsoleDeps } from './shared';

/** Alerts per page: a busy hour's digest carries tens of thousands, too many for one page. */
export const LIST_PAGE_SIZE = 200;

/**
 * GET /console/lists/:id[?page=n]: every alert a digest or storm summary carried, the ones its
 * card had no room for included, a page at a time; a digest's starts with the problems its card
 * carries, worst first. A link holder may open each of them and every page: the list named them.
 */
export function listPage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const viewer = viewerOf(req);
    const requested = req.query.page === undefined ? 1 : Number(req.query.page);
    if (!Number.isSafeInteger(requested) || requested < 1) {
      res.status(400).type('html').send(page({ title: '无法打开', admin: viewer.admin, body: html`<h1>无法打开</h1><p class="note">page 必须是从 1 开始的整数。</p>` }));
      return;
    }
    const list = await deps.history.list(String(req.params.id), { offset: (requested - 1) * LIST_PAGE_SIZE, limit: LIST_PAGE_SIZE });
    if (!list) {
      forgotten(res, viewer, '这份汇总');
      return;
    }
    const { total } = list;
    const pages = Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));
    if (requested > pages) {
      res.status(404).type('html').send(page({ title: '无法打开', admin: viewer.admin, body: html`<h1>无法打开</h1><p class="note">这份汇总只有 ${pages} 页。</p>` }));
      return;
    }
    const tz = deps.config.displayTz;
    const hrefs = await Promise.all(list.alerts.map(async (a) => (viewer.admin ? `/console/alerts/${encodeURIComponent(a.id)}` : (await deps.links.to({ kind: 'alert', id: a.id })) ?? '#')));
    const sent = list.messages.at(-1);
    // Another page of the same list, its link's token kept.
    const pageHref = (n: number) => `?${new URLSearchParams({ ...(typeof req.query.t === 'string' ? { t: req.query.t } : {}), page: String(n) }).toString()}`;
    const pager =
      pages > 1
        ? html`<div class="pager">${requested > 1 ? html`<a href="${pageHref(requested - 1)}">← 上一页</a>` : ''}<span class="muted">第 ${requested} / ${pages} 页</span>${requested < pages ? html`<a href="${pageHref(requested + 1)}">下一页 →</a>` : ''}</div>`
        : '';
    const body = html`<h1>${list.kind === 'storm' ? '🌪️' : '📋'} ${list.heading}</h1>
<p class="muted">${list.destinationId} · ${when(list.at, tz)} · ${sent ? `${OUTCOME_WORDS[sent.outcome] ?? sent.outcome} (${when(sent.at, tz)})` : '等待发送'} · 共 ${total} 条</p>
${alertTable(list.alerts.map((a, i) => alertRow(a, tz, hrefs[i])))}${pager}`;
    res.type('html').send(page({ title: list.heading, section: 'alerts', body, admin: viewer.admin }));
  };
}
