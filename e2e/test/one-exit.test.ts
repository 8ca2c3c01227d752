import { afterEach, describe, expect, it } from 'vitest';
import { busiestMinute, startInProcessGateway, type InProcessGateway } from './support/gateway';

/**
 * ingest and a worker in one process (as `pnpm start` runs them), against real Redis and a fake
 * WeCom: every kind of message — cards, a digest flushed by hand, a storm, the test card —
 * leaves through the one delivery processor and shares the recipients' WeCom budget.
 */
describe('one exit to WeCom', () => {
  let gateway: InProcessGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });
  const start = async (env: Record<string, string>) => (gateway = await startInProcessGateway({ ADMIN_ALLOW_OPEN: 'true', ...env }));

  const named = (messages: Array<{ content: string }>, n: number) => messages.some((m) => new RegExp(`Chaosexit${n}x\\b`).test(m.content));

  it.each([
    ['storms summarized (STORM_THRESHOLD 10, the default)', {}],
    ['no storm summaries (STORM_THRESHOLD 1000): the budget alone holds the line', { STORM_THRESHOLD: '1000' }],
  ])('2 criticals, a digest flushed by hand and a 30-alert storm within a minute: at most 30 app messages a minute to the recipients, every alert accounted for (%s)', async (_name, env) => {
    const gw = await start(env);
    await gw.alert(100, 'warning');
    await gw.alert(1);
    await gw.alert(2);
    await gw.settled();
    const flush = await gw.post('/api/digests/flush', '');
    expect(await flush.json()).toEqual({ status: 'flushed', digests: 1, alerts: 1 });
    for (let n = 3; n <= 32; n++) await gw.alert(n);
    await gw.settled();
    await gw.nextMinute();
    await gw.settled();
    await gw.nextMinute();
    await gw.settled();

    const messages = gw.wecom.messages;
    expect(messages.every((m) => m.api === 'app' && m.body.touser === 'zhangsan|lisi')).toBe(true);
    expect(busiestMinute(messages.map((m) => m.at))).toBeLessThanOrEqual(30);
    // Every alert named in a card or a digest, or counted in a storm summary's "+N more".
    const missing = Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => !named(messages, n));
    const summarizedUnnamed = messages.reduce((sum, m) => sum + Number(/\+(\d+) more/.exec(m.content)?.[1] ?? 0), 0);
    expect(missing.length).toBeLessThanOrEqual(summarizedUnnamed);
    expect(named(messages, 100)).toBe(true);
    expect(messages.filter((m) => m.content.includes('每小时汇总'))).toHaveLength(1);
  });

  it('ng_deliveries_total counts alert, digest, storm and test messages alike', async () => {
    const gw = await start({ STORM_THRESHOLD: '2' });
    await gw.alert(100, 'warning');
    for (let n = 1; n <= 4; n++) await gw.alert(n);
    expect((await gw.post('/test', '')).status).toBe(202);
    await gw.settled();
    await gw.post('/api/digests/flush', '');
    await gw.nextMinute();
    await gw.settled();
    const text = await gw.metrics();
    for (const kind of ['alert', 'digest', 'storm', 'test']) {
      expect(text, kind).toMatch(new RegExp(`ng_deliveries_total\\{kind="${kind}",channel="wecom-app",outcome="success",errcode="0",app="all-in-one"\\} [1-9]`));
    }
    expect(gw.log()).toContain('"kind":"storm"');
  });
});
