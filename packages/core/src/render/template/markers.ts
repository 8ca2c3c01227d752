/**
 * What a template says about its own lines, carried through Liquid's output as private-use
 * characters and read back by sheet.ts: which lines are low-value, where the free text is,
 * where a part number goes. User text can never carry them (strip() runs on every value).
 */
export const MARK = {
  /** The line it is on may be dropped when space is short ({% low %}). */
  low: '\uE000',
  /** Start and end of the free text that is shortened first ({% body %} … {% endbody %}). */
  bodyStart: '\uE001',
  bodyEnd: '\uE002',
  /** Where "(1/3)" goes when the card is split ({% part %}); the end of the first line otherwise. */
  part: '\uE003',
} as const;

const ANY_MARK = /[\uE000-\uE003]/g;

export function stripMarks(s: string): string {
  return s.replace(ANY_MARK, '');
}
