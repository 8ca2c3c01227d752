import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string compare that does not leak the length either. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Sentry-Hook-Signature: lowercase hex HMAC-SHA256 of the raw body with the Client Secret. */
export function sentrySignature(secret: string, raw: Buffer): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

/** "user:password" from a Basic Authorization header. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

export class UnauthorizedError extends Error {
  constructor(
    message: string,
    readonly challenge?: string,
  ) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}
