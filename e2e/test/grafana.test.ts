import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, dropPrefix, freePort, root, sleep, startFakeWecom, startProc, type FakeWecom, type Proc } from '@ng/testkit';

/**
 * Grafana's contact-point payloads (firing, resolved, no data) through the gateway started the
 * `pnpm start` way, out of the fake WeCom as cards: the rule card with its value and panel link.
 */
const TOKEN = 'e2e-grafana-token-value';
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(root, 'packages/core/test/fixtures/grafana', name), 'utf8'));

describe('Grafana → the gateway → WeCom', () => {
  let wecom: FakeWecom;
  let gateway: Proc;
  let base = '';
  const prefix = `{e2e-grafana-${process.pid}}`;

  beforeAll(async () => {
    wecom = await startFakeWecom();
    const port = await freePort();
    gateway = startProc(path.join(root, 'apps/gateway/dist/main.js'), {
      PORT: String(port), REDIS_URL, QUEUE_PREFIX: prefix, WEBHOOK_TOKEN: TOKEN, DISPLAY_TZ: 'Asia/Shanghai',
      WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: wecom.corpId, WEIXIN_CORP_SECRET: wecom.corpSecret, WEIXIN_AGENT_ID: String(wecom.agentId),
    });
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300 && !gateway.output().includes('ingest listening'); i++) await sleep(100);
  });

  afterAll(async () => {
    await gateway?.stop();
    await wecom?.close();
    await dropPrefix(prefix);
  });

  async function post(pathname: string, body: unknown): Promise<number> {
    const res = await fetch(`${base}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
    return res.status;
  }

  async function nextCard(containing: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const card = wecom.messages.find((m) => m.content.includes(containing))?.content;
      if (card) return card;
      await sleep(100);
    }
    throw new Error(`no card with ${containing}; got:\n${wecom.messages.map((m) => m.content).join('\n---\n')}\n${gateway.output().slice(-2000)}`);
  }

  it('firing: 202, then the rule card with the value and the panel link', async () => {
    expect(await post('/webhook/grafana', fixture('firing.json'))).toBe(202);
    const expected = fs.readFileSync(path.join(root, 'packages/core/test/fixtures/grafana/firing.card.txt'), 'utf8').trimEnd();
    expect(await nextCard('[FIRING] HighMemoryUsage')).toBe(expected);
  });

  it('resolved: 202, then ✅ with the recovery time and how long it lasted', async () => {
    expect(await post('/webhook/grafana', fixture('resolved.json'))).toBe(202);
    const card = await nextCard('[RESOLVED] HighMemoryUsage');
    expect(card).toContain('✅ 恢复时间: 2026-11-24 09:31:00');
    expect(card).toContain('⏱️ 持续时间: 19分');
  });

  it('no data, posted to /webhook/alertmanager (recognised as Grafana): named after its rule, panel linked', async () => {
    const body = fixture('no-data.json');
    body.alerts[0].labels.env = 'testing'; // a warning goes to the hourly digest; testing sends at once
    expect(await post('/webhook/alertmanager', body)).toBe(202);
    const card = await nextCard('API p99 latency (无数据)');
    expect(card).toContain('🏷️  来源: Grafana');
    expect(card).toContain('🔗 详情: https://grafana.example.com/d/payments-api?orgId=1&viewPanel=4');
    expect(gateway.output()).toMatch(/Grafana webhook accepted/);
  });
});
