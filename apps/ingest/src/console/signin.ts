import { Router, type RequestHandler, type Response } from 'express';
import type { Config, Logger } from '@ng/core';
import { WecomApiError, type MemberDirectory } from '../wecom/members';
import { asAdmin, oauthReady } from './access';
import { html } from './html';
import { consolePath, type Identity } from './identity';
import { page } from './layout';

/** WeCom's sign-in page lives on open.weixin.qq.com; a fake WeCom (WEIXIN_API_BASE changed) serves it itself. */
export function authorizeBase(config: Config): string {
  return new URL(config.weixin.apiBase).host === 'qyapi.weixin.qq.com' ? 'https://open.weixin.qq.com' : config.weixin.apiBase;
}

/** The URL WeCom sends the member back to, with ?code&state: its host must be the app's 可信域名. */
export const redirectUri = (config: Config) => `${config.publicUrl}/console/oauth/wecom`;

/** Why a sign-in failed, in words a member can pass on and an admin can fix. */
function failure(err: WecomApiError, config: Config): { status: number; cause: string; fix: string } {
  const host = config.publicUrl ? new URL(config.publicUrl).host : 'PUBLIC_URL 的域名';
  switch (err.errcode) {
    case 40029:
      return { status: 400, cause: '企业微信的授权码无效或已用过 (40029)。', fix: '授权码只能用一次，5 分钟内有效：请回到消息，重新点开链接。' };
    case 50001:
      return { status: 502, cause: '网关的地址不是这个应用的可信域名 (50001)。', fix: `管理员：企业微信管理后台 → 应用管理 → 本应用 → 网页授权及JS-SDK → 可信域名，填写 ${host}（PUBLIC_URL 的域名，须通过域名归属验证），然后重试。` };
    case 60020:
      return { status: 502, cause: '网关的出口 IP 不在这个应用的企业可信IP中 (60020)。', fix: '管理员：企业微信管理后台 → 应用管理 → 本应用 → 企业可信IP，加入网关的出口 IP，然后重试。' };
    case 40001:
    case 40013:
      return { status: 502, cause: `企业微信不接受网关的企业ID或应用 Secret (${err.errcode})。`, fix: '管理员：检查 WEIXIN_CORP_ID 和 WEIXIN_CORP_SECRET（应用管理 → 本应用 → Secret），然后重启网关。' };
    case undefined:
      return { status: 502, cause: '网关连不上企业微信 API。', fix: '管理员：检查网关到 WEIXIN_API_BASE 的网络（代理、防火墙、DNS），然后重试。' };
    default:
      return { status: 502, cause: `企业微信拒绝了登录 (errcode ${err.errcode})。`, fix: '管理员：按企业微信的全局错误码说明处理；网关日志中有 "console sign-in failed" 一行。' };
  }
}

function sorry(res: Response, status: number, cause: string, fix: string) {
  res.status(status).type('html').send(page({ title: '无法确认身份', admin: false, body: html`<h1>无法确认身份</h1><p class="note">${cause}</p><p>${fix}</p>` }));
}

/**
 * Saying who you are, for someone who opened a card's link: inside WeCom through OAuth
 * (reference/wecom-callbacks.md §6: silent, scope snsapi_base), or as the admin (basic auth).
 * Either way the browser then comes back to `next`, a console path only.
 */
export function signInRoutes(deps: { config: Config; logger: Logger; auth: RequestHandler; identity: Identity; members: MemberDirectory }): Router {
  const router = Router();
  const { config } = deps;
  const badNext = (res: Response) => sorry(res, 400, '登录后要回到的地址 (next) 不是本控制台的页面。', '请从告警页面上的按钮重新开始。');

  router.get('/console/login/admin', asAdmin(deps.auth), (req, res) => {
    const next = req.query.next === undefined ? '/console' : consolePath(req.query.next);
    if (!next) return badNext(res);
    res.redirect(303, next);
  });

  router.get('/console/login/wecom', async (req, res) => {
    if (!oauthReady(config)) return sorry(res, 404, '没有配置企业微信应用的登录。', '管理员：设置 WEIXIN_CORP_ID、WEIXIN_CORP_SECRET、WEIXIN_AGENT_ID 和 PUBLIC_URL 后重启；或用管理员账号登录。');
    const next = consolePath(req.query.next);
    if (!next) return badNext(res);
    const state = await deps.identity.begin(res, next);
    const { corpId, agentId } = config.weixin;
    // WeCom reads the parameters in this order and wants #wechat_redirect at the end.
    res.redirect(302, `${authorizeBase(config)}/connect/oauth2/authorize?appid=${encodeURIComponent(corpId!)}&redirect_uri=${encodeURIComponent(redirectUri(config))}&response_type=code&scope=snsapi_base&state=${state}&agentid=${agentId}#wechat_redirect`);
  });

  router.get('/console/oauth/wecom', async (req, res) => {
    if (!oauthReady(config)) return sorry(res, 404, '没有配置企业微信应用的登录。', '管理员：设置 WEIXIN_CORP_ID、WEIXIN_CORP_SECRET、WEIXIN_AGENT_ID 和 PUBLIC_URL 后重启。');
    const next = await deps.identity.finish(req, res, req.query.state);
    if (!next) {
      deps.logger.warn('console sign-in refused', { reason: 'state' });
      return sorry(res, 400, '这次登录无法确认是从本浏览器发起的 (state 不符或已过期)。', '请回到消息，重新点开链接（10 分钟内完成登录）。');
    }
    const code = typeof req.query.code === 'string' && req.query.code.length <= 512 ? req.query.code : '';
    if (!code) return sorry(res, 400, '企业微信没有给出授权码。', '请回到消息，重新点开链接。');
    try {
      const who = await deps.members.userOfCode(code);
      if (!who.userid) {
        deps.logger.warn('console sign-in refused', { reason: 'not_a_member' });
        return sorry(res, 403, '只有本企业的成员可以处理告警。', '请用企业微信中本企业的账号打开链接。');
      }
      const name = await deps.members.nameOf(who.userid);
      await deps.identity.signIn(res, { userid: who.userid, name });
      deps.logger.info('console member signed in', { userid: who.userid });
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof WecomApiError)) throw err;
      deps.logger.warn('console sign-in failed', { api: err.api, errcode: err.errcode, error: err.message });
      const { status, cause, fix } = failure(err, config);
      sorry(res, status, cause, fix);
    }
  });
  return router;
}
