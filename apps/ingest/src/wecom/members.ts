import type { Config, Logger } from '@ng/core';

export type MemberApi = 'gettoken' | 'getuserinfo' | 'user';

/** A WeCom API call that did not give what was asked: its errcode (undefined: HTTP or network). */
export class WecomApiError extends Error {
  constructor(
    readonly api: MemberApi,
    readonly errcode: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'WecomApiError';
  }
}

/** Answers a token causes: drop it and fetch another once (42001 expired, 40014 invalid, 40001 stale secret). */
const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
/** Renewed this long before WeCom's expires_in. */
const MARGIN_MS = 300_000;

/**
 * Who a WeCom member is, for the console's sign-in inside WeCom (reference/wecom-callbacks.md
 * §6, §7): an OAuth code becomes a user id (auth/getuserinfo), a user id a name (user/get).
 * Ingest asks rarely (once per sign-in), so its access token is its own, cached in the process:
 * WeCom returns the same token to every caller while it is valid, so the worker's is not
 * disturbed. Secrets and tokens never reach a log line or an error message.
 */
export function createMemberDirectory(deps: { config: Config; logger: Logger; now?: () => number; timeoutMs?: number }) {
  const { weixin } = deps.config;
  const now = deps.now ?? Date.now;
  let cached: { token: string; until: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function call<T>(api: MemberApi, path: string, params: Record<string, string>): Promise<T> {
    let body: T & { errcode?: number; errmsg?: string };
    try {
      const res = await fetch(`${weixin.apiBase}${path}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(deps.timeoutMs ?? 5000) });
      if (!res.ok) throw new WecomApiError(api, undefined, `HTTP ${res.status} from WeCom (${api})`);
      body = (await res.json()) as typeof body;
    } catch (err) {
      if (err instanceof WecomApiError) throw err;
      throw new WecomApiError(api, undefined, `WeCom (${api}) did not answer: ${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message}`);
    }
    if (body.errcode) throw new WecomApiError(api, body.errcode, `WeCom ${api}: errcode ${body.errcode} ${String(body.errmsg ?? '').slice(0, 200)}`);
    return body;
  }

  async function token(): Promise<string> {
    if (cached && cached.until > now()) return cached.token;
    inflight ??= call<{ access_token: string; expires_in?: number }>('gettoken', '/cgi-bin/gettoken', { corpid: weixin.corpId ?? '', corpsecret: weixin.corpSecret ?? '' })
      .then((body) => {
        cached = { token: body.access_token, until: now() + Math.max(60_000, (Number(body.expires_in) || 7200) * 1000 - MARGIN_MS) };
        return body.access_token;
      })
      .finally(() => (inflight = undefined));
    return inflight;
  }

  async function withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const first = await token();
    try {
      return await fn(first);
    } catch (err) {
      if (!(err instanceof WecomApiError) || !TOKEN_ERRCODES.has(err.errcode ?? 0)) throw err;
      if (cached?.token === first) cached = undefined;
      return fn(await token());
    }
  }

  return {
    /** The member an OAuth code names: {userid}, or {openid} for someone outside the company. */
    async userOfCode(code: string): Promise<{ userid?: string; openid?: string }> {
      const body = await withToken((t) => call<{ userid?: string; UserId?: string; openid?: string; OpenId?: string }>('getuserinfo', '/cgi-bin/auth/getuserinfo', { access_token: t, code }));
      return { userid: body.userid ?? body.UserId, openid: body.openid ?? body.OpenId };
    },
    /** The member's name when the app may read it (visible range, 企业可信IP); undefined otherwise. */
    async nameOf(userid: string): Promise<string | undefined> {
      try {
        const body = await withToken((t) => call<{ name?: string }>('user', '/cgi-bin/user/get', { access_token: t, userid }));
        return typeof body.name === 'string' && body.name.trim() ? body.name.trim().slice(0, 64) : undefined;
      } catch (err) {
        deps.logger.warn('WeCom member name unavailable', { userid, error: (err as Error).message });
        return undefined;
      }
    },
  };
}

export type MemberDirectory = ReturnType<typeof createMemberDirectory>;
