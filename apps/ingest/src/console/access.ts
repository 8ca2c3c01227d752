import type { Request, RequestHandler } from 'express';
import type { Config, LinkScope, Links } from '@ng/core';
import { hasAdminCredentials } from '../middleware/admin-auth';
import { basicCredentials } from '../middleware/secrets';
import { html } from './html';
import type { Identity, Member } from './identity';
import { page } from './layout';

/**
 * Who is looking: the admin (basic auth: everything), a WeCom member signed in through OAuth
 * (may read alerts and act on them: claim, silence, handled; nothing else), or the holder of
 * a link from a card (may read that one page).
 */
export interface Viewer {
  kind: 'admin' | 'member' | 'link';
  admin: boolean;
  /** Whose CSRF tokens and actions: the admin's user name, `wecom:<userid>`, or `link`. */
  user: string;
  member?: Member;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      viewer?: Viewer;
    }
  }
}

const LINK_HOLDER: Viewer = { kind: 'link', admin: false, user: 'link' };

export const viewerOf = (req: Request): Viewer => req.viewer ?? LINK_HOLDER;

/** Whether the viewer may claim, silence or close an alert. */
export const mayAct = (viewer: Viewer): boolean => viewer.kind !== 'link';

export interface AccessDeps {
  config: Config;
  links: Links;
  auth: RequestHandler;
  identity: Identity;
}

/** Members sign in through WeCom when the app is configured and the gateway knows its own address. */
export function oauthReady(config: Config): boolean {
  const { corpId, corpSecret, agentId } = config.weixin;
  return Boolean(corpId && corpSecret && agentId && config.publicUrl);
}

/** Where someone who holds only a link goes to say who they are, then back to `next`. */
export function identifyHref(config: Config, next: string): string {
  return `/console/login/${oauthReady(config) ? 'wecom' : 'admin'}?next=${encodeURIComponent(next)}`;
}

const adminViewer = (req: Request): Viewer => ({ kind: 'admin', admin: true, user: basicCredentials(req.headers.authorization)?.user ?? 'admin' });

/** The admin who sent credentials, or the member signed in on this browser; undefined for anyone else. */
async function identified(req: Request, deps: AccessDeps): Promise<Viewer | undefined> {
  if (req.headers.authorization && hasAdminCredentials(deps.config.admin, req.headers.authorization)) return adminViewer(req);
  const member = await deps.identity.member(req);
  return member && { kind: 'member', admin: false, user: `wecom:${member.userid}`, member };
}

/** Admin only: basic auth (or ADMIN_ALLOW_OPEN), as Bull Board and the admin API. A signed-in member gets 401 too. */
export function asAdmin(auth: RequestHandler): RequestHandler {
  return (req, res, next) =>
    auth(req, res, (err?: unknown) => {
      if (err) return next(err);
      req.viewer = adminViewer(req);
      next();
    });
}

/**
 * A page a card links to: opened by the admin, by a signed-in member, or by its signed token
 * (read-only, that page only). A changed or foreign token gets 401, an old one 403; neither
 * shows anything.
 */
export function byLinkOrAdmin(kind: LinkScope['kind'], deps: AccessDeps): RequestHandler {
  const admin = asAdmin(deps.auth);
  return async (req, res, next) => {
    const who = await identified(req, deps);
    if (who) {
      req.viewer = who;
      return next();
    }
    if (req.query.t === undefined) return admin(req, res, next);
    const verdict = await deps.links.check({ kind, id: String(req.params.id) }, req.query.t);
    if (verdict === 'ok') {
      req.viewer = LINK_HOLDER;
      return next();
    }
    const [status, message] = verdict === 'expired' ? [403, '链接已过期：请在控制台中查看，或等待下一条消息中的新链接。'] : [401, '链接无效：它可能被修改过。'];
    res.status(status).type('html').send(page({ title: '无法打开', admin: false, body: html`<h1>无法打开</h1><p class="note">${message}</p>` }));
  };
}

/**
 * Who may act on an alert: the admin or a signed-in member. Anyone else is sent to say who
 * they are (WeCom sign-in, or the admin's login), then back to the alert's page with the
 * action to confirm: nothing is done on their behalf.
 */
export function asActor(deps: AccessDeps, backTo: (req: Request) => string): RequestHandler {
  const admin = asAdmin(deps.auth);
  return async (req, res, next) => {
    const who = await identified(req, deps);
    if (who) {
      req.viewer = who;
      return next();
    }
    // Wrong credentials get the admin's 401, and an open console (ADMIN_ALLOW_OPEN) lets them in.
    const { user, password } = deps.config.admin;
    if (req.headers.authorization || !user || !password) return admin(req, res, next);
    res.redirect(303, identifyHref(deps.config, backTo(req)));
  };
}
