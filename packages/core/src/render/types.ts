import type { CardTemplate } from './template/compile';

/** The gateway's running totals for a problem (kept by the worker's history store; ISO times). */
export interface Totals {
  count: number;
  userCount?: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface RenderOptions {
  format: 'text' | 'markdown';
  /** UTF-8 byte budget of one message (app text/markdown 2048, robot markdown 4096, robot text 2048). */
  budgetBytes: number;
  /** DISPLAY_TZ, e.g. 'Asia/Shanghai'. */
  tz: string;
  /** When present, 发生次数/影响用户/首次发现/最近发生 come from here. */
  totals?: Totals;
  /** The gateway has delivered this problem before: a reminder (🔁), not a new problem (🆕). */
  repeat?: boolean;
  /** User ids to @-mention; markdown only (robot), as `<@id>`, never cut. */
  mentions?: string[];
  /** A critical waited this long in a backlog before delivery. */
  lateByMs?: number;
  /** For durations that have no end yet; defaults to new Date(). */
  now?: Date;
  /**
   * The console page showing what this message is about (an alert, or every alert of a digest
   * or storm summary), with its own signed read-only token; present when PUBLIC_URL is set.
   */
  link?: string;
  /** Who took the problem on, shown on its card (👤 认领人). */
  claim?: { by: string; at: string };
  /** This card escalates an unclaimed problem (⏫ 升级, level n). */
  escalation?: number;
  /** The card template to use instead of the built-in one for the alert's source and this format. */
  template?: CardTemplate;
  /** A template a render limit stopped: the built-in card went out instead, and this says why. */
  onTemplateError?: (error: Error, template: CardTemplate) => void;
  /** Where this copy goes: the test card (POST /test) says so, so a dry run is never read as delivery. */
  destination?: CardDestination;
}

/** A channel as a card names it. */
export interface CardDestination {
  kind: 'wecom-app' | 'wecom-robot' | 'log';
  id: string;
}
