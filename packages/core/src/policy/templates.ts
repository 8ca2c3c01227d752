import path from 'node:path';
import Joi from 'joi';
import type { Document, LineCounter } from 'yaml';
import type { Alert, AlertSource } from '../alert';
import { templateContext } from '../render/template/context';
import { compileTemplate, TemplateError, type CardTemplate, type TemplateOrigin } from '../render/template/compile';
import type { TemplateFormat } from '../render/template/engine';
import { exampleNames, loadExample, normalizeWebhook } from '../sources/webhook';
import { testAlert } from '../sources/test-alert';
import { decide } from './decide';
import type { CardTemplates, Policy, TemplateRef, TemplateSpec } from './types';

const templateRef = Joi.alternatives(Joi.string(), Joi.object({ file: Joi.string().min(1).required() }));
/** `template:` of a route or destination, `templates.<source>:` at the top: a template per format. */
export const templateSpecSchema = Joi.object({ text: templateRef, markdown: templateRef });
export const sourceTemplatesSchema = Joi.object({ sentry: templateSpecSchema, alertmanager: templateSpecSchema, test: templateSpecSchema });

/** Where the policy file is and how to read the files it names. */
export interface TemplateFiles {
  file: string;
  /** The policy file's text, its parsed document and line positions: inline templates report lines of the file. */
  text: string;
  document: Document;
  lines: LineCounter;
  readFile: (file: string) => string;
}

let samples: Alert[] | undefined;
/** Every bundled example and the /test alert: a template is tried on each before it is accepted. */
function sampleAlerts(): Alert[] {
  const at = new Date('2025-10-31T04:40:00Z');
  samples ??= [...exampleNames().flatMap((name) => normalizeWebhook(loadExample(name), { receivedAt: at }).alerts), testAlert(at, 'sample')];
  return samples;
}

/**
 * Line 1, column 1 of an inline template: in a literal YAML block (`|`), the block's first line
 * after its indentation, so errors name lines of the policy file. Any other string (quoted,
 * folded) does not keep its lines: errors then name its path and lines of the template.
 */
function inlineOrigin(files: TemplateFiles, at: Array<string | number>): TemplateOrigin {
  const name = `${files.file} (${at.join('.')})`;
  const node = files.document.getIn(at, true) as { type?: string; range?: [number, number, number] } | undefined;
  if (!node?.range || node.type !== 'BLOCK_LITERAL') return { name };
  const first = files.lines.linePos(node.range[0]).line + 1;
  const indent = /^ */.exec(files.text.split('\n')[first - 1] ?? '')![0].length;
  return { name: files.file, line: first, column: indent + 1 };
}

function compileRef(ref: TemplateRef, format: TemplateFormat, at: Array<string | number>, files: TemplateFiles, strict: boolean, read: string[]): CardTemplate {
  if (typeof ref === 'string') return compileTemplate(ref, { format, origin: inlineOrigin(files, at), strict });
  const file = path.resolve(path.dirname(files.file), ref.file);
  let source: string;
  try {
    source = files.readFile(file);
  } catch (err) {
    throw new TemplateError(`cannot read template file ${ref.file}: ${(err as Error).message}`, { file: `${files.file} (${at.join('.')})` });
  }
  read.push(source);
  return compileTemplate(source, { format, origin: { name: file }, strict });
}

/** A template is tried on every sample alert it may meet, so a render limit it always hits stops the load, not an alert. */
function tryOn(template: CardTemplate, source: AlertSource | undefined, format: TemplateFormat): void {
  for (const alert of sampleAlerts()) {
    if (source && alert.source !== source) continue;
    template.render(templateContext(alert, { format, budgetBytes: 4096, tz: 'Asia/Shanghai', totals: { count: 2, firstSeen: alert.startsAt, lastSeen: alert.receivedAt }, mentions: ['zhangsan'], link: 'https://gateway.example.com/console/alerts/1' }));
  }
}

/**
 * Compiles every template the policy names; each problem (with file, line and column) goes
 * to `problems`. Returns the templates and the text of every template file read (the
 * policy's hash covers them).
 */
export function compilePolicyTemplates(
  value: { templates?: Partial<Record<AlertSource, TemplateSpec>>; destinations?: Array<{ id: string; template?: TemplateSpec }>; routes?: Array<{ name: string; template?: TemplateSpec }>; strictTemplates?: boolean },
  files: TemplateFiles,
  problems: string[],
): { templates: CardTemplates; read: string[] } {
  const strict = value.strictTemplates ?? true;
  const templates: CardTemplates = { routes: {}, destinations: {}, sources: {} };
  const read: string[] = [];
  const compileSet = (spec: TemplateSpec | undefined, at: Array<string | number>, source?: AlertSource) => {
    const out: Partial<Record<TemplateFormat, CardTemplate>> = {};
    for (const format of ['text', 'markdown'] as const) {
      const ref = spec?.[format];
      if (ref === undefined) continue;
      try {
        out[format] = compileRef(ref, format, [...at, format], files, strict, read);
        tryOn(out[format]!, source, format);
      } catch (err) {
        problems.push(err instanceof TemplateError ? err.message : `${at.join('.')}.${format}: ${(err as Error).message}`);
      }
    }
    return out;
  };
  for (const [source, spec] of Object.entries(value.templates ?? {}) as Array<[AlertSource, TemplateSpec]>) templates.sources[source] = compileSet(spec, ['templates', source], source);
  value.destinations?.forEach((d, i) => {
    if (d.template) templates.destinations[d.id] = compileSet(d.template, ['destinations', i, 'template']);
  });
  value.routes?.forEach((r, i) => {
    if (!r.template) return;
    // A delivery names its route: another route of the same name would get this template too.
    if (value.routes!.some((other) => other !== r && other.name === r.name)) problems.push(`routes[${i}] (${r.name}) has a template, and another route has the same name: name them apart`);
    templates.routes[r.name] = compileSet(r.template, ['routes', i, 'template']);
  });
  return { templates, read };
}

/**
 * The template of one alert's card for one destination: the template of the route that sends
 * it there, else the destination's, else the source's; none means the built-in card. The route
 * is found again from the policy (routing is cheap and deterministic), so delivery jobs carry
 * no route and workers of the previous release read them unchanged.
 */
export function pickTemplate(policy: Policy, at: { alert: Alert; destinationId: string; format: TemplateFormat }): CardTemplate | undefined {
  const { templates } = policy;
  const route = decide(policy, at.alert).find((d) => d.destinationId === at.destinationId)?.route;
  return (
    (route !== undefined ? templates.routes[route]?.[at.format] : undefined) ??
    templates.destinations[at.destinationId]?.[at.format] ??
    templates.sources[at.alert.source]?.[at.format]
  );
}
