import type { Config, DestinationSpec } from '@ng/core';
import { judgeRecipients, recipientsOf } from './recipients';
import type { Row } from './row';
import { wecomCall } from './wecom-call';

interface AgentDetails {
  allow_userinfos?: { user?: Array<{ userid: string }> };
  allow_partys?: { partyid?: number[] };
  allow_tags?: { tagid?: number[] };
  close?: number;
}

interface SendAnswer {
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
}

/**
 * A WeCom app destination, the seed's 问题 2 in order: the corp id and secret (gettoken), the
 * agent id and this server's IP (agent/get, read-only, which also gives the visible range),
 * whether the recipients are inside it, and with --send a test message.
 */
export async function appRows(config: Config, d: Extract<DestinationSpec, { type: 'app' }>, send: boolean): Promise<Row[]> {
  const name = (what: string) => `${d.id} (app): ${what}`;
  const { corpId = '', corpSecret = '', agentId } = config.weixin;
  const token = await wecomCall<{ access_token: string }>(config, 'gettoken', { url: '/cgi-bin/gettoken', params: { corpid: corpId, corpsecret: corpSecret } });
  if (!token.ok) return [{ check: name('corp id, secret'), status: 'fail', found: token.found, fix: token.fix }];
  const rows: Row[] = [{ check: name('corp id, secret'), status: 'ok', found: 'WEIXIN_CORP_ID and WEIXIN_CORP_SECRET accepted (gettoken)' }];
  const accessToken = token.body.access_token;

  const agent = await wecomCall<AgentDetails>(config, 'send', { url: '/cgi-bin/agent/get', params: { access_token: accessToken, agentid: agentId } });
  if (!agent.ok) return [...rows, { check: name('agent id, IP'), status: 'fail', found: agent.found, fix: agent.fix }];
  rows.push({ check: name('agent id, IP'), status: 'ok', found: `WEIXIN_AGENT_ID ${agentId} accepted from this server's IP (agent/get)` });
  const recipients = recipientsOf(config, d);
  const range = {
    users: (agent.body.allow_userinfos?.user ?? []).map((u) => u.userid),
    parties: agent.body.allow_partys?.partyid ?? [],
    tags: agent.body.allow_tags?.tagid ?? [],
    closed: agent.body.close === 1,
  };
  rows.push({ check: name('recipients'), ...judgeRecipients(recipients, range) });

  if (!send) {
    rows.push({ check: name('test message'), status: 'skip', found: 'nothing sent', fix: 'run the doctor with --send to post a test message to these recipients' });
    return rows;
  }
  const content = `🩺 notification-gateway doctor: 测试消息。收到即说明企业微信应用 ${d.id} 的配置正确。`;
  const body = { touser: recipients.toUser, toparty: recipients.toParty, totag: recipients.toTag, msgtype: 'text', agentid: agentId, text: { content } };
  const sent = await wecomCall<SendAnswer>(config, 'send', { method: 'POST', url: '/cgi-bin/message/send', params: { access_token: accessToken }, data: body });
  if (!sent.ok) return [...rows, { check: name('test message'), status: 'fail', found: sent.found, fix: sent.fix }];
  const missed = [sent.body.invaliduser, sent.body.invalidparty && `departments ${sent.body.invalidparty}`, sent.body.invalidtag && `tags ${sent.body.invalidtag}`, sent.body.unlicenseduser && `unlicensed ${sent.body.unlicenseduser}`].filter(Boolean);
  rows.push(
    missed.length
      ? { check: name('test message'), status: 'warn', found: `sent, but WeCom did not reach ${missed.join('; ')}`, fix: 'correct WEIXIN_TO_* or add them to the visible range (unlicensed: a WeCom licence)' }
      : { check: name('test message'), status: 'ok', found: 'sent: ask the recipients whether it arrived' },
  );
  return rows;
}
