/**
 * Every outcome of a WeCom call — HTTP status, network error, timeout, errcode — mapped to one
 * action from a closed set (reference/wecom.md §7). The HTTP client classifies; only BullMQ
 * retries.
 */
export type DeliveryAction = 'retry' | 'refresh-token' | 'shorten' | 'defer' | 'permanent';

export interface Classification {
  action: DeliveryAction;
  /** Closed set, used as a metric label. */
  reason: string;
  errcode?: number;
  httpStatus?: number;
  retryAfterMs?: number;
  /** What an operator should fix. */
  hint?: string;
}

export class DeliveryError extends Error {
  constructor(
    readonly classification: Classification,
    message?: string,
  ) {
    super(message ?? `${classification.reason}${classification.errcode !== undefined ? ` (errcode ${classification.errcode})` : ''}`);
    this.name = 'DeliveryError';
  }
}

export type WecomApi = 'gettoken' | 'send' | 'update' | 'robot' | 'user';

const PERMANENT: Record<number, { reason: string; hint: string }> = {
  40001: { reason: 'config', hint: 'WEIXIN_CORP_SECRET is wrong (invalid credential): copy the app Secret again from the WeCom admin console' },
  40003: { reason: 'recipient', hint: 'WEIXIN_TO_USER names a user id that does not exist' },
  40008: { reason: 'bad_request', hint: 'invalid msgtype: a gateway bug, please report it' },
  40013: { reason: 'config', hint: 'WEIXIN_CORP_ID is wrong (invalid corpid)' },
  40056: { reason: 'config', hint: 'WEIXIN_AGENT_ID is wrong (invalid agentid)' },
  44004: { reason: 'bad_request', hint: 'empty message content: a gateway bug, please report it' },
  48002: { reason: 'config', hint: 'the app has no permission for this API: check the app settings in the WeCom admin console' },
  60020: { reason: 'config', hint: "not allowed from this IP: add this server's egress IP to the app's trusted IPs (企业可信IP)" },
  81013: { reason: 'recipient', hint: 'every recipient is invalid or outside the app visible range: check WEIXIN_TO_USER/TO_PARTY/TO_TAG and the app visibility' },
  82001: { reason: 'recipient', hint: 'no recipient: set WEIXIN_TO_USER, WEIXIN_TO_PARTY or WEIXIN_TO_TAG' },
  82002: { reason: 'recipient', hint: 'more than 100 parties in WEIXIN_TO_PARTY' },
  82003: { reason: 'recipient', hint: 'more than 100 tags in WEIXIN_TO_TAG' },
  93000: { reason: 'robot_invalid', hint: 'robot webhook key is invalid or the robot was removed from the group: check WEIXIN_ROBOT_KEY (the bare key, not the whole URL)' },
  93004: { reason: 'robot_invalid', hint: 'the group robot is disabled (机器人被停用): enable it or replace WEIXIN_ROBOT_KEY' },
};

/** null = success. */
export function classifyResponse(
  httpStatus: number,
  body: unknown,
  opts: { api: WecomApi; freqLimitDelayMs: number },
): Classification | null {
  if (httpStatus >= 500) return { action: 'retry', reason: 'http_5xx', httpStatus };
  if (httpStatus === 429) return { action: 'defer', reason: 'freq_limit', httpStatus, retryAfterMs: opts.freqLimitDelayMs };
  if (httpStatus !== 200) return { action: 'retry', reason: 'http_4xx', httpStatus };
  const errcode = typeof (body as { errcode?: unknown })?.errcode === 'number' ? (body as { errcode: number }).errcode : undefined;
  if (errcode === undefined) return { action: 'retry', reason: 'bad_response', httpStatus };
  if (errcode === 0) return null;
  const known = PERMANENT[errcode];
  switch (errcode) {
    case -1:
      return { action: 'retry', reason: 'system_busy', errcode };
    case 45033:
      return { action: 'retry', reason: 'concurrency', errcode };
    case 45009:
    case 45047:
      return { action: 'defer', reason: 'freq_limit', errcode, retryAfterMs: opts.freqLimitDelayMs };
    case 45002:
      return { action: 'shorten', reason: 'too_long', errcode };
    case 40058: {
      // Robot: "…content exceed max length N…". Other 40058s are plain bad parameters.
      const msg = String((body as { errmsg?: unknown }).errmsg ?? '');
      return /exceed max length/i.test(msg) ? { action: 'shorten', reason: 'too_long', errcode } : { action: 'permanent', reason: 'bad_request', errcode, hint: 'invalid parameter (40058)' };
    }
    case 40014:
    case 41001:
    case 42001:
      return { action: 'refresh-token', reason: 'token_invalid', errcode };
    case 40001:
      // From gettoken it is the secret; from any call with a token, a stale token.
      return opts.api !== 'gettoken' ? { action: 'refresh-token', reason: 'token_invalid', errcode } : { action: 'permanent', errcode, ...known };
  }
  if (known) return { action: 'permanent', errcode, ...known };
  return { action: 'permanent', reason: 'unknown_errcode', errcode, hint: `WeCom errcode ${errcode}: see https://developer.work.weixin.qq.com/document/path/90313` };
}

/** Network failures and timeouts are transient: the message may or may not have arrived. */
export function classifyError(err: unknown): Classification {
  if (err instanceof DeliveryError) return err.classification;
  const code = (err as { code?: string })?.code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') return { action: 'retry', reason: 'timeout' };
  return { action: 'retry', reason: 'network' };
}
