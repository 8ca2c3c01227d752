import type { Alert } from '../alert';
import { fitParts } from './fit';
import { builtinTemplate } from './template/builtin';
import type { CardTemplate } from './template/compile';
import { templateContext } from './template/context';
import { readSheet } from './template/sheet';
import type { RenderOptions } from './types';

function fitted(template: CardTemplate, variables: object, budgetBytes: number): string[] {
  return fitParts(readSheet(template.render(variables)), budgetBytes);
}

/**
 * One alert's card: 1..n parts, each within opts.budgetBytes. The template is the policy's
 * (opts.template) or the seed's built-in card for the source and format. A template stopped by
 * a render limit must not stop the alert: the built-in card goes out, and the caller hears why.
 */
export function renderAlert(alert: Alert, opts: RenderOptions): string[] {
  const variables = templateContext(alert, opts);
  const builtin = builtinTemplate(alert.source, opts.format);
  const template = opts.template ?? builtin;
  if (template === builtin) return fitted(builtin, variables, opts.budgetBytes);
  try {
    return fitted(template, variables, opts.budgetBytes);
  } catch (err) {
    opts.onTemplateError?.(err as Error, template);
    return fitted(builtin, variables, opts.budgetBytes);
  }
}
