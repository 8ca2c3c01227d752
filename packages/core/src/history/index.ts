export * from './types';
export { createHistoryWriter, type HistoryWriter, type ListWriter } from './write';
export { createHistoryReader, type HistoryReader, type AlertFilters, type AlertPage } from './read';
