import axios from 'axios';
import type { Config } from '@ng/core';

export type SentryAnswer = { ok: true } | { ok: false; status: number; permanent: boolean; hint: string };

const HINTS: Record<number, string> = {
  401: 'SENTRY_AUTH_TOKEN is not valid (revoked or mistyped)',
  403: 'the token lacks the scope event:write',
  404: 'SENTRY_ORG or the issue is unknown to this Sentry (check SENTRY_ORG and SENTRY_API_URL)',
};

/**
 * Sentry's API, for one thing: 已处理 on a card resolves the issue in Sentry
 * (PUT /api/0/organizations/{org}/issues/{id}/ {"status":"resolved"}, scope event:write).
 * Undefined when SENTRY_AUTH_TOKEN and SENTRY_ORG are not set. A 4xx answer will not change
 * by retrying; 5xx and network errors may.
 */
export function createSentryResolver(config: Config) {
  const { authToken, org, apiUrl } = config.sentry;
  if (!authToken || !org) return undefined;
  const client = axios.create({ baseURL: apiUrl, timeout: config.weixin.timeoutMs, maxRedirects: 0, headers: { authorization: `Bearer ${authToken}`, 'content-type': 'application/json' } });
  return {
    async resolve(issueId: string): Promise<SentryAnswer> {
      const res = await client.put(`/api/0/organizations/${encodeURIComponent(org)}/issues/${encodeURIComponent(issueId)}/`, { status: 'resolved' }, { validateStatus: () => true });
      if (res.status < 300) return { ok: true };
      return { ok: false, status: res.status, permanent: res.status < 500 && res.status !== 429, hint: HINTS[res.status] ?? `Sentry answered ${res.status}` };
    },
  };
}

export type SentryResolver = NonNullable<ReturnType<typeof createSentryResolver>>;
