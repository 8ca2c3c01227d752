import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, dropPrefix, freePort, root, sleep, startFakeWecom, startProc, type FakeWecom, type Proc } from '@ng/testkit';

/**
 * Debian's prometheus-alertmanager, configured as the README tells operators (Bearer token,
 * send_resolved, max_alerts), notifying the gateway started the `pnpm start` way: what a real
 * Alertmanager sends must come out of WeCom as the seed's card.
 */
const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';
const TOKEN = 'e2e-webhook-token-value';

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('a real Alertmanager → the gateway → WeCom', () => {
  let wecom: FakeWecom;
  let gateway: Proc;
  let alertmanager: ChildProcess;
  let amUrl: string;
  let amLog = '';
  let dir = '';
  const prefix = `{e2e-am-${process.pid}}`;

  beforeAll(async () => {
    wecom = await startFakeWecom();
    const port = await freePort();
    gateway = startProc(path.join(root, 'apps/gateway/dist/main.js'), {
      PORT: String(port), REDIS_URL, QUEUE_PREFIX: prefix, METRICS_PORT: String(await freePort()), WEBHOOK_TOKEN: TOKEN,
      WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: wecom.corpId, WEIXIN_CORP_SECRET: wecom.corpSecret, WEIXIN_AGENT_ID: String(wecom.agentId),
    });
    await until('the gateway', () => (gateway.output().includes('ingest listening') ? true : undefined));

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertmanager-'));
    fs.writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      [
        'route: { receiver: gateway, group_by: [alertname], group_wait: 1s, group_interval: 2s, repeat_interval: 1h }',
        'receivers:',
        '  - name: gateway',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${port}/webhook/alertmanager`,
        '        send_resolved: true',
        '        max_alerts: 2',
        `        http_config: { authorization: { type: Bearer, credentials: ${TOKEN} } }`,
      ].join('\n'),
    );
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    alertmanager = spawn(ALERTMANAGER, [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`, `--web.external-url=${amUrl}`, '--cluster.listen-address=',
    ]);
    alertmanager.on('error', (err) => (amLog += `cannot start ${ALERTMANAGER} (apt-get install prometheus-alertmanager): ${err.message}`));
    alertmanager.stderr?.on('data', (chunk) => (amLog += chunk.toString()));
    await until(`Alertmanager on ${amUrl}`, () => (amLog.includes('Listening') || amLog.includes('cannot start') ? true : undefined));
    expect(amLog).not.toContain('cannot start');
  });

  afterAll(async () => {
    alertmanager?.kill();
    await gateway?.stop();
    await wecom?.close();
    await dropPrefix(prefix);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const postAlerts = async (alerts: object[]) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(res.status).toBe(200);
  };
  const redis = {
    labels: { alertname: 'RedisConnectionFailed', severity: 'critical', instance: 'redis:6379', job: 'redis-exporter' },
    annotations: { summary: 'Redis 连接失败', description: 'Redis 服务不可用，推荐系统将降级运行' },
    startsAt: '2025-10-31T04:35:00Z',
  };

  it("fires as the seed card, byte for byte, with the link to the alert in Alertmanager's UI (its externalURL)", async () => {
    await postAlerts([redis]);
    const card = await until('the firing card', () => wecom.messages.find((m) => m.content.startsWith('🔥 [FIRING] RedisConnectionFailed'))?.content);
    expect(card).toBe(
      [
        '🔥 [FIRING] RedisConnectionFailed',
        '━━━━━━━━━━━━━━━━',
        '🚨 严重程度: CRITICAL',
        '🏷️  来源: Prometheus',
        '🖥️  实例: redis:6379',
        '📦 任务: redis-exporter',
        '⏰ 时间: 2025-10-31 12:35:00',
        '',
        '📝 Redis 连接失败',
        'Redis 服务不可用，推荐系统将降级运行',
        `🔗 详情: ${amUrl}/#/alerts?filter=%7Balertname%3D%22RedisConnectionFailed%22%2Cinstance%3D%22redis%3A6379%22%7D`,
        '━━━━━━━━━━━━━━━━',
      ].join('\n'),
    );
  });

  it('a group cut by max_alerts says how many alerts were left out', async () => {
    await postAlerts(['node-1', 'node-2', 'node-3'].map((node) => ({ labels: { alertname: 'InstanceDown', severity: 'critical', instance: `${node}:9100`, job: 'node' } })));
    const cards = await until('two InstanceDown cards', () => {
      const found = wecom.messages.filter((m) => m.content.startsWith('🔥 [FIRING] InstanceDown'));
      return found.length >= 2 ? found : undefined;
    });
    expect(cards).toHaveLength(2);
    for (const card of cards) expect(card.content).toContain('另有 1 条告警未展示');
  });

  it('resolves with ✅ and how long the problem lasted', async () => {
    await postAlerts([{ ...redis, endsAt: new Date().toISOString() }]);
    const card = await until('the resolved card', () => wecom.messages.find((m) => m.content.startsWith('✅ [RESOLVED] RedisConnectionFailed'))?.content);
    expect(card).toMatch(/持续/);
    // Every notification reached WeCom once: Alertmanager got 2xx, so it sent nothing twice.
    expect(wecom.messages.filter((m) => m.content.startsWith('🔥 [FIRING] RedisConnectionFailed'))).toHaveLength(1);
    expect(gateway.output()).not.toContain(TOKEN);
  });
});
