import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** A WeCom member the console knows through OAuth: may act on alerts, never administer. */
export interface Member {
  userid: string;
  name?: string;
}

export const SESSION_COOKIE = 'ng_member';
export const STATE_COOKIE = 'ng_oauth';
/** How long a member stays signed in (a working day); then WeCom is asked again, silently. */
export const SESSION_MS = 12 * 3600_000;
/** How long a sign-in may take between leaving for WeCom's page and coming back. */
export const STATE_MS = 10 * 60_000;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** OAuth's state: WeCom takes [a-zA-Z0-9] up to 128 bytes; 32 random ones are 190 bits. */
export function randomState(length = 32): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

/** The request's cookies by name (the console sets only its own two; nothing else needs a parser). */
export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    try {
      out[name] ??= decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A value that is not URI-encoded is not one of ours.
    }
  }
  return out;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

/**
 * The console's signed cookies: the member session and the OAuth state. Each is its fields and
 * an HMAC-SHA256 with the deployment's link secret over a purpose and the fields, so a link
 * token or a CSRF token can never pass for one, nor one for the other.
 */
export function createIdentity(deps: { secret: () => Promise<string>; secure: boolean; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const mac = async (purpose: string, payload: string) => createHmac('sha256', await deps.secret()).update(`${purpose}:${payload}`).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const cookie = (path: string, maxAge: number) => ({ httpOnly: true, sameSite: 'lax' as const, secure: deps.secure, path, maxAge });

  /** `fields.mac` when the mac matches and the first field (expiry, base 36 seconds) is to come. */
  async function open(purpose: string, value: string | undefined): Promise<string[] | undefined> {
    const parts = (value ?? '').split('.');
    if (parts.length < 2 || parts.some((p) => !/^[\w-]*$/.test(p))) return undefined;
    const given = parts.pop()!;
    if (!same(given, await mac(purpose, parts.join('.')))) return undefined;
    return parseInt(parts[0], 36) * 1000 > now() ? parts.slice(1) : undefined;
  }
  async function seal(purpose: string, ttlMs: number, fields: string[]): Promise<string> {
    const payload = [Math.ceil((now() + ttlMs) / 1000).toString(36), ...fields].join('.');
    return `${payload}.${await mac(purpose, payload)}`;
  }

  return {
    /** The member signed in on this browser, if any. */
    async member(req: Request): Promise<Member | undefined> {
      const fields = await open('member', cookiesOf(req)[SESSION_COOKIE]);
      if (!fields || fields.length !== 2) return undefined;
      const [userid, name] = fields.map(unb64);
      return userid ? { userid, ...(name && { name }) } : undefined;
    },
    async signIn(res: Response, member: Member): Promise<void> {
      res.cookie(SESSION_COOKIE, await seal('member', SESSION_MS, [b64(member.userid), b64(member.name ?? '')]), cookie('/console', SESSION_MS));
    },
    /** A new sign-in: its state, bound to this browser by a cookie that also carries where to go after. */
    async begin(res: Response, next: string): Promise<string> {
      const state = randomState();
      res.cookie(STATE_COOKIE, await seal('oauth-state', STATE_MS, [state, b64(next)]), cookie('/console/oauth', STATE_MS));
      return state;
    },
    /** Where to go after the sign-in when `state` is the one this browser was given; undefined otherwise (forged, expired, another browser). */
    async finish(req: Request, res: Response, state: unknown): Promise<string | undefined> {
      const fields = await open('oauth-state', cookiesOf(req)[STATE_COOKIE]);
      res.clearCookie(STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure: deps.secure, path: '/console/oauth' });
      if (!fields || fields.length !== 2 || typeof state !== 'string' || !same(fields[0], state)) return undefined;
      return unb64(fields[1]);
    },
  };
}

export type Identity = ReturnType<typeof createIdentity>;

/**
 * A place to go back to after signing in: a console path of this gateway, nothing else (an
 * open redirect would let a link in a chat send someone, signed in, to any site).
 */
export function consolePath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 2048 || !next.startsWith('/console') || /[\\\s]/.test(next) || next.startsWith('//')) return undefined;
  try {
    const url = new URL(next, 'http://gateway.invalid');
    if (url.origin !== 'http://gateway.invalid' || !/^\/console(\/|$)/.test(url.pathname)) return undefined;
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}
