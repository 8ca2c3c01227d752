import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisConnection } from './redis';

/** What a link opens: one alert's page, or the list behind one digest or storm summary. */
export type LinkScope = { kind: 'alert' | 'list'; id: string };

const PATHS: Record<LinkScope['kind'], string> = { alert: 'alerts', list: 'lists' };

/**
 * The key of the signed links. LINK_SECRET when set; otherwise one random key per
 * deployment, kept in Redis (the first process to start makes it), so every replica signs and
 * checks alike without any setting.
 */
export async function linkSecret(redis: RedisConnection, prefix: string, configured?: string): Promise<string> {
  if (configured) return configured;
  const key = `${prefix}:link-secret`;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const secret = await redis.get(key);
  if (!secret) throw new Error('the link secret could not be read back from Redis');
  return secret;
}

/**
 * Links people tap in WeCom, where they have no admin password: each carries a token that
 * opens exactly one page, read-only, until it expires. The token is the expiry and an
 * HMAC-SHA256 (128 bits) of the page and the expiry: short enough for a card's byte budget.
 */
export function createLinks(deps: { publicUrl?: string; secret: () => Promise<string>; ttlMs: number; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const sign = async (scope: LinkScope, expiresAt: number) =>
    createHmac('sha256', await deps.secret()).update(`${scope.kind}:${scope.id}:${expiresAt}`).digest().subarray(0, 16).toString('base64url');

  return {
    /** The link for a card, or undefined when PUBLIC_URL is not set. */
    async to(scope: LinkScope): Promise<string | undefined> {
      if (!deps.publicUrl) return undefined;
      const expiresAt = Math.ceil((now() + deps.ttlMs) / 1000);
      return `${deps.publicUrl}/console/${PATHS[scope.kind]}/${encodeURIComponent(scope.id)}?t=${expiresAt.toString(36)}.${await sign(scope, expiresAt)}`;
    },
    /** ok, or why not: a changed token or page is `invalid`, an old one `expired`. */
    async check(scope: LinkScope, token: unknown): Promise<'ok' | 'invalid' | 'expired'> {
      const match = typeof token === 'string' ? /^([0-9a-z]{1,12})\.([\w-]{22})$/.exec(token) : null;
      if (!match) return 'invalid';
      const expiresAt = parseInt(match[1], 36);
      const expected = Buffer.from(await sign(scope, expiresAt));
      const given = Buffer.from(match[2]);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      return expiresAt * 1000 > now() ? 'ok' : 'expired';
    },
  };
}

export type Links = ReturnType<typeof createLinks>;
