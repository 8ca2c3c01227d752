import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Queue } from 'bullmq';
import type { ActivePolicy, Config, HistoryReader, Links, Logger, SilenceStore } from '@ng/core';
import { createMemberDirectory } from '../wecom/members';
import { asActor, asAdmin, byLinkOrAdmin } from './access';
import { createCsrf } from './csrf';
import { createIdentity } from './identity';
import { CSS } from './layout';
import { actOnAlert, confirmPath } from './pages/actions';
import { alertListPage, alertPage } from './pages/alerts';
import { failedPage, retryFailed } from './pages/failed';
import { listPage } from './pages/lists';
import { noisePage } from './pages/noise';
import { onCallPage } from './pages/oncall';
import { problemsPage } from './pages/problems';
import { createSilence, expireSilence, silencesPage } from './pages/silences';
import { signInRoutes } from './signin';

/**
 * /console: server-rendered pages in Chinese, for a phone as much as a desk. No script at all:
 * the CSP forbids it, so whatever an alert says is shown as text. Pages a card links to open
 * with the link's token; acting on an alert needs the admin or a WeCom member signed in
 * through OAuth; everything else, and every other change, needs the admin.
 */
export function consoleRoutes(deps: {
  config: Config;
  logger: Logger;
  history: HistoryReader;
  links: Links;
  silences: SilenceStore;
  deliveries: Queue;
  actions: Queue;
  policy: ActivePolicy;
  auth: RequestHandler;
  linkSecret: () => Promise<string>;
}): Router {
  const router = Router();
  const pages = { ...deps, csrf: createCsrf(deps.linkSecret) };
  // Signed cookies with the deployment's link secret; Secure when people reach the gateway over https.
  const identity = createIdentity({ secret: deps.linkSecret, secure: Boolean(deps.config.publicUrl?.startsWith('https:')) });
  // Who a WeCom member is: an OAuth code → user id → name.
  const members = createMemberDirectory({ config: deps.config, logger: deps.logger });
  const access = { ...deps, identity };
  const admin = asAdmin(deps.auth);
  const csrf = pages.csrf.check;
  router.use(
    '/console',
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] } },
      // Links carry tokens: a click to Sentry or Prometheus must not hand the page's URL on.
      referrerPolicy: { policy: 'no-referrer' },
    }),
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 }),
  );
  router.get('/console/assets/console.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('css').send(CSS);
  });
  router.get('/console', admin, alertListPage(pages));
  router.get('/console/alerts', admin, alertListPage(pages));
  router.use(signInRoutes({ ...deps, identity, members }));
  router.get('/console/alerts/:id', byLinkOrAdmin('alert', access), alertPage(pages));
  router.post('/console/alerts/:id/actions', asActor(access, confirmPath), csrf, actOnAlert(pages));
  router.get('/console/lists/:id', byLinkOrAdmin('list', access), listPage(pages));
  router.get('/console/problems', admin, problemsPage(pages));
  router.get('/console/oncall', admin, onCallPage(pages));
  router.get('/console/silences', admin, silencesPage(pages));
  router.post('/console/silences', admin, csrf, createSilence(pages));
  router.post('/console/silences/:id/expire', admin, csrf, expireSilence(pages));
  router.get('/console/failed', admin, failedPage(pages));
  router.post('/console/failed/:id/retry', admin, csrf, retryFailed(pages));
  router.get('/console/noise', admin, noisePage(pages));
  return router;
}
