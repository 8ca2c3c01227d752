import { describe, expect, it } from 'vitest';
import { hashId, hashIdOf } from '../src';

describe('hashIdOf', () => {
  it('is hashId of the same parts, and takes more parts than a call can spread (a digest of 300,000 problems)', () => {
    expect(hashIdOf(['digest', 'ops', undefined, 7])).toBe(hashId('digest', 'ops', undefined, 7));
    const parts = Array.from({ length: 300_000 }, (_, n) => `am:problem-${n}`);
    expect(() => hashId(...parts)).toThrow(RangeError);
    expect(hashIdOf(parts)).toMatch(/^[0-9a-f]{32}$/);
  });
});
