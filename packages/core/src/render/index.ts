export * from './utf8';
export * from './time';
export type { Totals, RenderOptions, Card, CardLine } from './types';
export { renderAlert } from './card';
export { MAX_PARTS } from './fit';
export * from './digest';
export * from './template-card';
