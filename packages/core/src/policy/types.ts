import type { Severity } from '../alert';

export type Delivery = 'immediate' | 'hourly' | 'daily' | 'drop';

export type DestinationSpec =
  | { id: string; type: 'app'; toUser?: string; toParty?: string; toTag?: string }
  | { id: string; type: 'robot'; key: string }
  | { id: string; type: 'log' };

export interface RouteMatch {
  source?: string[];
  /** Sentry project / Alertmanager service or job (alert.service). */
  project?: string[];
  environment?: string[];
  severity?: Severity[];
  /** Sentry's issue category, e.g. performance. */
  category?: string[];
  /** An exact value, or an anchored regex (written /regex/ in the file, compiled when it loads). */
  labels?: Record<string, string | RegExp>;
}

export interface Route {
  name: string;
  match: RouteMatch;
  destinations?: string[];
  delivery?: Delivery | Partial<Record<Severity, Delivery>>;
  mentions?: string[];
  /** Keep matching further routes (the alert goes to several places). */
  continue?: boolean;
}

export interface Policy {
  destinations: DestinationSpec[];
  routes: Route[];
  defaults: { destinations: string[]; delivery: Record<Severity, Delivery> };
  /** Settings the file overrides (see noise-settings.ts). */
  dedupWindowMs?: number;
  dailyDigestAt?: string;
}

export interface Decision {
  destinationId: string;
  delivery: Delivery;
  mentions: string[];
  route: string;
}
