import { formatTime, onCall, type Member, type Rotation, type Shift } from '@ng/core';

/** 13800001111 → 138****1111: enough to tell two people apart, not enough to call them. */
export function maskMobile(mobile: string): string {
  return mobile.length > 7 ? `${mobile.slice(0, 3)}****${mobile.slice(-4)}` : '****';
}

/** A member as the API and the console show them: the mobile number masked. */
export function shownMember(member: Member): Member {
  return { ...(member.userid && { userid: member.userid }), ...(member.name && { name: member.name }), ...(member.mobile && { mobile: maskMobile(member.mobile) }) };
}

/** An instant as ISO 8601 in the display time zone, with its offset: 2026-12-07T09:00:00+08:00. */
export function localIso(ms: number, tz: string): string {
  const wall = formatTime(ms, tz) ?? '';
  const offsetMin = Math.round((Date.parse(`${wall.replace(' ', 'T')}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${wall.replace(' ', 'T')}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export interface ShiftView {
  member: Member;
  from: string;
  fromLocal: string;
  until: string;
  untilLocal: string;
  override: boolean;
}

export function shiftView(shift: Shift, tz: string): ShiftView {
  return {
    member: shownMember(shift.member),
    from: new Date(shift.from).toISOString(),
    fromLocal: localIso(shift.from, tz),
    until: new Date(shift.until).toISOString(),
    untilLocal: localIso(shift.until, tz),
    override: Boolean(shift.override),
  };
}

/**
 * The shifts of a rotation from the one in force at fromMs until untilMs (each handover in
 * between), at most `max`: a rotation of hourly turns would otherwise list hundreds.
 */
export function shiftsBetween(rotation: Rotation, fromMs: number, untilMs: number, tz: string, max = 60): Shift[] {
  const shifts: Shift[] = [];
  let shift = onCall(rotation, fromMs, tz).now;
  while (shifts.length < max) {
    shifts.push(shift);
    if (shift.until >= untilMs) break;
    shift = onCall(rotation, shift.until, tz).now;
  }
  return shifts;
}
