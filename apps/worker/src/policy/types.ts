import type { Severity } from '@ng/core';

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
  /** Exact value, or /regex/. */
  labels?: Record<string, string>;
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
  dedupWindowMs?: number;
  dailyDigestAt?: string;
}

export interface Decision {
  destinationId: string;
  delivery: Delivery;
  mentions: string[];
  route: string;
}
