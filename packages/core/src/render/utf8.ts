/** WeCom limits are UTF-8 bytes (reference/wecom.md §5): a CJK character is 3 of them. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Characters that belong to the one before them: cutting before them breaks an emoji. */
const JOINS_PREVIOUS = /^[\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}\u0300-\u036f\u20e3]/u;

/** Things that must stay whole: font tags, mentions, markdown links, bare URLs. */
const ATOMS = /<\/?font[^>]*>|<@[^>]*>|\[[^\]]*\]\([^)]*\)|https?:\/\/\S+/g;

/** Largest index ≤ maxBytes (in bytes) at which the string may be cut. */
function safeCutIndex(s: string, maxBytes: number): number {
  const points = Array.from(s);
  let bytes = 0;
  let index = 0;
  let i = 0;
  for (; i < points.length; i++) {
    const size = byteLength(points[i]);
    if (bytes + size > maxBytes) break;
    bytes += size;
    index += points[i].length;
  }
  // Step back over joiners so an emoji and its variation selector or ZWJ partner stay together.
  while (i > 0 && i < points.length && (JOINS_PREVIOUS.test(points[i]) || points[i - 1] === '\u200d')) {
    i--;
    index -= points[i].length;
  }
  // Never end inside an atom: cut before it instead.
  for (const match of s.matchAll(ATOMS)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (start < index && index < end) return start;
  }
  return index;
}

/** Cuts s to at most maxBytes (marker included), never inside a character, tag, mention or link. */
export function truncateBytes(s: string, maxBytes: number, marker = '…'): string {
  if (byteLength(s) <= maxBytes) return s;
  const room = maxBytes - byteLength(marker);
  if (room <= 0) return '';
  return s.slice(0, safeCutIndex(s, room)).trimEnd() + marker;
}

/** Splits s into pieces of at most maxBytes, on line boundaries where possible. */
export function splitByBytes(s: string, maxBytes: number): string[] {
  if (maxBytes < 8) throw new Error('splitByBytes: budget too small');
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    if (current) parts.push(current);
    current = '';
  };
  for (const line of s.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (byteLength(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    let rest = line;
    // A long line first fills what is left of the current piece, so no piece is left half empty.
    const room = maxBytes - byteLength(current) - 1;
    if (current && byteLength(line) > maxBytes && room > 16) {
      const cut = safeCutIndex(line, room);
      current = `${current}\n${line.slice(0, cut)}`;
      rest = line.slice(cut);
    }
    flush();
    while (byteLength(rest) > maxBytes) {
      let cut = safeCutIndex(rest, maxBytes);
      if (cut === 0) cut = safeCutIndex(rest.replace(ATOMS, (m) => 'x'.repeat(m.length)), maxBytes) || 1;
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  flush();
  return parts.length ? parts : [''];
}
