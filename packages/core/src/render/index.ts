export * from './utf8';
export * from './time';
export type { Totals, RenderOptions } from './types';
export { compileTemplate, TemplateError, type CardTemplate } from './template/compile';
export { ALERT_FIELDS, VARIABLES } from './template/variables';
export { renderAlert } from './card';
export { MAX_PARTS } from './fit';
export * from './digest';
export { renderMessage, type RenderContext } from './message';
