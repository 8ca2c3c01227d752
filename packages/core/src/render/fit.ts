import type { Card, CardLine, RenderOptions } from './types';
import { escapeMarkdown, linkTarget } from './user-text';
import { byteLength, splitByBytes, truncateBytes } from './utf8';
import { RULE_LINE } from './words';

/** One alert never takes more messages than this (robots get 20 a minute): past it the description is cut; the link has the rest. */
export const MAX_PARTS = 3;
/** To stay one message, the description may lose up to this share of itself. */
const SMALL_CUT = 0.25;
/** What a part number "(12/12)" can take in a header. */
const PART_SPACE = ' (99/99)';

/** A card written out in one format; the pieces the ladder shortens are kept apart. */
interface Layout {
  header(part?: string): string;
  lines: CardLine[];
  body: string;
  link?: string;
  /** The console page of the alert (PUBLIC_URL). */
  page?: string;
  mentions?: string;
}

function layout(card: Card, opts: RenderOptions): Layout {
  const md = opts.format === 'markdown';
  const user = md ? escapeMarkdown : (s: string) => s;
  // The header is repeated on every part: it may take a quarter of the budget at most.
  const headerRoom = Math.max(16, Math.floor(opts.budgetBytes / 4) - byteLength(PART_SPACE));
  const title = truncateBytes(user(card.header), headerRoom);
  return {
    header: (part) => {
      const text = part ? `${title} ${part}` : title;
      return md ? `<font color="${card.colour}">**${text}**</font>` : text;
    },
    lines: card.lines.map((l) => ({ ...l, text: md ? `> ${user(l.text)}` : l.text })),
    body: user(card.body.join('\n').replace(/\r\n?/g, '\n')),
    link: card.url && `🔗 详情: ${md ? `[${linkTarget(card.url)}](${linkTarget(card.url)})` : card.url}`,
    page: opts.link && (md ? `[📋 告警页面](${linkTarget(opts.link)})` : `📋 告警页面: ${opts.link}`),
    mentions: md && opts.mentions?.length ? opts.mentions.map((id) => `<@${id}>`).join(' ') : undefined,
  };
}

/** Everything below the header, in the seed's order: rule, lines, empty line, free text, link, rule. */
function content(l: Layout, lines: CardLine[], body: string): string[] {
  const free = [body, l.link, l.page].filter((s): s is string => Boolean(s));
  return [RULE_LINE, ...lines.map((x) => x.text), ...(free.length ? ['', ...free] : []), ...(l.mentions ? [l.mentions] : []), RULE_LINE];
}

function whole(l: Layout, lines: CardLine[], body: string): string {
  return [l.header(), ...content(l, lines, body)].join('\n');
}

/** The card in one message, if cutting at most SMALL_CUT of the description makes it fit. */
function withShorterBody(l: Layout, lines: CardLine[], budget: number): string | undefined {
  const full = whole(l, lines, l.body);
  if (byteLength(full) <= budget) return full;
  const bodyBytes = byteLength(l.body);
  const keep = bodyBytes - (byteLength(full) - budget);
  if (keep < bodyBytes * (1 - SMALL_CUT)) return undefined;
  const cut = whole(l, lines, truncateBytes(l.body, keep));
  return byteLength(cut) <= budget ? cut : undefined;
}

/** Numbered parts "(i/n)", each with the header; all lines kept, the description cut past MAX_PARTS. */
function numberedParts(l: Layout, opts: RenderOptions): string[] {
  const room = opts.budgetBytes - byteLength(l.header(PART_SPACE.trim())) - 1;
  if (room < 32) return [truncateBytes(whole(l, l.lines, l.body), opts.budgetBytes)];
  let body = l.body;
  for (;;) {
    const text = content(l, l.lines, body).join('\n');
    const pieces = splitByBytes(text, room);
    if (pieces.length <= MAX_PARTS || !body) {
      return pieces.map((piece, i) => `${l.header(`(${i + 1}/${pieces.length})`)}\n${piece}`);
    }
    // Aim at exactly MAX_PARTS full parts, then creep down: line breaks waste a little room.
    const bytes = byteLength(body);
    const keep = Math.min(bytes - (byteLength(text) - MAX_PARTS * room), Math.floor(bytes * 0.95));
    body = keep > 8 ? truncateBytes(l.body, keep) : '';
  }
}

/**
 * Measure, then degrade, so the on-call engineer gets as few messages as possible with the
 * facts intact: (1) the card as is; (2) the description cut a little; (3) low-value lines
 * dropped (and the description cut a little); (4) numbered parts with every line, the
 * description cut only past MAX_PARTS. Cuts never fall inside a character, tag, mention or link.
 */
export function fitParts(card: Card, opts: RenderOptions): string[] {
  const l = layout(card, opts);
  const lean = l.lines.filter((x) => !x.low);
  const one = withShorterBody(l, l.lines, opts.budgetBytes) ?? withShorterBody(l, lean, opts.budgetBytes);
  return one !== undefined ? [one] : numberedParts(l, opts);
}
