import type { Config } from '../config';
import type { DestinationSpec, Policy, Route } from './types';

/** The seed's 告警分级策略 by severity: critical now, warning hourly, info daily. */
export const SEED_DELIVERY = { critical: 'immediate', warning: 'hourly', info: 'daily' } as const;

/**
 * The seed's rules that are not about severity, after any routes of a policy file (so a file
 * can override them): testing gets everything at once (to verify the setup), development is
 * not sent, Sentry performance issues wait for the daily digest whatever their level (seed:
 * "Performance Issues: 每日汇总"). POST /test always goes through.
 */
export const BUILTIN_ROUTES: Route[] = [
  { name: 'gateway-test', match: { source: ['test'] }, delivery: 'immediate' },
  { name: 'development-not-sent', match: { environment: ['development', 'dev'] }, delivery: 'drop' },
  { name: 'testing-immediate', match: { environment: ['testing', 'test'] }, delivery: 'immediate' },
  { name: 'sentry-performance-daily', match: { source: ['sentry'], category: ['performance'] }, delivery: 'daily' },
];

/** Destinations from the environment alone: the app, every robot key, or the log. */
export function destinationsFromEnv(config: Config): DestinationSpec[] {
  const out: DestinationSpec[] = [];
  if (config.weixin.corpId && config.weixin.corpSecret && config.weixin.agentId) out.push({ id: 'app', type: 'app' });
  config.weixin.robotKeys.forEach((key, i) => out.push({ id: `robot-${i + 1}`, type: 'robot', key }));
  if (out.length === 0) out.push({ id: 'log', type: 'log' });
  return out;
}

export function defaultPolicy(config: Config): Policy {
  const destinations = destinationsFromEnv(config);
  return {
    destinations,
    routes: BUILTIN_ROUTES,
    rotations: [],
    defaults: { destinations: destinations.map((d) => d.id), delivery: { ...SEED_DELIVERY } },
    templates: { routes: {}, destinations: {}, sources: {} },
    hash: 'built-in',
  };
}
