import type { Request, RequestHandler } from 'express';
import type { LinkScope, Links } from '@ng/core';
import { basicCredentials } from '../middleware/secrets';
import { html } from './html';
import { page } from './layout';

/** Who is looking: an admin (may act), or the holder of a link from a card (may read that one page). */
export interface Viewer {
  admin: boolean;
  user: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      viewer?: Viewer;
    }
  }
}

export const viewerOf = (req: Request): Viewer => req.viewer ?? { admin: false, user: 'link' };

/** Admin only: basic auth (or ADMIN_ALLOW_OPEN), as Bull Board and the admin API. */
export function asAdmin(auth: RequestHandler): RequestHandler {
  return (req, res, next) =>
    auth(req, res, (err?: unknown) => {
      if (err) return next(err);
      req.viewer = { admin: true, user: basicCredentials(req.headers.authorization)?.user ?? 'admin' };
      next();
    });
}

/**
 * A page a card links to: opened by its signed token (read-only, that page only), or by an
 * admin. A changed or foreign token gets 401, an old one 403; neither shows anything.
 */
export function byLinkOrAdmin(kind: LinkScope['kind'], deps: { links: Links; auth: RequestHandler }): RequestHandler {
  const admin = asAdmin(deps.auth);
  return async (req, res, next) => {
    if (req.query.t === undefined) return admin(req, res, next);
    const verdict = await deps.links.check({ kind, id: String(req.params.id) }, req.query.t);
    if (verdict === 'ok') {
      req.viewer = { admin: false, user: 'link' };
      return next();
    }
    const [status, message] = verdict === 'expired' ? [403, '链接已过期：请在控制台中查看，或等待下一条消息中的新链接。'] : [401, '链接无效：它可能被修改过。'];
    res.status(status).type('html').send(page({ title: '无法打开', admin: false, body: html`<h1>无法打开</h1><p class="note">${message}</p>` }));
  };
}
