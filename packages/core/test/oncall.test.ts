import { describe, expect, it } from 'vitest';
import { onCall, rotationSchema, type Rotation } from '../src';

const tz = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const who = (r: Rotation, local: string) => {
  const { now, next } = onCall(r, at(local), tz);
  return [now.member.userid, next.member.userid, new Date(now.until).toISOString()];
};

describe('on-call rotations', () => {
  const weekly: Rotation = rotationSchema.validate({ id: 'sre', members: ['zhangsan', 'lisi', { userid: 'wangwu', mobile: '13800001111' }], handoff: '09:00', every: '7d', start: '2026-11-30' }).value;

  it.each([
    ['2026-11-30 09:00', 'zhangsan', 'lisi', '2026-12-07T01:00:00.000Z'],
    ['2026-12-07 08:59', 'zhangsan', 'lisi', '2026-12-07T01:00:00.000Z'],
    ['2026-12-07 09:00', 'lisi', 'wangwu', '2026-12-14T01:00:00.000Z'],
    ['2026-12-16 12:00', 'wangwu', 'zhangsan', '2026-12-21T01:00:00.000Z'],
    ['2026-12-21 09:00', 'zhangsan', 'lisi', '2026-12-28T01:00:00.000Z'],
    ['2026-11-29 12:00', 'wangwu', 'zhangsan', '2026-11-30T01:00:00.000Z'],
  ])('%s → on call %s, next %s, until %s', (local, now, next, until) => {
    expect(who(weekly, local)).toEqual([now, next, until]);
  });

  it('an override (a swap, a holiday) wins for its hours and cuts the turn short', () => {
    const swapped = { ...weekly, overrides: [{ from: '2026-12-03 18:00', to: '2026-12-05 09:00', userid: 'lisi' }] };
    expect(who(swapped, '2026-12-03 17:00')).toEqual(['zhangsan', 'lisi', '2026-12-03T10:00:00.000Z']);
    expect(who(swapped, '2026-12-04 12:00')).toEqual(['lisi', 'zhangsan', '2026-12-05T01:00:00.000Z']);
    expect(who(swapped, '2026-12-05 10:00')).toEqual(['zhangsan', 'lisi', '2026-12-07T01:00:00.000Z']);
    // The turn resumes where the override ends, not where it began (the console lists the handovers).
    expect(new Date(onCall(swapped, at('2026-12-04 12:00'), tz).next.from).toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(new Date(onCall(swapped, at('2026-12-05 10:00'), tz).now.from).toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(new Date(onCall(swapped, at('2026-12-03 17:00'), tz).now.from).toISOString()).toBe('2026-11-30T01:00:00.000Z');
  });

  it('members may carry a mobile for robot @-mentions; bad rotations are refused in words', () => {
    expect(weekly.members[2]).toEqual({ userid: 'wangwu', mobile: '13800001111' });
    const { error } = rotationSchema.validate({ id: 'x', members: [], start: '30/11/2026', every: 'weekly' }, { abortEarly: false });
    expect(error?.details.map((d) => d.path.join('.'))).toEqual(['members', 'every', 'start']);
  });
});
