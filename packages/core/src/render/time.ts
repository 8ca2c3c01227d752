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

/** 'YYYY-MM-DD HH:mm:ss' in the display time zone; undefined for a missing or invalid time. */
export function formatTime(iso: string | number | undefined, tz: string): string | undefined {
  if (iso === undefined) return undefined;
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const p: Record<string, string> = {};
  for (const part of formatterFor(tz).formatToParts(ms)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** The zone's offset at an instant: its wall time there minus UTC, in ms. */
export function zoneOffsetMs(ms: number, tz: string): number {
  const [y, mo, d, h, mi, s] = (formatTime(ms, tz) ?? '').split(/[-: ]/).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
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

/** How long something lasted, in Chinese: 45秒, 3分12秒, 2小时5分, 1天3小时. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return h ? `${d}天${h}小时` : `${d}天`;
  if (h > 0) return m ? `${h}小时${m}分` : `${h}小时`;
  if (m > 0) return sec ? `${m}分${sec}秒` : `${m}分`;
  return `${sec}秒`;
}
