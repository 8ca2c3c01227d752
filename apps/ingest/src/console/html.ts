import escapeHtml from 'escape-html';

/** Markup that is already safe: what html`` returns, and nothing a caller builds from user text. */
export class Safe {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Safe | string | number | boolean | null | undefined | Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof Safe) return value.text;
  // Everything else is text: alert titles, labels and annotations are whatever a sender wrote.
  return escapeHtml(String(value));
}

/** HTML with every interpolated value escaped, unless it is itself html``. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Safe {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new Safe(out);
}

/** A link target from a payload: only http(s), so `javascript:` and friends never become a link. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
