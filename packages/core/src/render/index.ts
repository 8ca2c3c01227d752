export * from './utf8';
export * from './time';
export type { Totals, RenderOptions, Card, CardLine, CardDestination } from './types';
export { renderAlert, cardFor } from './card';
export { MAX_PARTS } from './fit';
export * from './digest';
