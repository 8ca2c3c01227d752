import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { viewerOf } from './access';

const DAY_MS = 86_400_000;

/**
 * Forms that change something (silences, retries, actions on an alert) carry a token bound to
 * the viewer (the admin, or a signed-in member) and the day, an HMAC with the link secret (the
 * stateless synchronizer-token pattern): a page of another site cannot know it, though the
 * browser would send the basic-auth credentials or the session cookie.
 * Requests the browser marks as cross-site are refused outright.
 */
export interface Csrf {
  /** The token for this viewer's forms today. */
  token(user: string): Promise<string>;
  /** Refuses a change without a valid token, or one the browser says came from another site. */
  check: RequestHandler;
}

export function createCsrf(secret: () => Promise<string>, now: () => number = Date.now): Csrf {
  const tokenFor = async (user: string, day: number) => createHmac('sha256', await secret()).update(`csrf:${user}:${day}`).digest('base64url').slice(0, 32);

  const check: RequestHandler = async (req, res, next) => {
    const site = req.get('sec-fetch-site');
    const given = Buffer.from(String((req.body as Record<string, unknown> | undefined)?._csrf ?? ''));
    const user = viewerOf(req).user;
    const today = Math.floor(now() / DAY_MS);
    // Today's or yesterday's: a form opened just before midnight still works.
    const expected = await Promise.all([today, today - 1].map((day) => tokenFor(user, day)));
    const valid = expected.some((e) => Buffer.from(e).length === given.length && timingSafeEqual(Buffer.from(e), given));
    if ((site && site !== 'same-origin' && site !== 'none') || !valid) {
      res.status(403).type('text').send('请求来源无法确认 (CSRF)：请从控制台页面重新提交。');
      return;
    }
    next();
  };
  return { token: (user: string) => tokenFor(user, Math.floor(now() / DAY_MS)), check };
}
