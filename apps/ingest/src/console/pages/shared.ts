import type { AlertSummary, Config, HistoryReader, Links, Logger, SilenceStore } from '@ng/core';
import type { Queue } from 'bullmq';
import type { Response } from 'express';
import type { Viewer } from '../access';
import { html, type Safe } from '../html';
import { page } from '../layout';
import { FATE_WORDS, SEVERITY_WORDS, STATUS_WORDS, when } from '../format';
import type { Csrf } from '../csrf';

export interface ConsoleDeps {
  config: Config;
  history: HistoryReader;
  links: Links;
  silences: SilenceStore;
  deliveries: Queue;
  /** The worker's actions queue: claims, silences and 已处理 from the console, as from a card. */
  actions: Queue;
  csrf: Csrf;
  logger: Logger;
}

/** One row of an alert list: when, how bad, what (a link to its page), where, what became of it. */
export function alertRow(s: AlertSummary, tz: string, href: string): Safe {
  return html`<tr class="alert"><td>${when(s.at, tz)}</td><td class="${s.severity}">${SEVERITY_WORDS[s.severity] ?? s.severity}</td>
<td><a href="${href}">${s.title || s.key}</a><div class="muted">${[s.service, s.environment].filter(Boolean).join(' · ')}</div></td>
<td>${STATUS_WORDS[s.status] ?? s.status}</td><td><span class="badge">${FATE_WORDS[s.fate] ?? s.fate}</span></td></tr>`;
}

export function alertTable(rows: Safe[]): Safe {
  if (rows.length === 0) return html`<p class="note">没有符合条件的告警。</p>`;
  return html`<table class="wide"><thead><tr><th>时间</th><th>级别</th><th>告警</th><th>状态</th><th>结果</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** A hidden field with the admin's CSRF token, for every form that changes something. */
export async function csrfField(deps: ConsoleDeps, user: string): Promise<Safe> {
  return html`<input type="hidden" name="_csrf" value="${await deps.csrf.token(user)}">`;
}

/** 404 for a page whose alert or list the history no longer holds (past HISTORY_RETENTION). */
export function forgotten(res: Response, viewer: Viewer, what: '这条告警' | '这份汇总'): void {
  res.status(404).type('html').send(page({ title: '未找到', admin: viewer.admin, body: html`<h1>未找到${what}</h1><p class="note">它可能已超过保留期 (HISTORY_RETENTION)。</p>` }));
}
