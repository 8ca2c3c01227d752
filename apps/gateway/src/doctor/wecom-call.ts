import axios, { type AxiosRequestConfig } from 'axios';
import type { Config } from '@ng/core';
import { classifyResponse } from '@ng/worker';

/** A WeCom answer the doctor can use, or what went wrong and what to change. */
export type WecomAnswer<T> = { ok: true; body: T } | { ok: false; found: string; fix: string };

/** WeCom's errmsg without its trace suffix; "from ip" is kept, it is the address to trust. */
function errmsgOf(body: unknown): string {
  const errmsg = String((body as { errmsg?: unknown })?.errmsg ?? '');
  const fromIp = /from ip: ([\d.:a-f]+)/i.exec(errmsg)?.[1];
  return `${errmsg.split(/, hint:/)[0]}${fromIp ? ` (from ip ${fromIp})` : ''}`;
}

/**
 * One WeCom call, judged by the worker's classifier so the doctor's advice is the worker's
 * hint. URLs carry secrets (corpsecret, access_token, key): none reaches what is returned.
 */
export async function wecomCall<T>(config: Config, api: 'gettoken' | 'send' | 'robot', request: AxiosRequestConfig): Promise<WecomAnswer<T>> {
  let response;
  try {
    response = await axios.request({ baseURL: config.weixin.apiBase, timeout: config.weixin.timeoutMs, maxRedirects: 0, validateStatus: () => true, ...request });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    const host = new URL(config.weixin.apiBase).host;
    return { ok: false, found: `cannot reach ${config.weixin.apiBase} (${code})`, fix: `this server needs outbound HTTPS to ${host}: check DNS, firewall and proxy (or WEIXIN_API_BASE)` };
  }
  const failure = classifyResponse(response.status, response.data, { api, freqLimitDelayMs: config.freqLimitDelayMs });
  if (!failure) return { ok: true, body: response.data as T };
  const found = failure.errcode !== undefined ? `errcode ${failure.errcode}: ${errmsgOf(response.data)}` : `HTTP ${response.status} from ${config.weixin.apiBase}`;
  const fix = failure.hint ?? (failure.action === 'permanent' ? 'see the errcode table in the README (问题 2)' : 'WeCom is busy or limiting: run the doctor again in a minute');
  return { ok: false, found, fix };
}
