import { formatTime, zoneOffsetMs as offsetMs } from '@ng/core';
import type { Schedule } from '../store/digests';

/** Cron for the BullMQ job scheduler: every hour at :00, every day at dailyAt (in DISPLAY_TZ). */
export function digestCron(schedule: Schedule, dailyAt: string): { pattern: string } {
  if (schedule === 'hourly') return { pattern: '0 * * * *' };
  const [hour, minute] = dailyAt.split(':').map(Number);
  return { pattern: `${minute} ${hour} * * *` };
}

/** The next digest instant after fromMs: the next :00 (hourly) or the next dailyAt (daily) in tz. */
export function nextDigestTime(schedule: Schedule, fromMs: number, tz: string, dailyAt: string): number {
  if (schedule === 'hourly') {
    const local = fromMs + offsetMs(fromMs, tz);
    const nextLocal = Math.floor(local / 3_600_000) * 3_600_000 + 3_600_000;
    return nextLocal - offsetMs(nextLocal - offsetMs(fromMs, tz), tz);
  }
  const [hour, minute] = dailyAt.split(':').map(Number);
  const local = new Date(fromMs + offsetMs(fromMs, tz));
  for (let day = 0; day <= 2; day++) {
    const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + day, hour, minute);
    const at = wall - offsetMs(wall - offsetMs(fromMs, tz), tz);
    if (at > fromMs) return at;
  }
  throw new Error('unreachable: a day always has a next digest time');
}

/** The digest's heading: 每小时汇总 2026-12-04 14:00, 每日汇总 2026-12-04. */
export function digestHeading(schedule: Schedule, atMs: number, tz: string): string {
  const local = formatTime(atMs, tz) ?? '';
  return schedule === 'hourly' ? `每小时汇总 ${local.slice(0, 16)}` : `每日汇总 ${local.slice(0, 10)}`;
}

/** When a digested alert will be sent, for its fate line: "14:00" or "2026-12-05 09:00". */
export function nextDigestLabel(schedule: Schedule, fromMs: number, tz: string, dailyAt: string): string {
  const local = formatTime(nextDigestTime(schedule, fromMs, tz, dailyAt), tz) ?? '';
  return schedule === 'hourly' ? local.slice(11, 16) : local.slice(0, 16);
}
