import fs from 'node:fs';
import path from 'node:path';
import type { AlertSource } from '../../alert';
import { compileTemplate, type CardTemplate } from './compile';
import type { TemplateFormat } from './engine';

/** The seed's cards, as files people copy (packages/core/templates): the same from src and dist. */
const BUILTIN_TEMPLATE_DIR = path.resolve(__dirname, '../../../templates');

const cache = new Map<string, CardTemplate>();

/** The built-in card of a source in a format: `<source>.<format>.liquid`. */
export function builtinTemplate(source: AlertSource, format: TemplateFormat): CardTemplate {
  const name = `${source}.${format}.liquid`;
  let template = cache.get(name);
  if (!template) {
    template = compileTemplate(fs.readFileSync(path.join(BUILTIN_TEMPLATE_DIR, name), 'utf8'), { format, origin: { name: `built-in ${name}` }, strict: true, builtIn: true });
    cache.set(name, template);
  }
  return template;
}
