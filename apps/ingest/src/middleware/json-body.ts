import express, { type RequestHandler } from 'express';
import { PayloadError } from '@ng/core';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The exact bytes received: Sentry signs these, not a re-serialisation. */
      rawBody?: Buffer;
    }
  }
}

export class UnsupportedMediaTypeError extends Error {}

/** Keeps the raw bytes and parses JSON itself: 415 for another type, 400 naming the parse error. */
export function rawJsonBody(limit: string): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit }),
    (req, _res, next) => {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
        return next(new UnsupportedMediaTypeError(`Content-Type must be application/json, got "${String(type).slice(0, 60)}"`));
      }
      req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        req.body = JSON.parse(req.rawBody.toString('utf8'));
      } catch (err) {
        return next(new PayloadError(`body is not valid JSON: ${(err as Error).message.slice(0, 120)}`));
      }
      next();
    },
  ];
}
