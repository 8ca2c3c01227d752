/** WeCom limits are UTF-8 bytes (reference/wecom.md §5): a CJK character is 3 of them. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Graphemes, not code points: an emoji with its variation selector, a ZWJ family, a flag or a
 * letter with its accents is one thing on screen and must not be cut apart.
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Things that must stay whole: font tags, mentions, markdown links, bare URLs. A bare URL ends
 * at the first character a URL cannot hold unencoded, so Chinese text glued to it (no space
 * before it, as usual) is not swallowed.
 */
const ATOMS = /<\/?font[^<>]*>|<@[^<>\s]*>|\[[^[\]\n]{0,200}\]\([^()\s]{1,2000}\)|https?:\/\/[!#-;=?-~]+/g;

/** Length (in UTF-16 units) of the longest run of whole units from the start within maxBytes. */
function prefixWithin(units: Iterable<string>, maxBytes: number): number {
  let bytes = 0;
  let index = 0;
  for (const unit of units) {
    bytes += byteLength(unit);
    if (bytes > maxBytes) break;
    index += unit.length;
  }
  return index;
}

function* segments(s: string): Generator<string> {
  for (const { segment } of graphemes.segment(s)) yield segment;
}

/** A cut inside an atom moves back to the atom's start. */
function outsideAtoms(s: string, index: number): number {
  for (const match of s.matchAll(ATOMS)) {
    const start = match.index ?? 0;
    if (start >= index) break;
    if (index < start + match[0].length) return start;
  }
  return index;
}

/** Largest index at which s may be cut so the prefix has at most maxBytes (0 if none). */
function safeCutIndex(s: string, maxBytes: number): number {
  return outsideAtoms(s, prefixWithin(segments(s), maxBytes));
}

/**
 * When nothing fits whole (an atom or a grapheme longer than the budget) splitByBytes must still
 * make progress: it cuts between graphemes, else between code points (a string iterates by
 * code point), never inside one.
 */
function forcedCutIndex(s: string, maxBytes: number): number {
  return prefixWithin(segments(s), maxBytes) || prefixWithin(s, maxBytes);
}

/** Cuts s to at most maxBytes (marker included), never inside a character, tag, mention, link or URL. */
export function truncateBytes(s: string, maxBytes: number, marker = '…'): string {
  if (byteLength(s) <= maxBytes) return s;
  const room = maxBytes - byteLength(marker);
  if (room < 0) return '';
  return s.slice(0, safeCutIndex(s, room)).trimEnd() + marker;
}

/** Splits s into pieces of at most maxBytes, on line boundaries where possible; nothing is lost. */
export function splitByBytes(s: string, maxBytes: number): string[] {
  // Four bytes hold any code point, so every piece makes progress.
  if (maxBytes < 4) throw new Error('splitByBytes: budget too small for one character');
  const parts: string[] = [];
  let current: string | undefined;
  for (const line of s.split('\n')) {
    const candidate = current === undefined ? line : `${current}\n${line}`;
    if (byteLength(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    let rest = line;
    // A long line first fills what is left of the current piece, so no piece is left half empty.
    const room = maxBytes - byteLength(current ?? '') - 1;
    if (current !== undefined && byteLength(line) > maxBytes && room > 16) {
      const cut = safeCutIndex(line, room);
      if (cut > 0) {
        current = `${current}\n${line.slice(0, cut)}`;
        rest = line.slice(cut);
      }
    }
    if (current !== undefined) parts.push(current);
    while (byteLength(rest) > maxBytes) {
      const cut = safeCutIndex(rest, maxBytes) || forcedCutIndex(rest, maxBytes);
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  parts.push(current ?? '');
  return parts;
}

/** Cuts s to at most maxChars characters as people count them (graphemes), marker included. */
export function truncateChars(s: string, maxChars: number, marker = '…'): string {
  const parts = [...graphemes.segment(s)].map((g) => g.segment);
  if (parts.length <= maxChars) return s;
  return parts.slice(0, Math.max(0, maxChars - 1)).join('').trimEnd() + marker;
}
