import type { AlertSource, Severity } from '../alert';
import type { Rotation } from '../oncall';
import type { CardTemplate } from '../render/template/compile';
import type { TemplateFormat } from '../render/template/engine';

export type Delivery = 'immediate' | 'hourly' | 'daily' | 'drop';

/** A card template in the policy file: Liquid inline, or a file beside the policy file. */
export type TemplateRef = string | { file: string };
/** A template for each format a destination may receive (app: text; robot: markdown; log: text). */
export type TemplateSpec = Partial<Record<TemplateFormat, TemplateRef>>;

export type DestinationSpec = (
  | { id: string; type: 'app'; toUser?: string; toParty?: string; toTag?: string }
  | { id: string; type: 'robot'; key: string }
  | { id: string; type: 'log' }
) & { template?: TemplateSpec };

/** What each kind of destination receives: the format and WeCom's byte limit for it (reference/wecom.md §5). */
export const DESTINATION_FORMAT: Record<DestinationSpec['type'], { format: TemplateFormat; budgetBytes: number }> = {
  app: { format: 'text', budgetBytes: 2048 },
  robot: { format: 'markdown', budgetBytes: 4096 },
  log: { format: 'text', budgetBytes: 2048 },
};

/** The policy's compiled templates; the most specific wins: route, then destination, then source. */
export interface CardTemplates {
  routes: Record<string, Partial<Record<TemplateFormat, CardTemplate>>>;
  destinations: Record<string, Partial<Record<TemplateFormat, CardTemplate>>>;
  sources: Partial<Record<AlertSource, Partial<Record<TemplateFormat, CardTemplate>>>>;
}

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

/**
 * One step of an escalation: the card again, marked ⏫ 升级, with the person after the one on
 * call ('next'), or whoever is on call in another rotation, and/or to other destinations
 * (the route's own when none are named).
 */
export interface EscalationLevel {
  mention?: 'next' | string;
  destinations?: string[];
}

/** What happens to an unclaimed critical: each level follows the previous one after `afterMs`. */
export interface Escalation {
  afterMs: number;
  levels: EscalationLevel[];
}

/** Unless a route says otherwise, the first escalation comes 10 minutes after the card. */
export const DEFAULT_ESCALATE_AFTER = '10m';

export interface Route {
  name: string;
  match: RouteMatch;
  destinations?: string[];
  delivery?: Delivery | Partial<Record<Severity, Delivery>>;
  /** WeCom user ids always @-mentioned (app: added recipients). */
  mentions?: string[];
  /** A rotation whose member on call is @-mentioned (app: added recipient). */
  mention?: string;
  escalation?: Escalation;
  /** Keep matching further routes (the alert goes to several places). */
  continue?: boolean;
  template?: TemplateSpec;
}

export interface Policy {
  destinations: DestinationSpec[];
  routes: Route[];
  rotations: Rotation[];
  defaults: { destinations: string[]; delivery: Record<Severity, Delivery> };
  templates: CardTemplates;
  /** Identity of what was loaded (the file and the template files it names), for /health and reload logs; "built-in" without a file. */
  hash: string;
  /** Settings the file overrides (see noise-settings.ts). */
  dedupWindowMs?: number;
  dailyDigestAt?: string;
}

export interface Decision {
  destinationId: string;
  delivery: Delivery;
  mentions: string[];
  /** The rotation whose member on call is mentioned too (the worker adds them when it decides). */
  rotation?: string;
  /** Phone numbers to @ where a member has no user id. */
  mentionMobiles?: string[];
  route: string;
}
