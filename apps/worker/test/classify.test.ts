import { describe, expect, it } from 'vitest';
import { classifyError, classifyResponse, type WecomApi } from '../src/wecom/classify';

const freqLimitDelayMs = 60_000;
const answer = (errcode: number, errmsg = 'x', api: WecomApi = 'send') => classifyResponse(200, { errcode, errmsg }, { api, freqLimitDelayMs });

/** Every errcode of reference/wecom.md §7 (and §4, §5) with the action a sender should take. */
describe('WeCom errcode classifier', () => {
  const table: Array<[number, string, WecomApi, string, string, RegExp?]> = [
    [-1, 'system busy', 'send', 'retry', 'system_busy'],
    [40001, 'invalid credential', 'gettoken', 'permanent', 'config', /WEIXIN_CORP_SECRET/],
    [40001, 'invalid credential', 'send', 'refresh-token', 'token_invalid'],
    [40003, 'invalid userid', 'send', 'permanent', 'recipient', /WEIXIN_TO_USER/],
    [40008, 'invalid message type', 'robot', 'permanent', 'bad_request', /bug/],
    [40013, 'invalid corpid', 'gettoken', 'permanent', 'config', /WEIXIN_CORP_ID/],
    [40014, 'invalid access_token', 'send', 'refresh-token', 'token_invalid'],
    [40056, 'invalid agentid', 'send', 'permanent', 'config', /WEIXIN_AGENT_ID/],
    [40058, 'markdown.content exceed max length 4096. invalid Request Parameter', 'robot', 'shorten', 'too_long'],
    [40058, 'invalid Request Parameter', 'robot', 'permanent', 'bad_request', /40058/],
    [41001, 'access_token missing', 'send', 'refresh-token', 'token_invalid'],
    [42001, 'access_token expired', 'send', 'refresh-token', 'token_invalid'],
    [44004, 'empty content', 'send', 'permanent', 'bad_request', /bug/],
    [45002, 'content size out of limit', 'send', 'shorten', 'too_long'],
    [45009, 'api freq out of limit', 'robot', 'defer', 'freq_limit'],
    [45033, 'api concurrent out of limit', 'send', 'retry', 'concurrency'],
    [45047, 'out of response count limit', 'send', 'defer', 'freq_limit'],
    [48002, 'api forbidden', 'send', 'permanent', 'config', /permission/],
    [60020, 'not allow to access from your ip', 'gettoken', 'permanent', 'config', /企业可信IP/],
    [81013, 'user & party & tag all invalid', 'send', 'permanent', 'recipient', /visible range/],
    [82001, 'All touser & toparty & totag invalid', 'send', 'permanent', 'recipient', /WEIXIN_TO_USER/],
    [82002, 'invalid party list size', 'send', 'permanent', 'recipient', /WEIXIN_TO_PARTY/],
    [82003, 'invalid tag list size', 'send', 'permanent', 'recipient', /WEIXIN_TO_TAG/],
    [93000, 'invalid webhook url', 'robot', 'permanent', 'robot_invalid', /WEIXIN_ROBOT_KEY/],
    [93004, 'robot disabled', 'robot', 'permanent', 'robot_invalid', /停用/],
    [12345, 'something new', 'send', 'permanent', 'unknown_errcode', /errcode 12345/],
  ];
  it.each(table)('errcode %i (%s, from %s) → %s / %s', (errcode, errmsg, api, action, reason, hint) => {
    const c = answer(errcode, errmsg, api);
    expect(c).toMatchObject({ action, reason, errcode });
    if (hint) expect(c?.hint).toMatch(hint);
    if (action === 'defer') expect(c?.retryAfterMs).toBe(freqLimitDelayMs);
  });

  it('errcode 0 is success, even with recipients missed', () => {
    expect(classifyResponse(200, { errcode: 0, errmsg: 'ok', invaliduser: 'ghost' }, { api: 'send', freqLimitDelayMs })).toBeNull();
  });

  const http: Array<[number, unknown, string, string]> = [
    [500, {}, 'retry', 'http_5xx'],
    [502, 'bad gateway', 'retry', 'http_5xx'],
    [429, {}, 'defer', 'freq_limit'],
    [404, {}, 'retry', 'http_4xx'],
    [200, '<html>proxy error</html>', 'retry', 'bad_response'],
    [200, { errmsg: 'no errcode' }, 'retry', 'bad_response'],
  ];
  it.each(http)('HTTP %i with %o → %s / %s', (status, body, action, reason) => {
    expect(classifyResponse(status, body, { api: 'send', freqLimitDelayMs })).toMatchObject({ action, reason, httpStatus: status });
  });

  it.each([
    ['ECONNABORTED', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'network'],
    ['ECONNRESET', 'network'],
  ])('a %s from the network → retry (%s): the message may or may not have arrived', (code, reason) => {
    expect(classifyError(Object.assign(new Error(code), { code }))).toEqual({ action: 'retry', reason });
  });
});
