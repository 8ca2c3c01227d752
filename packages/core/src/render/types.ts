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
  /** Where this copy goes: the test card (POST /test) says so, so a dry run is never read as delivery. */
  destination?: CardDestination;
}

/** A channel as a card names it. */
export interface CardDestination {
  kind: 'wecom-app' | 'wecom-robot' | 'log';
  id: string;
}

/** One labelled line of a card; low-value lines are the first dropped when space is short. */
export interface CardLine {
  text: string;
  low?: boolean;
}

/** What a card says, before it is written as text or markdown. User text is already one-line. */
export interface Card {
  header: string;
  colour: 'warning' | 'comment' | 'info';
  lines: CardLine[];
  /** Free text (summary, description): the first thing shortened. */
  body: string[];
  url?: string;
}
