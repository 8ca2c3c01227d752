export * from './types';
export { decide, routeMatches } from './decide';
export { loadPolicy, PolicyError } from './load';
export { defaultPolicy, destinationsFromEnv } from './defaults';
