import { err, freshCode, json, memberOf, tokenProblem, visible, type FakeState, type Query, type Res } from './fake-wecom-common';

/**
 * OAuth2 inside WeCom (reference/wecom-callbacks.md §6). WeCom's authorize page lives on
 * open.weixin.qq.com and getuserinfo on qyapi.weixin.qq.com; the fake serves both, so a
 * gateway whose WEIXIN_API_BASE points at the fake uses it for both hosts.
 *
 * The member who signs in is the setting `oauthUser` (default: the first member): the fake
 * plays a member who opened the link inside WeCom.
 */
export interface OAuthCode {
  userid: string;
  /** The redirect_uri's host (with its port, if any): WeCom matches it to the 可信域名. */
  host: string;
  scope: string;
  issuedAt: number;
  used: boolean;
}

/** "code只能消费一次 … 需要在有效期间消费（5分钟），过期会自动失效". */
export const OAUTH_CODE_TTL_MS = 5 * 60 * 1000;

const refuse = (res: Res, why: string) => {
  // WeCom shows an error page inside its browser; the fake says why in plain text.
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`WeCom would show an error page: ${why}\n`);
};

/** GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state&agentid → 302 redirect_uri?code&state. */
export function authorize(state: FakeState, query: Query, res: Res) {
  if (query.get('appid') !== state.corpId) return refuse(res, `appid "${query.get('appid') ?? ''}" is not this company's corp id`);
  if (query.get('response_type') !== 'code') return refuse(res, 'response_type must be code');
  const scope = query.get('scope') ?? '';
  if (scope !== 'snsapi_base' && scope !== 'snsapi_privateinfo') return refuse(res, 'scope must be snsapi_base or snsapi_privateinfo');
  const agentid = query.get('agentid');
  if (scope === 'snsapi_privateinfo' && !agentid) return refuse(res, 'snsapi_privateinfo needs agentid');
  if (agentid && Number(agentid) !== state.agentId) return refuse(res, `agentid ${agentid} is not this app's`);
  const st = query.get('state') ?? '';
  if (!/^[A-Za-z0-9]{0,128}$/.test(st)) return refuse(res, 'state may hold only letters and digits, at most 128 bytes');
  let redirect: URL;
  try {
    redirect = new URL(query.get('redirect_uri') ?? '');
    if (redirect.protocol !== 'http:' && redirect.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return refuse(res, 'redirect_uri must be an absolute http(s) URL (URL-encoded)');
  }
  const userid = state.oauthUser ?? state.members[0]?.userid;
  if (!userid) return refuse(res, 'the fake has no member to sign in (settings: members)');
  const code = freshCode('fake-oauth-');
  state.oauthCodes.set(code, { userid, host: redirect.host.toLowerCase(), scope, issuedAt: state.now(), used: false });
  redirect.searchParams.set('code', code);
  redirect.searchParams.set('state', st);
  res.writeHead(302, { location: redirect.toString() }).end();
}

/**
 * GET /cgi-bin/auth/getuserinfo?access_token&code: {userid} (and user_ticket for privateinfo in
 * the visible range). 41008: no code; 40029: unknown, used or expired; 50001: the redirect's
 * host is not the app's trusted domain ("跳转的域名须完全匹配…可信域名", port included).
 */
export function getUserInfo(state: FakeState, query: Query, res: Res) {
  const problem = tokenProblem(state, query);
  if (problem) return err(res, ...problem);
  const given = query.get('code');
  if (!given) return err(res, 41008, 'missing code');
  const code = state.oauthCodes.get(given);
  if (!code || code.used || state.now() - code.issuedAt >= OAUTH_CODE_TTL_MS) return err(res, 40029, 'invalid code');
  if (state.trustedDomain && state.trustedDomain.toLowerCase() !== code.host) return err(res, 50001, `redirect_url domain ${code.host} is not the app's trusted domain`);
  code.used = true;
  const ticket = code.scope === 'snsapi_privateinfo' && memberOf(state, code.userid) && visible(state, code.userid);
  json(res, { errcode: 0, errmsg: 'ok', userid: code.userid, ...(ticket ? { user_ticket: freshCode('fake-ticket-'), expires_in: 1800 } : {}) });
}
