import type { Liquid, Template } from 'liquidjs';
import { createEngine, TEMPLATE_LIMITS, type TemplateFormat } from './engine';
import { unknownVariable } from './variables';

/** A template that cannot be used, with where: file (or policy path), line and column. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly where: { file: string; line?: number; column?: number },
  ) {
    super(`${where.file}${where.line ? `:${where.line}:${where.column ?? 1}` : ''}: ${message}`);
    this.name = 'TemplateError';
  }
}

export interface CardTemplate {
  format: TemplateFormat;
  /** Where it came from: a file, a built-in, or the policy path of an inline template. */
  name: string;
  /** Renders the variables (template/variables.ts); throws when a render limit stops it. */
  render(variables: object): string;
}

const engines: Partial<Record<TemplateFormat, Liquid>> = {};
const engineFor = (format: TemplateFormat) => (engines[format] ??= createEngine(format));

/** liquidjs errors carry the token's position; the first line of their message says what. */
function positionOf(err: unknown): { line?: number; column?: number } {
  const token = (err as { token?: { getPosition?: () => [number, number] } }).token;
  const [line, column] = token?.getPosition?.() ?? [];
  return { line, column };
}

function what(err: unknown): string {
  return ((err as Error).message ?? String(err)).split('\n')[0].replace(/, line:\d+, col:\d+$/, '');
}

/**
 * Parses a template now, so a syntax error or an unknown filter (and, when strict, a variable
 * the gateway does not provide) stops start-up or a reload with file, line and column instead
 * of failing on the first alert. A source file's final line break is not part of the card.
 */
export function compileTemplate(source: string, opts: { format: TemplateFormat; name: string; strict: boolean }): CardTemplate {
  const engine = engineFor(opts.format);
  if (source.length > TEMPLATE_LIMITS.sourceChars) throw new TemplateError(`template is ${source.length} characters, more than ${TEMPLATE_LIMITS.sourceChars}`, { file: opts.name });
  let parsed: Template[];
  try {
    parsed = engine.parse(source.replace(/\r?\n$/, ''), opts.name);
  } catch (err) {
    throw new TemplateError(what(err), { file: opts.name, ...positionOf(err) });
  }
  if (opts.strict) {
    const analysis = engine.analyzeSync(parsed, { partials: false });
    for (const variables of Object.values(analysis.globals)) {
      for (const variable of variables) {
        const problem = unknownVariable(variable.toArray());
        if (problem) throw new TemplateError(`${problem} (strictTemplates: see docs/templates.md for the variables)`, { file: opts.name, line: variable.location.row, column: variable.location.col });
      }
    }
  }
  return {
    format: opts.format,
    name: opts.name,
    render: (variables) => {
      const { tz } = variables as { tz?: string };
      return String(engine.renderSync(parsed, variables, { globals: { tz } }));
    },
  };
}
