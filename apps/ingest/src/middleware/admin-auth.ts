import type { RequestHandler } from 'express';
import type { Config } from '@ng/core';
import { basicCredentials, safeEqual, UnauthorizedError } from './secrets';

/**
 * Basic auth for Bull Board and the admin APIs. Without ADMIN_USER/ADMIN_PASSWORD they stay
 * closed (503 saying what to set) unless ADMIN_ALLOW_OPEN says otherwise.
 */
export function adminAuth(admin: Config['admin']): RequestHandler {
  return (req, res, next) => {
    if (!admin.user || !admin.password) {
      if (admin.allowOpen) return next();
      res.status(503).json({ error: 'admin endpoints are closed: set ADMIN_USER and ADMIN_PASSWORD' });
      return;
    }
    if (hasAdminCredentials(admin, req.headers.authorization)) return next();
    next(new UnauthorizedError('admin credentials required', 'Basic realm="notification-gateway"'));
  };
}

/** Whether a request carries the admin's credentials (or needs none: ADMIN_ALLOW_OPEN); answers nothing. */
export function hasAdminCredentials(admin: Config['admin'], authorization: string | undefined): boolean {
  if (!admin.user || !admin.password) return admin.allowOpen;
  const given = basicCredentials(authorization);
  const userOk = safeEqual(given?.user ?? '', admin.user);
  const passwordOk = safeEqual(given?.password ?? '', admin.password);
  return Boolean(given) && userOk && passwordOk;
}
