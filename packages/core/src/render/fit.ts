import type { Sheet } from './template/sheet';
import { byteLength, splitByBytes, truncateBytes } from './utf8';

/** One alert never takes more messages than this (robots get 20 a minute): past it the description is cut; the link has the rest. */
export const MAX_PARTS = 3;
/** To stay one message, the description may lose up to this share of itself. */
const SMALL_CUT = 0.25;
/** What a part number "(12/12)" can take in a header. */
const PART_SPACE = '(99/99)';

/** Everything below the header: the template's lines (lean: without the low-value ones) around the body. */
function content(sheet: Sheet, lean: boolean, body: string): string {
  return `${sheet.before(lean)}${body}${sheet.after(lean)}`;
}

function whole(sheet: Sheet, lean: boolean, body: string): string {
  return `${sheet.header()}${content(sheet, lean, body)}`;
}

/** The card in one message, if cutting at most SMALL_CUT of the body makes it fit. */
function withShorterBody(sheet: Sheet, lean: boolean, budget: number): string | undefined {
  const full = whole(sheet, lean, sheet.body);
  if (byteLength(full) <= budget) return full;
  const bodyBytes = byteLength(sheet.body);
  const keep = bodyBytes - (byteLength(full) - budget);
  if (keep < bodyBytes * (1 - SMALL_CUT)) return undefined;
  const cut = whole(sheet, lean, truncateBytes(sheet.body, keep));
  return byteLength(cut) <= budget ? cut : undefined;
}

/** At most MAX_PARTS pieces: past them the text is cut, and says so. */
function capped(pieces: string[], room: number): string[] {
  if (pieces.length <= MAX_PARTS) return pieces;
  const last = pieces[MAX_PARTS - 1];
  return [...pieces.slice(0, MAX_PARTS - 1), truncateBytes(last, Math.min(room, byteLength(last)) - 1)];
}

/** Numbered parts "(i/n)", each with the header; every line kept, the body cut only past MAX_PARTS. */
function numberedParts(sheet: Sheet, budget: number): string[] {
  const room = budget - byteLength(sheet.header(PART_SPACE)) - 1;
  if (room < 32) return [truncateBytes(whole(sheet, false, sheet.body), budget)];
  let body = sheet.body;
  for (;;) {
    // The content starts with the header's line break: the parts put their own.
    const text = content(sheet, false, body).slice(1);
    const pieces = splitByBytes(text, room);
    if (pieces.length <= MAX_PARTS || !body) {
      const kept = capped(pieces, room);
      return kept.map((piece, i) => `${sheet.header(`(${i + 1}/${kept.length})`)}\n${piece}`);
    }
    // Aim at exactly MAX_PARTS full parts, then creep down: line breaks waste a little room.
    const bytes = byteLength(body);
    const keep = Math.min(bytes - (byteLength(text) - MAX_PARTS * room), Math.floor(bytes * 0.95));
    body = keep > 8 ? truncateBytes(sheet.body, keep) : '';
  }
}

/**
 * Measure, then degrade, so the on-call engineer gets as few messages as possible with the
 * facts intact: (1) the card as is; (2) the body cut a little; (3) low-value lines dropped
 * (and the body cut a little); (4) numbered parts with every line, the body cut only past
 * MAX_PARTS. Cuts never fall inside a character, tag, mention or link.
 */
export function fitParts(sheet: Sheet, budgetBytes: number): string[] {
  const one = withShorterBody(sheet, false, budgetBytes) ?? withShorterBody(sheet, true, budgetBytes);
  if (one !== undefined) return [one];
  // A one-line card too long for one message: nothing to split between.
  if (!sheet.before(false) && !sheet.after(false)) return [truncateBytes(whole(sheet, false, sheet.body), budgetBytes)];
  return numberedParts(sheet, budgetBytes);
}
