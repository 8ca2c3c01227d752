import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { classifyError, classifyResponse, DeliveryError, type WecomApi } from './classify';

export interface WecomHttp {
  /** One call; throws DeliveryError for every failure, returns the JSON body on errcode 0. */
  call<T = Record<string, unknown>>(api: WecomApi, method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<T>;
}

/**
 * One axios instance with keep-alive agents for every WeCom call. It classifies and never
 * loops; URLs carry secrets (access_token, key, corpsecret), so they never reach an error.
 */
export function createWecomHttp(opts: { apiBase: string; timeoutMs: number; freqLimitDelayMs: number }): WecomHttp {
  const client: AxiosInstance = axios.create({
    baseURL: opts.apiBase,
    timeout: opts.timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { 'Content-Type': 'application/json' },
  });
  return {
    async call(api, method, pathAndQuery, body) {
      let response;
      try {
        response = await client.request({ method, url: pathAndQuery, data: body });
      } catch (err) {
        const c = classifyError(err);
        throw new DeliveryError(c, `WeCom ${api} request failed: ${c.reason} (${(err as { code?: string }).code ?? 'error'})`);
      }
      const failure = classifyResponse(response.status, response.data, { api, freqLimitDelayMs: opts.freqLimitDelayMs });
      if (failure) {
        const errmsg = String((response.data as { errmsg?: unknown })?.errmsg ?? '').slice(0, 200);
        throw new DeliveryError(failure, `WeCom ${api}: ${failure.reason}${failure.errcode !== undefined ? ` errcode ${failure.errcode}` : ` HTTP ${response.status}`}${errmsg ? ` ${errmsg}` : ''}`);
      }
      return response.data;
    },
  };
}
