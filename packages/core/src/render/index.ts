export * from './utf8';
export * from './time';
export { renderAlert, cardFor, type Totals, type RenderOptions } from './card';
export * from './digest';
