import { Queue } from 'bullmq';
import { createHistoryWriter, createRedis, QUEUE_NAMES, type Alert } from '@ng/core';
import type { FakeWecom } from '@ng/testkit';
import { REDIS_URL } from './support';

/** The settings that point a gateway at the fake WeCom, its app configured. */
export const wecomEnv = (wecom: FakeWecom) => ({ WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: wecom.corpId, WEIXIN_CORP_SECRET: wecom.corpSecret, WEIXIN_AGENT_ID: String(wecom.agentId) });

/** A browser, as far as the console cares: its cookies, its credentials if any, no redirects followed. */
export function browser(base: string, opts: { admin?: string } = {}) {
  const jar = new Map<string, string>();
  const headers = (extra: Record<string, string> = {}) => ({
    ...(opts.admin && { authorization: `Basic ${Buffer.from(opts.admin).toString('base64')}` }),
    ...(jar.size && { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') }),
    ...extra,
  });
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value && !/Expires=Thu, 01 Jan 1970/i.test(line)) jar.set(pair.slice(0, eq), value);
      else jar.delete(pair.slice(0, eq));
    }
    return res;
  };
  const url = (path: string) => (path.startsWith('http') ? path : `${base}${path}`);
  return {
    jar,
    get: async (path: string, extra?: Record<string, string>) => keep(await fetch(url(path), { headers: headers(extra), redirect: 'manual' })),
    post: async (path: string, form: Record<string, string>, extra?: Record<string, string>) =>
      keep(await fetch(url(path), { method: 'POST', headers: headers({ 'content-type': 'application/x-www-form-urlencoded', ...extra }), body: new URLSearchParams(form).toString(), redirect: 'manual' })),
  };
}

/** The fields of the page's form that posts `action` (认领 …): its CSRF token and nonce. */
export function actionForm(html: string, action: string): Record<string, string> | undefined {
  for (const form of html.match(/<form method="post" action="[^"]*\/actions">[\s\S]*?<\/form>/g) ?? []) {
    const fields = Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
    if (fields.action === action) return fields;
  }
  return undefined;
}

/** An alert in the history, as the worker records it, and the actions queue the worker reads. */
export async function seedAlert(prefix: string, alert: Partial<Alert> = {}) {
  const redis = createRedis(REDIS_URL, 'worker');
  const full: Alert = {
    source: 'alertmanager', kind: 'alertmanager', key: 'am:disk', idempotencyKey: 'd'.repeat(32), status: 'firing', severity: 'critical',
    title: 'DiskFull', service: 'db', labels: { alertname: 'DiskFull' }, receivedAt: new Date().toISOString(), ...alert,
  };
  await createHistoryWriter({ redis, prefix, retentionMs: 86_400_000, maxAlerts: 1000 }).recordDecision(full.idempotencyKey, { alert: full, fate: 'queued', reason: 'to app', plan: [], decidedAtMs: Date.now() });
  redis.disconnect();
  return full;
}

export function actionsQueue(prefix: string) {
  const connection = createRedis(REDIS_URL, 'worker');
  const queue = new Queue(QUEUE_NAMES.actions, { connection, prefix });
  return {
    jobs: () => queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']),
    /** Every job gone: each test starts with an empty queue. */
    clear: () => queue.obliterate({ force: true }),
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
