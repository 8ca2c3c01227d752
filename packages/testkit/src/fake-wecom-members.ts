import type http from 'node:http';
import { err, json, memberOf, scripted, tokenProblem, visible, type FakeState, type Member, type Query, type Res } from './fake-wecom-common';

/** The fake company's members when no one says otherwise (all in department 1). */
export const DEFAULT_MEMBERS: Member[] = [
  { userid: 'zhangsan', name: '张三', mobile: '13800000001' },
  { userid: 'lisi', name: '李四', mobile: '13800000002' },
];

/**
 * GET /cgi-bin/user/get?access_token&userid (reference/wecom-callbacks.md §7): "应用只能获取可见范围内
 * 的成员信息". A self-built app created after 2022-06-20 gets no mobile, avatar or email, so
 * the fake answers the name and department only. 60111: no such userid (or none given);
 * 60011: the member is outside the app's visible range.
 */
export async function userGet(state: FakeState, query: Query, req: http.IncomingMessage, res: Res) {
  state.userCalls++;
  if (await scripted(state, 'user', req, res)) return;
  const problem = tokenProblem(state, query);
  if (problem) return err(res, ...problem);
  const member = memberOf(state, query.get('userid') ?? '');
  if (!member) return err(res, 60111, 'userid not found');
  if (!visible(state, member.userid)) return err(res, 60011, 'no privilege to access/modify contact/party/agent');
  json(res, { errcode: 0, errmsg: 'ok', userid: member.userid, name: member.name, department: [1], main_department: 1, status: 1 });
}
