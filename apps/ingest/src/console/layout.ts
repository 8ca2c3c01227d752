import { createHash } from 'node:crypto';
import { html, type Safe } from './html';

/** The console's one stylesheet, served from /console/assets (the CSP allows no inline style). */
export const CSS = `
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --red:#cf222e; --amber:#9a6700; --green:#1a7f37; --blue:#0969da; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif; color:var(--fg); background:#fff; }
header { background:#24292f; color:#fff; padding:.5rem .75rem; display:flex; flex-wrap:wrap; gap:.25rem .9rem; align-items:center; }
header a { color:#fff; text-decoration:none; opacity:.8; } header a.on { opacity:1; font-weight:600; } header b { margin-right:.5rem; }
main { padding:.75rem; max-width:70rem; margin:0 auto; }
h1 { font-size:1.25rem; margin:.25rem 0 .75rem; word-break:break-word; } h2 { font-size:1.05rem; margin:1.25rem 0 .5rem; }
table { border-collapse:collapse; width:100%; } th,td { text-align:left; padding:.35rem .4rem; border-bottom:1px solid var(--line); vertical-align:top; word-break:break-word; }
th { color:var(--muted); font-weight:500; white-space:nowrap; } tr.alert td:first-child { white-space:nowrap; color:var(--muted); }
dl { display:grid; grid-template-columns:max-content 1fr; gap:.25rem .75rem; margin:0; } dt { color:var(--muted); } dd { margin:0; word-break:break-word; }
form.filters { display:flex; flex-wrap:wrap; gap:.4rem; margin-bottom:.75rem; } form.filters > * { flex:1 1 8rem; }
input,select,button,textarea { font:inherit; padding:.35rem .45rem; border:1px solid var(--line); border-radius:6px; background:#fff; }
button { background:var(--blue); color:#fff; border-color:var(--blue); cursor:pointer; } button.quiet { background:#fff; color:var(--fg); border-color:var(--line); }
.badge { display:inline-block; padding:0 .4rem; border-radius:1rem; font-size:.85em; background:var(--bg); border:1px solid var(--line); white-space:nowrap; }
.critical { color:var(--red); } .warning { color:var(--amber); } .resolved { color:var(--green); } .muted { color:var(--muted); }
.note { background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:.5rem .75rem; margin:.5rem 0; }
pre { white-space:pre-wrap; word-break:break-word; background:var(--bg); padding:.5rem; border-radius:6px; margin:0; }
.matchers { display:grid; grid-template-columns:2fr 1fr 3fr; gap:.3rem; margin:.4rem 0; }
.pager { margin:.75rem 0; display:flex; gap:1rem; }
.actions { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; margin:.5rem 0; } .actions form { margin:0; }
a.button { display:inline-block; padding:.35rem .8rem; border:1px solid var(--blue); border-radius:6px; color:var(--blue); text-decoration:none; }
.confirm { border-color:var(--blue); background:#ddf4ff; } .done { border-color:var(--green); background:#dafbe1; }
.override { color:var(--amber); } header .who { margin-left:auto; opacity:.8; font-size:.9em; }
@media (max-width: 40rem) { table.wide thead { display:none; } table.wide tr { display:block; border-bottom:1px solid var(--line); padding:.3rem 0; } table.wide td { display:inline-block; border:0; padding:.1rem .4rem .1rem 0; } }
`;
export const CSS_VERSION = createHash('sha256').update(CSS).digest('hex').slice(0, 12);

export type Section = 'alerts' | 'problems' | 'oncall' | 'silences' | 'failed' | 'noise';

const NAV: Array<[Section, string, string]> = [
  ['alerts', '/console', '告警'],
  ['problems', '/console/problems', '问题'],
  ['oncall', '/console/oncall', '值班'],
  ['silences', '/console/silences', '静默'],
  ['failed', '/console/failed', '发送失败'],
  ['noise', '/console/noise', '降噪日报'],
];

/**
 * Every page: the nav (admins only: a member or a link holder sees just what they opened), who
 * is signed in through WeCom, then the body.
 */
export function page(input: { title: string; body: Safe; section?: Section; admin: boolean; who?: string }): string {
  const nav = input.admin ? NAV.map(([id, href, label]) => html`<a href="${href}" class="${id === input.section ? 'on' : ''}">${label}</a>`) : [];
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} · 告警网关</title><link rel="stylesheet" href="/console/assets/console.css?v=${CSS_VERSION}"></head>
<body><header><b>告警网关</b>${nav}${input.who ? html`<span class="who">👤 ${input.who}</span>` : ''}</header><main>${input.body}</main></body></html>`.text;
}
