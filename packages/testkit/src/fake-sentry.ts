import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call to the fake Sentry API: what the gateway asked, as Sentry would see it. */
export interface SentryCall {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
}

/**
 * Sentry's API as far as the gateway uses it: PUT /api/0/organizations/{org}/issues/{id}/
 * ("Update an Issue", scope event:write) with Bearer auth. Answers as Sentry does: 401 for a
 * bad token, 403 without the scope, 404 for an unknown organization or issue, 400 for a bad
 * status, 200 with the issue otherwise.
 */
export async function startFakeSentry(options: { org?: string; token?: string; scopes?: string[]; issues?: string[] } = {}) {
  const org = options.org ?? 'acme';
  const token = options.token ?? 'sntryu_fake_token';
  const scopes = new Set(options.scopes ?? ['event:write']);
  const issues = new Map((options.issues ?? ['12345']).map((id) => [id, 'unresolved']));
  const calls: SentryCall[] = [];
  const answer = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      return answer(res, 400, { detail: 'Malformed request' });
    }
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    calls.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${token}`) return answer(res, 401, { detail: 'Invalid token' });
    const match = /^\/api\/0\/organizations\/([^/]+)\/issues\/([^/]+)\/$/.exec(path);
    if (!match || req.method !== 'PUT') return answer(res, 404, { detail: 'The requested resource does not exist' });
    if (!scopes.has('event:write')) return answer(res, 403, { detail: 'You do not have permission to perform this action.' });
    const [, slug, id] = match;
    if (slug !== org || !issues.has(id)) return answer(res, 404, { detail: 'The requested resource does not exist' });
    const status = (body as { status?: unknown } | undefined)?.status;
    if (!['resolved', 'resolvedInNextRelease', 'unresolved', 'ignored'].includes(String(status))) return answer(res, 400, { status: ['"' + String(status) + '" is not a valid choice.'] });
    issues.set(id, String(status));
    answer(res, 200, { id, status, statusDetails: {} });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    org,
    token,
    calls,
    /** An issue's status as Sentry now holds it. */
    statusOf: (id: string) => issues.get(id),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSentry = Awaited<ReturnType<typeof startFakeSentry>>;
