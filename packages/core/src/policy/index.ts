export * from './types';
export { decide, routeMatches } from './decide';
export { loadPolicy, PolicyError } from './load';
export { defaultPolicy } from './defaults';
export { noiseSettings } from './noise-settings';
