import type { Card, RenderOptions } from './card';
import { byteLength, splitByBytes, truncateBytes } from './utf8';

export const RULE_LINE = '━━━━━━━━━━━━━━━━';
/** A message longer than this many parts gets its free text shortened instead. */
const MAX_PARTS = 5;

/** User text must not open tags or mentions in WeCom markdown; the full-width bracket reads the same. */
function escapeMarkdown(s: string): string {
  return s.replace(/</g, '＜').replace(/>/g, '＞');
}

function headerLine(card: Card, opts: RenderOptions, part?: string): string {
  const header = part ? `${card.header} ${part}` : card.header;
  return opts.format === 'markdown' ? `<font color="${card.colour}">**${escapeMarkdown(header)}**</font>` : header;
}

/** Everything below the header: the rule, labelled lines, free text, link, mentions, rule. */
function content(card: Card, opts: RenderOptions, body: string[]): string[] {
  const md = opts.format === 'markdown';
  const out = [RULE_LINE, ...card.lines.map((l) => (md ? `> ${escapeMarkdown(l)}` : l))];
  const tail = md ? body.map(escapeMarkdown) : [...body];
  if (card.link) tail.push(md ? card.link.replace(/^(🔗 详情): (.*)$/, (_m, label, url) => `${label}: [${url.replace(/\)/g, '%29')}](${url.replace(/\)/g, '%29')})`) : card.link);
  if (tail.length) out.push('', ...tail);
  if (md && opts.mentions?.length) out.push(opts.mentions.map((id) => `<@${id}>`).join(' '));
  out.push(RULE_LINE);
  return out;
}

/**
 * Measure, then degrade: the whole card if it fits; else numbered parts "(i/n)", each with
 * its header; past MAX_PARTS the free text is cut (never inside a character, tag or mention).
 */
export function fitParts(card: Card, opts: RenderOptions): string[] {
  const whole = [headerLine(card, opts), ...content(card, opts, card.body)].join('\n');
  if (byteLength(whole) <= opts.budgetBytes) return [whole];

  // Room for the header of a part, "(10/10)" and the newline.
  const headerBytes = byteLength(headerLine(card, opts, '(10/10)')) + 1;
  const room = opts.budgetBytes - headerBytes;
  if (room < 64) return [truncateBytes(whole, opts.budgetBytes)];
  let bodyBudget = byteLength(card.body.join('\n'));
  for (;;) {
    const body = card.body.length ? [truncateBytes(card.body.join('\n'), Math.max(0, bodyBudget))] : [];
    const pieces = splitByBytes(content(card, opts, body.filter(Boolean)).join('\n'), room);
    if (pieces.length <= MAX_PARTS || bodyBudget <= 0) {
      return pieces.map((piece, i) => `${headerLine(card, opts, `(${i + 1}/${pieces.length})`)}\n${piece}`);
    }
    bodyBudget = Math.floor(bodyBudget * 0.7) - 1;
  }
}
