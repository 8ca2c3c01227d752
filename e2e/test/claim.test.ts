import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, appEnv, dropPrefix, sleep, startFakeWecom, startGateway, type FakeWecom } from '@ng/testkit';

const TOKEN = 'claimE2eToken';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
// An escalation 3 s after the card, to the next person in the rotation: the claim must stop it.
const POLICY = `
rotations:
  - { id: sre, members: [zhangsan, lisi], every: 7d, start: 2020-01-06 }
routes:
  - name: paged
    match: { severity: critical }
    delivery: immediate
    mention: sre
    escalateAfter: 3s
    escalate: [next]
`;

const webhook = (status: 'firing' | 'resolved') =>
  JSON.stringify({
    version: '4', status, receiver: 'gateway', groupKey: '{}:{alertname="DiskFull"}', externalURL: 'http://am:9093',
    alerts: [{ status, labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1:9100' }, annotations: { summary: '磁盘将满' }, startsAt: '2026-12-04T02:00:00Z', endsAt: status === 'resolved' ? '2026-12-04T03:00:00Z' : '0001-01-01T00:00:00Z', fingerprint: 'diskfull-db-1' }],
  });

/**
 * Issue 12's promise end to end, with ingest and 3 worker processes on real Redis: a critical
 * arrives in WeCom as a card with buttons, 张三 clicks 认领 (played by the fake WeCom, encrypted
 * as WeCom does), every recipient's card then shows him, the escalation stops, and the history
 * and the resolution card say who claimed it.
 */
describe('认领 from the card, with 3 workers', () => {
  let wecom: FakeWecom;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let dir: string;
  const workersSaid = (text: string) => gw.workers.some((w) => w.output().includes(text));
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    wecom = await startFakeWecom();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-'));
    fs.writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
    gw = await startGateway({
      redisUrl: REDIS_URL,
      workers: 3,
      name: 'claim',
      env: { ...appEnv(wecom.url), WEIXIN_TO_USER: 'zhangsan|lisi', WEIXIN_CALLBACK_TOKEN: TOKEN, WEIXIN_CALLBACK_AES_KEY: AES_KEY, POLICY_FILE: path.join(dir, 'policy.yaml'), ADMIN_ALLOW_OPEN: 'true' },
    });
    wecom.settings({ callback: { url: `http://127.0.0.1:${gw.port}/webhook/wecom`, token: TOKEN, aesKey: AES_KEY } });
    // Four processes starting on two shared cores while other test files run can take longer than
    // the default 30 s hook; and should a worker not start, its own words say why.
    await until('3 workers', () => gw.workers.every((w) => w.output().includes('worker started')), 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; their last output: ${gw.workers.map((w) => w.output().slice(-400)).join(' | ')}`);
    });
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
    await wecom?.close();
    if (gw) await dropPrefix(gw.prefix);
  });

  it('critical → card with buttons → 张三 clicks 认领 → every card shows him, no escalation, the history and the resolution say so', async () => {
    expect(await gw.post('/webhook/alertmanager', webhook('firing'))).toBe(202);
    await until('the card', () => wecom.messages.some((m) => m.msgtype === 'template_card'));
    const card = wecom.messages.find((m) => m.msgtype === 'template_card')!;
    expect(card.recipients).toEqual(['zhangsan', 'lisi']);
    expect(card.card).toMatchObject({ card_type: 'button_interaction', main_title: { title: 'DiskFull' } });
    expect(card.warnings).toEqual([]);

    const click = await wecom.click({ userid: 'zhangsan', taskId: card.taskId!, eventKey: 'claim' });
    expect(click.status).toBe(200);
    for (const member of ['zhangsan', 'lisi']) {
      await until(`${member}'s card to show the claim`, () => wecom.cardFor(card.taskId!, member)?.text.includes('已认领: 张三') ?? false);
      expect(wecom.cardFor(card.taskId!, member)!.text).not.toContain('[认领]');
    }

    // The escalation was due 3 s after the card: a worker found it claimed and stopped it.
    await until('the escalation to stop', () => workersSaid('escalation stopped') && workersSaid('claimed by 张三'));
    expect(wecom.messages.filter((m) => m.api === 'app' && m.content.includes('⏫'))).toEqual([]);
    expect(workersSaid('⏫ escalated')).toBe(false);

    const { alerts } = (await (await fetch(`http://127.0.0.1:${gw.port}/api/alerts?q=DiskFull`)).json()) as { alerts: Array<{ id: string }> };
    const record = (await (await fetch(`http://127.0.0.1:${gw.port}/api/alerts/${alerts[0].id}`)).json()) as { problem: { ack?: Record<string, string> } };
    expect(record.problem.ack).toMatchObject({ claimedBy: 'zhangsan', claimedName: '张三' });

    expect(await gw.post('/webhook/alertmanager', webhook('resolved'))).toBe(202);
    await until('the resolution', () => wecom.messages.some((m) => m.content.includes('RESOLVED')));
    expect(wecom.messages.find((m) => m.content.includes('RESOLVED'))!.content).toMatch(/认领人: 张三/);
  });
});
