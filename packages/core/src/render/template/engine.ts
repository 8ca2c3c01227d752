import { Liquid, Tag, TokenKind, type Context, type Emitter, type Liquid as Engine, type Parser, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { formatDuration, formatTime } from '../time';
import { escapeMarkdown, httpUrl, linkTarget, oneLine, shortUrl } from '../user-text';
import { truncateBytes } from '../utf8';
import { MARK, stripMarks } from './markers';

export type TemplateFormat = 'text' | 'markdown';

/**
 * Limits that stop a hostile or careless template (liquidjs' "DoS" options): the source size,
 * what one render may allocate (ranges, joins, appends: every loop allocates, so this is what
 * stops a runaway loop) and, as a backstop, its time. A card takes well under a millisecond and
 * a few kilobytes; the time limit is far above what a busy machine or a garbage collection
 * adds, so it never stops a sane template.
 */
export const TEMPLATE_LIMITS = { sourceChars: 64 * 1024, renderMs: 500, memory: 1_000_000 } as const;

/** A value a filter has already written for the target format: the output escaping leaves it alone. */
class Written {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  return stripMarks(Array.isArray(value) ? value.join(', ') : String(value));
}

/** {% low %}, {% part %}: a mark where the tag stands. */
function markTag(mark: string) {
  return class extends Tag {
    render(_ctx: Context, emitter: Emitter): void {
      emitter.write(mark);
    }
  };
}

/** {% body %} … {% endbody %}: the free text the budget ladder shortens first. */
class BodyTag extends Tag {
  private templates: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Engine, parser: Parser) {
    super(token, remain, liquid);
    while (remain.length) {
      const next = remain.shift()!;
      if (next.kind === TokenKind.Tag && (next as TagToken).name === 'endbody') return;
      this.templates.push(parser.parseToken(next, remain));
    }
    throw new Error(`tag ${token.getText()} not closed`);
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    emitter.write(MARK.bodyStart);
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    emitter.write(MARK.bodyEnd);
  }
  *children(): Generator<unknown, Template[], unknown> {
    return this.templates;
  }
}

/** Tags that read other templates (files): a template stands alone. */
const FORBIDDEN_TAGS = ['include', 'render', 'layout', 'block'];

/**
 * One Liquid engine per format. Sandboxed as liquidjs allows: only own properties of the
 * values given (no prototype or constructor walking), no file system (an empty in-memory
 * store, and the tags that read templates removed), unknown filters are errors, and every
 * render is bounded in time and memory. Every {{ output }} is escaped for the format
 * (markdown: no tag, mention, quote or heading from user text); helpers write their own.
 */
export function createEngine(format: TemplateFormat): Liquid {
  const md = format === 'markdown';
  const engine = new Liquid({
    templates: {},
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    parseLimit: TEMPLATE_LIMITS.sourceChars,
    renderLimit: TEMPLATE_LIMITS.renderMs,
    memoryLimit: TEMPLATE_LIMITS.memory,
    outputEscape: (value: unknown) => (value instanceof Written ? value.text : md ? escapeMarkdown(show(value)) : show(value)),
  });
  for (const name of FORBIDDEN_TAGS) delete (engine.tags as Record<string, unknown>)[name];
  engine.registerTag('low', markTag(MARK.low));
  engine.registerTag('part', markTag(MARK.part));
  engine.registerTag('body', BodyTag);

  const tz = (ctx: Context) => String((ctx.globals as { tz?: string }).tz ?? 'UTC');
  engine.registerFilter('time', function (this: { context: Context }, value: unknown, style?: string) {
    const full = formatTime(typeof value === 'number' || typeof value === 'string' ? value : undefined, tz(this.context));
    if (!full) return undefined;
    return style === 'short' ? full.slice(5, 16) : style === 'date' ? full.slice(0, 10) : style === 'clock' ? full.slice(11) : full;
  });
  engine.registerFilter('duration', (ms: unknown, lang?: string) => {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
    return formatDuration(ms, lang === 'en' ? 'en' : 'zh');
  });
  engine.registerFilter('link', (url: unknown, label?: unknown) => {
    const target = httpUrl(typeof url === 'string' ? url : undefined);
    if (!target) return undefined;
    if (!md) return new Written(target);
    const text = escapeMarkdown(show(label ?? shortUrl(target))).replace(/[[\]]/g, '');
    return new Written(`[${text}](${linkTarget(target)})`);
  });
  engine.registerFilter('mention', (ids: unknown) => {
    const list = (Array.isArray(ids) ? ids : [ids]).map(show).filter((id) => /^[\w.@-]+$/.test(id));
    return md && list.length ? new Written(list.map((id) => `<@${id}>`).join(' ')) : undefined;
  });
  engine.registerFilter('oneline', (value: unknown, maxBytes?: number) => oneLine(show(value), maxBytes));
  engine.registerFilter('bytes', (value: unknown, maxBytes: number) => truncateBytes(show(value), Math.max(0, Number(maxBytes) || 0)));
  return engine;
}
