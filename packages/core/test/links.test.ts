import { describe, expect, it } from 'vitest';
import { createLinks } from '../src';

describe('signed links', () => {
  let now = Date.parse('2026-12-04T02:00:00Z');
  const links = createLinks({ publicUrl: 'https://alerts.example.com', secret: async () => 'k'.repeat(32), ttlMs: 3_600_000, now: () => now });

  it('opens exactly its page until it expires; anything changed is invalid', async () => {
    const url = new URL((await links.to({ kind: 'alert', id: 'abc' }))!);
    expect(url.pathname).toBe('/console/alerts/abc');
    const token = url.searchParams.get('t')!;
    expect(token.length).toBeLessThan(40);
    expect(await links.check({ kind: 'alert', id: 'abc' }, token)).toBe('ok');
    expect(await links.check({ kind: 'alert', id: 'abd' }, token)).toBe('invalid');
    expect(await links.check({ kind: 'list', id: 'abc' }, token)).toBe('invalid');
    const [exp, sig] = token.split('.');
    expect(await links.check({ kind: 'alert', id: 'abc' }, `${(parseInt(exp, 36) + 3600).toString(36)}.${sig}`)).toBe('invalid');
    expect(await links.check({ kind: 'alert', id: 'abc' }, `${exp}.${sig.slice(0, -1)}A`)).not.toBe('ok');
    expect(await links.check({ kind: 'alert', id: 'abc' }, undefined)).toBe('invalid');
    expect(await links.check({ kind: 'alert', id: 'abc' }, ['x'])).toBe('invalid');
    now += 3_600_001;
    expect(await links.check({ kind: 'alert', id: 'abc' }, token)).toBe('expired');
  });

  it('without PUBLIC_URL there is no link', async () => {
    expect(await createLinks({ secret: async () => 'k', ttlMs: 1 }).to({ kind: 'list', id: 'x' })).toBeUndefined();
  });
});
