export { loadConfig, secretsOf, ConfigError, ALL_SETTINGS, type Config } from './load';
export type { Setting } from './kinds';
