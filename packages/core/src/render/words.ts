import type { AlertStatus, Severity } from '../alert';

/** The seed's rule line (section 4): sixteen U+2501. */
export const RULE_LINE = '━'.repeat(16);

// The seed's labels 🏷️ and 🖥️ carry a variation selector and are followed by TWO spaces
// (the emoji is drawn wide); kept byte for byte.
export const TAG_ICON = '\u{1F3F7}\uFE0F ';
export const SCREEN_ICON = '\u{1F5A5}\uFE0F ';

/** The seed's severity table: 🚨 Critical, ⚠️ Warning, ℹ️ Info. */
export const SEVERITY_ICON: Record<Severity, string> = { critical: '🚨', warning: '⚠️', info: 'ℹ️' };

/** Sentry level words; the seed shows `🔥 级别: ERROR`. */
export const LEVEL_ICON: Record<string, string> = { fatal: '🔥', error: '🔥', warning: '⚠️', info: 'ℹ️', debug: 'ℹ️' };

/** 状态 as the on-call engineer reads it, on cards and in digests alike. */
export const STATUS_WORD: Record<AlertStatus, string> = {
  firing: '🔴 未解决',
  unresolved: '🔴 未解决 (复发)',
  resolved: '✅ 已解决',
  ignored: '🔕 已忽略',
  assigned: '👤 已指派',
};

/**
 * WeCom markdown has three colours only: warning (orange-red), comment (grey), info (green).
 * Green means "fine", so it is kept for resolved. Warnings stay orange-red like criticals: grey
 * reads as "ignore me", and the icon (🚨 / ⚠️) already tells the two apart. Info, ignored and
 * assigned are grey: nothing to do right now.
 */
export function colourOf(severity: Severity, status: AlertStatus): 'warning' | 'comment' | 'info' {
  if (status === 'resolved') return 'info';
  if (status === 'ignored' || status === 'assigned' || severity === 'info') return 'comment';
  return 'warning';
}
