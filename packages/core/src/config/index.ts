export { loadConfig, secretsOf, ConfigError, ALL_SETTINGS, CONFIG_VARIABLES, type Config } from './load';
export type { Setting } from './kinds';
