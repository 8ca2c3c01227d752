import type { RequestHandler } from 'express';
import { viewerOf } from '../access';
import { html } from '../html';
import { OUTCOME_WORDS, when } from '../format';
import { page } from '../layout';
import { alertRow, alertTable, forgotten, type ConsoleDeps } from './shared';

/**
 * GET /console/lists/:id: every alert a digest or storm summary carried, the ones its card
 * had no room for included. A link holder may open each of them: the list named them.
 */
export function listPage(deps: ConsoleDeps): RequestHandler {
  return async (req, res) => {
    const viewer = viewerOf(req);
    const list = await deps.history.list(String(req.params.id));
    if (!list) {
      forgotten(res, viewer, '这份汇总');
      return;
    }
    const tz = deps.config.displayTz;
    const hrefs = await Promise.all(list.alerts.map(async (a) => (viewer.admin ? `/console/alerts/${encodeURIComponent(a.id)}` : (await deps.links.to({ kind: 'alert', id: a.id })) ?? '#')));
    const sent = list.messages.at(-1);
    const body = html`<h1>${list.kind === 'storm' ? '🌪️' : '📋'} ${list.heading}</h1>
<p class="muted">${list.destinationId} · ${when(list.at, tz)} · ${sent ? `${OUTCOME_WORDS[sent.outcome] ?? sent.outcome} (${when(sent.at, tz)})` : '等待发送'} · 共 ${list.alerts.length} 条</p>
${alertTable(list.alerts.map((a, i) => alertRow(a, tz, hrefs[i])))}`;
    res.type('html').send(page({ title: list.heading, section: 'alerts', body, admin: viewer.admin }));
  };
}
