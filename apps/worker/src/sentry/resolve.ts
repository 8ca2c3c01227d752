import axios from 'axios';
import type { Config } from '@ng/core';

/**
 * Sentry's API, for one thing: 已处理 on a card resolves the issue in Sentry
 * (PUT /api/0/organizations/{org}/issues/{id}/ {"status":"resolved"}, scope event:write).
 * Undefined when SENTRY_AUTH_TOKEN and SENTRY_ORG are not set.
 */
export function createSentryResolver(config: Config) {
  const { authToken, org, apiUrl } = config.sentry;
  if (!authToken || !org) return undefined;
  const client = axios.create({ baseURL: apiUrl, timeout: config.weixin.timeoutMs, maxRedirects: 0, headers: { authorization: `Bearer ${authToken}`, 'content-type': 'application/json' } });
  return {
    /** Throws with Sentry's status when it refuses. */
    async resolve(issueId: string): Promise<void> {
      const res = await client.put(`/api/0/organizations/${encodeURIComponent(org)}/issues/${encodeURIComponent(issueId)}/`, { status: 'resolved' }, { validateStatus: () => true });
      if (res.status >= 300) throw new Error(`Sentry answered ${res.status} resolving issue ${issueId}`);
    },
  };
}

export type SentryResolver = NonNullable<ReturnType<typeof createSentryResolver>>;
