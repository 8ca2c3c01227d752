const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The zone's wall clock at an instant, read from Intl: exact for any zone, but takes microseconds. */
function wallClockParts(ms: number, tz: string): Record<string, string> {
  const p: Record<string, string> = {};
  for (const part of formatterFor(tz).formatToParts(ms)) p[part.type] = part.value;
  return p;
}

const HOUR_MS = 3_600_000;
/** Instants from 1970 to 2100 take the shortcut: their years have four digits, as Date.UTC wants. */
const SHORTCUT_UNTIL_MS = 4_102_444_800_000;
/** Per zone and UTC hour: the zone's offset for that whole hour, or null when it changes within it (DST). */
const hourOffsets = new Map<string, Map<number, number | null>>();

function offsetAt(second: number, tz: string): number {
  const p = wallClockParts(second, tz);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - second;
}

/**
 * A card formats several times, and asking Intl costs more than the rest of the card's fields
 * together; a zone keeps one offset for a whole hour except across a change, which is checked:
 * the offset at the hour's first and last second must agree.
 */
function offsetForHour(ms: number, tz: string): number | null {
  let zone = hourOffsets.get(tz);
  if (!zone) hourOffsets.set(tz, (zone = new Map()));
  const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = offsetAt(hour, tz);
    offset = first === offsetAt(hour + HOUR_MS - 1000, tz) ? first : null;
    if (zone.size >= 10_000) zone.clear();
    zone.set(hour, offset);
  }
  return offset;
}

function shortcutOffset(ms: number, tz: string): number | null {
  return ms >= 0 && ms < SHORTCUT_UNTIL_MS ? offsetForHour(ms, tz) : null;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 'YYYY-MM-DD HH:mm:ss' in the display time zone; undefined for a missing or invalid time. */
export function formatTime(iso: string | number | undefined, tz: string): string | undefined {
  if (iso === undefined) return undefined;
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const offset = shortcutOffset(ms, tz);
  if (offset === null) {
    const p = wallClockParts(ms, tz);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  }
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset);
  return `${wall.getUTCFullYear()}-${two(wall.getUTCMonth() + 1)}-${two(wall.getUTCDate())} ${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}:${two(wall.getUTCSeconds())}`;
}

/** The zone's offset at an instant: its wall time there minus UTC, in ms. */
export function zoneOffsetMs(ms: number, tz: string): number {
  return shortcutOffset(ms, tz) ?? offsetAt(Math.floor(ms / 1000) * 1000, tz);
}

/**
 * The instant a wall time ('YYYY-MM-DD HH:MM' or 'YYYY-MM-DD') shows in tz; NaN when it is
 * not one. Across a DST change, the offset of the wall time itself is the one used.
 */
export function zonedTimeToMs(wall: string, tz: string): number {
  const match = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d))?$/.exec(wall.trim());
  if (!match) return NaN;
  const [, y, mo, d, h = '0', mi = '0'] = match;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  return asUtc - zoneOffsetMs(asUtc - zoneOffsetMs(asUtc, tz), tz);
}

const DURATION_UNITS = {
  zh: ['天', '小时', '分', '秒'],
  en: ['d', 'h', 'm', 's'],
} as const;

/** How long something lasted, in its two largest units: 45秒, 3分12秒, 2小时5分, 1天3小时 (en: 45s, 3m 12s, 2h 5m, 1d 3h). */
export function formatDuration(ms: number, lang: keyof typeof DURATION_UNITS = 'zh'): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const amounts = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const units = DURATION_UNITS[lang];
  const first = Math.min(amounts.findIndex((n) => n > 0) >>> 0, 3);
  const shown = [first, first + 1].filter((i) => i === first || (i < 4 && amounts[i] > 0));
  return shown.map((i) => `${amounts[i]}${units[i]}`).join(lang === 'en' ? ' ' : '');
}
