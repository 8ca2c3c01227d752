import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byteLength, splitByBytes, truncateBytes } from '../src';

/** Valid UTF-8 after a round trip: no lone surrogate survived a cut. */
function roundTrips(s: string): boolean {
  return Buffer.from(s, 'utf8').toString('utf8') === s;
}

/** A piece must not start with something that belongs to the grapheme before it. */
const STARTS_MID_GRAPHEME = /^[\u200d\ufe0e\ufe0f\u0300-\u036f\u20e3\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]/u;

const ATOMS = ['<font color="warning">', '</font>', '<@zhangsan>', '[文档](https://wiki.example.cn/runbook)', 'https://trace.dianshudata.com/issues/12345'];
// Spaces keep random ASCII from gluing onto a URL and making it a different (longer) atom.
const TRICKY = ['数据库', '🏷️', '🖥️', '👨‍👩‍👧', '🇨🇳', 'é', '1️⃣', '👍🏽', '𠮷', '\n', ' ', '**', '> ', '# ', '<', '>', ...ATOMS.map((a) => ` ${a} `)];
/** Text made of the pieces that break naive cutters, plus arbitrary graphemes. */
const trickyText = (maxPieces: number) =>
  fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme', maxLength: 12 })), { maxLength: maxPieces }).map((a) => a.join(''));

describe('byteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['数据', 6],
    ['🏷️', 7], // U+1F3F7 (4) + U+FE0F (3)
    ['𠮷', 4],
    ['━', 3],
  ])('%j is %i bytes', (s, n) => expect(byteLength(s)).toBe(n));
});

describe('truncateBytes', () => {
  it.each([
    ['fits: unchanged', '数据库', 9, '…', '数据库'],
    ['never inside a CJK character', '数据库连接', 7, '', '数据'],
    ['the marker counts', '数据库连接', 9, '…', '数据…'],
    ['an emoji keeps its variation selector', 'ab🏷️cd', 6, '', 'ab'],
    ['a ZWJ family stays whole', 'a👨‍👩‍👧b', 10, '', 'a'],
    ['a flag stays whole', 'a🇨🇳b', 6, '', 'a'],
    ['a skin tone stays with its hand', 'a👍🏽b', 6, '', 'a'],
    ['a keycap stays whole', 'a1️⃣b', 5, '', 'a'],
    ['an accent stays on its letter', 'cafe\u0301!', 5, '', 'caf'],
    ['a surrogate pair stays whole', 'a𠮷b', 4, '', 'a'],
    ['not inside an opening font tag', 'x <font color="warning">red</font>', 20, '', 'x'],
    ['not inside a closing font tag', 'x <font color="info">ok</font>', 28, '', 'x <font color="info">ok'],
    ['not inside a mention', 'hi <@zhangsan> there', 8, '', 'hi'],
    ['not inside a markdown link', 'see [文档](https://wiki.cn/a) now', 20, '', 'see'],
    ['not inside a URL', '详情 https://trace.dianshudata.com/issues/12345 …', 30, '', '详情'],
    ['a URL ends where Chinese text begins', '见https://x.cn/a数据库连接池', 27, '', '见https://x.cn/a数据库'],
    ['a budget smaller than the marker gives nothing', '数据库', 2, '…', ''],
  ])('%s', (_name, s, max, marker, expected) => {
    const out = truncateBytes(s, max, marker);
    expect(out).toBe(expected);
    expect(byteLength(out)).toBeLessThanOrEqual(max);
  });

  it('any text: within budget, a prefix of the input, valid UTF-8 (property)', () => {
    fc.assert(
      fc.property(trickyText(40), fc.integer({ min: 0, max: 300 }), (s, max) => {
        const out = truncateBytes(s, max);
        expect(byteLength(out)).toBeLessThanOrEqual(max);
        expect(roundTrips(out)).toBe(true);
        expect(s.startsWith(out.replace(/…$/, ''))).toBe(true);
        if (byteLength(s) <= max) expect(out).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('splitByBytes', () => {
  it.each([
    ['fits: one piece', 'a\nb', 10, ['a\nb']],
    ['on line boundaries where possible', 'aaaa\nbbbb\ncccc', 9, ['aaaa\nbbbb', 'cccc']],
    ['a long line fills the piece, then continues', 'header\n一二三四五六七八九十一二三四五六七八九十', 40, ['header\n一二三四五六七八九十一', '二三四五六七八九十']],
    ['empty input: one empty piece', '', 8, ['']],
    ['a URL longer than the budget is cut rather than looping', 'https://x.cn/abcdefghij', 8, ['https://', 'x.cn/abc', 'defghij']],
  ])('%s', (_name, s, max, expected) => {
    expect(splitByBytes(s, max)).toEqual(expected);
  });

  it('rejects a budget that cannot hold one character', () => {
    expect(() => splitByBytes('数据', 3)).toThrow(/too small/);
  });

  it('any text: pieces fit, stay valid UTF-8, keep graphemes and atoms whole, lose nothing (property)', () => {
    fc.assert(
      fc.property(trickyText(300), fc.integer({ min: 64, max: 4096 }), (s, max) => {
        const parts = splitByBytes(s, max);
        for (const part of parts) {
          expect(byteLength(part)).toBeLessThanOrEqual(max);
          expect(roundTrips(part)).toBe(true);
          expect(part).not.toMatch(STARTS_MID_GRAPHEME);
        }
        // Only line breaks may disappear (at the boundaries where the text was split).
        expect(parts.join('').replace(/\n/g, '')).toBe(s.replace(/\n/g, ''));
        for (const atom of ATOMS.filter((a) => s.includes(a))) expect(parts.some((p) => p.includes(atom))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
