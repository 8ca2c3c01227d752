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
  /** Renders the variables (template/variables.ts); throws a TemplateError when a render limit stops it. */
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
  // The position is reported in the file's terms by TemplateError.
  return ((err as Error).message ?? String(err)).split('\n')[0].replace(/(, file:[^,]*)?(, line:\d+, col:\d+)?$/, '');
}

export interface TemplateOrigin {
  /** The file it was read from, or the policy file and path of an inline template. */
  name: string;
  /** Where line 1, column 1 of the template is in that file (an inline template in a YAML block). */
  line?: number;
  column?: number;
}

/**
 * Parses a template now, so a syntax error or an unknown filter (and, when strict, a variable
 * the gateway does not provide) stops start-up or a reload with file, line and column instead
 * of failing on the first alert. A source file's final line break is not part of the card.
 */
export function compileTemplate(source: string, opts: { format: TemplateFormat; origin: TemplateOrigin; strict: boolean; builtIn?: boolean }): CardTemplate {
  const engine = engineFor(opts.format);
  const { origin } = opts;
  // Positions in the template → positions in the file it sits in.
  const error = (message: string, at: { line?: number; column?: number } = {}) =>
    new TemplateError(message, {
      file: origin.name,
      line: at.line === undefined ? undefined : at.line + (origin.line ?? 1) - 1,
      column: at.column === undefined ? undefined : at.column + (origin.column ?? 1) - 1,
    });
  if (source.length > TEMPLATE_LIMITS.sourceChars) throw error(`template is ${source.length} characters, more than ${TEMPLATE_LIMITS.sourceChars}`);
  let parsed: Template[];
  try {
    parsed = engine.parse(source.replace(/\r?\n$/, ''), origin.name);
  } catch (err) {
    throw error(what(err), positionOf(err));
  }
  if (opts.strict) {
    const analysis = engine.analyzeSync(parsed, { partials: false });
    for (const variables of Object.values(analysis.globals)) {
      for (const variable of variables) {
        const problem = unknownVariable(variable.toArray());
        if (problem) throw error(`${problem} (strictTemplates: docs/templates.md lists the variables)`, { line: variable.location.row, column: variable.location.col });
      }
    }
  }
  // The built-in cards are the fallback of every other template: nothing may stop them.
  const limits = opts.builtIn ? { renderLimit: Infinity, memoryLimit: Infinity } : {};
  return {
    format: opts.format,
    name: origin.name,
    render: (variables) => {
      const { tz } = variables as { tz?: string };
      try {
        return String(engine.renderSync(parsed, variables, { globals: { tz }, ...limits }));
      } catch (err) {
        throw error(what(err), positionOf(err));
      }
    },
  };
}
