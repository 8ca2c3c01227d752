import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * Just enough of WeCom for the console's sign-in (reference/wecom-callbacks.md §6–§7), as the
 * real one answers: gettoken, the authorize page (302 back with a code), auth/getuserinfo
 * (codes single-use, 5 minutes, 50001 when the redirect host is not the trusted domain) and
 * user/get. The shared fake WeCom of @ng/testkit grows the same endpoints; this one keeps the
 * ingest tests to what they check.
 */
export async function startOAuthFake(opts: { corpId?: string; corpSecret?: string; members?: Record<string, string> } = {}) {
  const corpId = opts.corpId ?? 'ww-oauth-test';
  const corpSecret = opts.corpSecret ?? 'oauth-test-secret';
  const members = opts.members ?? { zhangsan: '张三', lisi: '李四' };
  const token = `tok-${randomBytes(6).toString('hex')}`;
  const codes = new Map<string, { userid: string; host: string; at: number; used: boolean }>();
  const state = {
    /** Who signs in; an outsider (not a member) gets an openid. */
    oauthUser: 'zhangsan' as string,
    /** The app's 可信域名; undefined: any. */
    trustedDomain: undefined as string | undefined,
    /** An errcode these answer instead: 60020 (IP not trusted) comes from every call, 40001 from gettoken. */
    gettokenErrcode: 0,
    getuserinfoErrcode: 0,
    userGetErrcode: 0,
    calls: { gettoken: 0, getuserinfo: 0, user: 0, authorize: 0 },
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = Object.fromEntries(url.searchParams);
    const send = (body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const err = (errcode: number, errmsg: string) => send({ errcode, errmsg });
    const tokenOk = () => q.access_token === token;
    switch (url.pathname) {
      case '/cgi-bin/gettoken':
        state.calls.gettoken++;
        if (state.gettokenErrcode) return err(state.gettokenErrcode, 'refused');
        if (q.corpid !== corpId) return err(40013, 'invalid corpid');
        if (q.corpsecret !== corpSecret) return err(40001, 'invalid credential');
        return send({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
      case '/connect/oauth2/authorize': {
        state.calls.authorize++;
        if (q.appid !== corpId || q.response_type !== 'code' || !q.redirect_uri || !/^[a-zA-Z0-9]{1,128}$/.test(q.state ?? '')) return res.writeHead(400).end('bad authorize request');
        const code = `code${randomBytes(8).toString('hex')}`;
        const back = new URL(q.redirect_uri);
        codes.set(code, { userid: state.oauthUser, host: back.host, at: Date.now(), used: false });
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.state);
        return res.writeHead(302, { location: back.href }).end();
      }
      case '/cgi-bin/auth/getuserinfo': {
        state.calls.getuserinfo++;
        if (!tokenOk()) return err(40014, 'invalid access_token');
        if (state.getuserinfoErrcode) return err(state.getuserinfoErrcode, 'refused');
        const code = codes.get(q.code ?? '');
        if (!code || code.used || Date.now() - code.at > 300_000) return err(40029, 'invalid code');
        if (state.trustedDomain && code.host !== state.trustedDomain) return err(50001, 'redirect_url domain not match');
        code.used = true;
        return members[code.userid] ? send({ errcode: 0, errmsg: 'ok', userid: code.userid }) : send({ errcode: 0, errmsg: 'ok', openid: `o-${code.userid}` });
      }
      case '/cgi-bin/user/get':
        state.calls.user++;
        if (!tokenOk()) return err(40014, 'invalid access_token');
        if (state.userGetErrcode) return err(state.userGetErrcode, 'refused');
        return members[q.userid ?? ''] ? send({ errcode: 0, errmsg: 'ok', userid: q.userid, name: members[q.userid] }) : err(60111, 'userid not found');
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    corpId,
    corpSecret,
    agentId: '1000002',
    state,
    /** The settings that point a gateway at this fake with its app configured. */
    env: { WEIXIN_API_BASE: url, WEIXIN_CORP_ID: corpId, WEIXIN_CORP_SECRET: corpSecret, WEIXIN_AGENT_ID: '1000002' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
