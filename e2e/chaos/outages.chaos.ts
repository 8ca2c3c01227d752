import { describe, expect, it } from 'vitest';
import { alertmanagerWebhook, appEnv, ledger, report, sleep, startFakeWecomProc, startGateway, startRedisServer } from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('chaos: outages', () => {
  it('2. Redis restarted mid-run (AOF everysec): 503 while down, 202 after, every 202 delivered', async () => {
    const redis = await startRedisServer({ aof: true });
    const wecom = await startFakeWecomProc();
    const gw = await startGateway({ redisUrl: redis.url, workers: 2, name: 'redis', env: { ...appEnv(wecom.url), APP_RATE_LIMIT_PER_MIN: '100000000', LOG_LEVEL: 'warn' } });
    try {
      const accepted: string[] = [];
      const codes = new Map<number, number>();
      let restarted = false;
      const restart = (async () => {
        await sleep(1500);
        await redis.stop();
        await sleep(1500);
        await redis.start();
        restarted = true;
      })();
      let n = 0;
      while (!restarted || n < 1200) {
        const batch = Array.from({ length: 10 }, () => n++);
        const results = await Promise.all(batch.map((i) => gw.post('/webhook/alertmanager', alertmanagerWebhook(i, { tag: 'redis' }))));
        results.forEach((code, j) => {
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (code === 202) accepted.push(`Chaosredis${batch[j]}x`);
        });
        await sleep(20);
      }
      await restart;
      const drainMs = await gw.drained();
      const stats = await wecom.stats();
      const row = { ...ledger({ accepted, messages: stats.messages }), answers: Object.fromEntries(codes), drainAfterLastMs: drainMs };
      report('2. Redis restart (AOF)', row);
      expect(codes.get(503)).toBeGreaterThan(0);
      expect([...codes.keys()].sort()).toEqual([202, 503]);
      expect(row.lost).toBe(0);
    } finally {
      await gw.stop();
      await wecom.proc.stop();
      await redis.stop().catch(() => undefined);
    }
  });

  it('3. WeCom down (refused, then 5xx, then 45009): nothing lost, retries spaced, backlog drains within the rate limit, late criticals marked', async () => {
    const wecom = await startFakeWecomProc();
    const gw = await startGateway({
      redisUrl: REDIS_URL,
      workers: 2,
      name: 'wecom',
      env: { ...appEnv(wecom.url), APP_RATE_LIMIT_PER_MIN: '100', BACKOFF_BASE_MS: '500', DELIVERY_ATTEMPTS: '30', FREQ_LIMIT_DELAY_MS: '2000', LATE_NOTICE_AFTER: '3s', LOG_LEVEL: 'warn' },
    });
    try {
      await wecom.command('down', 'refused');
      const accepted: string[] = [];
      for (let i = 0; i < 150; i++) {
        if ((await gw.post('/webhook/alertmanager', alertmanagerWebhook(i, { tag: 'wecom' }))) === 202) accepted.push(`Chaoswecom${i}x`);
      }
      await sleep(3000);
      await wecom.command('down', '5xx');
      await sleep(3000);
      await wecom.command('down', '45009');
      await sleep(3000);
      const duringOutage = await wecom.stats();
      await wecom.command('down', null);
      const recoveredAt = Date.now();
      // Past the budget the backlog waits for a storm summary a minute later: wait for it.
      let stats = await wecom.stats();
      while (ledger({ accepted, messages: stats.messages }).lost > 0 && Date.now() - recoveredAt < 150_000) {
        await sleep(500);
        stats = await wecom.stats();
      }
      const row = { ...ledger({ accepted, messages: stats.messages }), callsDuringOutage: duringOutage.sendCalls + duringOutage.gettokenCalls, messages: stats.messages.length, drainAfterRecoveryMs: Date.now() - recoveredAt };
      report('3. WeCom down', row);
      expect(row.lost).toBe(0);
      // No retry storm: 150 alerts over ~9 s of outage with exponential backoff stay far below one call per alert per 100 ms.
      expect(duringOutage.sendCalls + duringOutage.gettokenCalls).toBeLessThan(150 * 8);
      // The backlog went out within the budget: 100 a minute at most, the rest in one summary.
      const first = stats.messages[0]?.at ?? 0;
      expect(stats.messages.filter((m) => m.at - first < 60_000).length).toBeLessThanOrEqual(100);
      expect(stats.messages.some((m) => m.content.includes('风暴合并'))).toBe(true);
      expect(stats.messages.some((m) => m.content.includes('⏱️ 延迟送达'))).toBe(true);
    } finally {
      await gw.stop();
      await wecom.proc.stop();
    }
  });

  it('4. token invalidated mid-run while gettoken fails for a while: recovered, one refresher at a time', async () => {
    const wecom = await startFakeWecomProc();
    const gw = await startGateway({ redisUrl: REDIS_URL, workers: 3, name: 'token', env: { ...appEnv(wecom.url), APP_RATE_LIMIT_PER_MIN: '100000000', LOG_LEVEL: 'warn' } });
    try {
      const accepted: string[] = [];
      const send = async (from: number, to: number) => {
        for (let i = from; i < to; i += 10) {
          const batch = Array.from({ length: 10 }, (_, j) => i + j);
          const codes = await Promise.all(batch.map((n) => gw.post('/webhook/alertmanager', alertmanagerWebhook(n, { tag: 'token' }))));
          codes.forEach((c, j) => c === 202 && accepted.push(`Chaostoken${batch[j]}x`));
        }
      };
      await send(0, 200);
      await gw.drained();
      const before = (await wecom.stats()).gettokenCalls;
      await wecom.command('script', 'gettoken', [{ errcode: -1 }, { errcode: -1 }, { errcode: -1 }, { httpStatus: 502 }]);
      await wecom.command('expireTokens');
      await send(200, 400);
      await gw.drained(120_000);
      const stats = await wecom.stats();
      const row = { ...ledger({ accepted, messages: stats.messages }), gettokenBefore: before, gettokenAfter: stats.gettokenCalls };
      report('4. token invalidated, gettoken failing', row);
      expect(before).toBe(1);
      expect(row.lost).toBe(0);
      // Four scripted failures and the successful fetch; no herd of 3 replicas × 20 slots.
      expect(stats.gettokenCalls - before).toBeLessThanOrEqual(6);
    } finally {
      await gw.stop();
      await wecom.proc.stop();
    }
  });
});
