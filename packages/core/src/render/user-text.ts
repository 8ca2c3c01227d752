import { truncateBytes } from './utf8';

/** A field on a one-line label (title, service, location …) longer than this is cut. */
export const FIELD_MAX_BYTES = 256;

/** User text for a one-line field: line breaks would break the card's layout, length its header. */
export function oneLine(s: string | undefined, maxBytes = FIELD_MAX_BYTES): string | undefined {
  if (s === undefined) return undefined;
  const flat = s.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
  return flat ? truncateBytes(flat, maxBytes) : undefined;
}

/**
 * User text must not open a tag or a mention in WeCom markdown (`<font …>`, `<@all>`) nor start
 * turn a line into a quote or a heading: the full-width forms read the same and are kept, so
 * nothing is lost.
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/</g, '＜').replace(/>/g, '＞').replace(/^(\s*)#/gm, '$1＃');
}

/** In a link target, characters that would end the link or the markdown around it are percent-encoded. */
export function linkTarget(url: string): string {
  return url.replace(/[\s()[\]<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Only http(s) links from a payload reach a card: `javascript:` and friends are dropped. */
export function httpUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\/[^\s/?#]+/i.test(url)) return undefined;
  return url;
}

/**
 * What a phone shows of a link: no scheme, query or fragment; a long path keeps its host and
 * its last two segments (…/issues/12345: the part that says which), at most maxChars.
 */
export function shortUrl(url: string, maxChars = 48): string {
  const bare = url.replace(/^https?:\/\//i, '').replace(/[?#].*$/, '').replace(/\/+$/, '');
  if (bare.length <= maxChars) return bare;
  const [host, ...path] = bare.split('/');
  const kept = `${host}/…/${path.slice(-2).join('/')}`;
  return kept.length <= maxChars && path.length > 2 ? kept : `${bare.slice(0, maxChars - 1)}…`;
}
