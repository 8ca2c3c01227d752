import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryReader, createHistoryWriter, createRedis, deliveryJobSchema, listedAlert, renderMessage, summarizeDigest, summarizeStorm, LIST_ITEMS_CARRIED, type Alert, type DeliveryJobData, type Message } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { manualClock } from '../src/clock';
import { createDigestFlush } from '../src/clock/digest-flush';
import { createStormFlush } from '../src/clock/storm-flush';
import type { PlannedDelivery } from '../src/deliver/enqueue';
import { createDigestStore } from '../src/store/digests';
import { createProblemStore } from '../src/store/problems';
import { createStormStore } from '../src/store/storm';
import { criticalAlert } from './support/alerts';
import { collect, REDIS_URL, uniquePrefix } from './support/harness';

/** Digests and storm summaries at the size a busy hour leaves them, on the worker's own kind of connection. */
const seed = createRedis(REDIS_URL, 'worker');
// As the worker's stores talk to Redis: auto-pipelined.
const state = createRedis(REDIS_URL, 'worker', { enableAutoPipelining: true });
const prefixes: string[] = [];
afterAll(async () => {
  seed.disconnect();
  state.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

const BUSY_HOUR = 100_000;
const severityOf = (n: number): Alert['severity'] => (n % 997 === 0 ? 'critical' : n % 3 ? 'warning' : 'info');
const pendingAlert = (n: number) => criticalAlert(n, { severity: severityOf(n), service: `svc${n % 13}`, count: 1 + (n % 5) });

function setup() {
  const prefix = uniquePrefix('list-flush');
  prefixes.push(prefix);
  const clock = manualClock(Date.parse('2026-12-04T06:00:00Z'));
  const queued: PlannedDelivery[] = [];
  const deps = {
    digests: createDigestStore({ redis: state, prefix }),
    storm: createStormStore({ redis: state, prefix, clock }),
    problems: createProblemStore({ redis: state, prefix, dedupWindowMs: () => 600_000, clock, maxProblems: 1000 }),
    history: createHistoryWriter({ redis: state, prefix, retentionMs: 86_400_000, maxAlerts: 1_000_000 }),
    enqueueDeliveries: async (planned: PlannedDelivery[]) => void queued.push(...planned),
    clock,
    tz: 'Asia/Shanghai',
  };
  return { prefix, queued, deps };
}

/** A delivery as the worker will read it: through the queue contract. */
function checked(data: DeliveryJobData): DeliveryJobData {
  const { error, value } = deliveryJobSchema.validate(JSON.parse(JSON.stringify(data)));
  expect(error).toBeUndefined();
  return value;
}

const robotCard = (message: Message) => renderMessage(message as Exclude<Message, { kind: 'card-update' }>, { format: 'markdown', budgetBytes: 4096, tz: 'Asia/Shanghai', now: 0, lateNoticeAfterMs: 0, link: 'https://gw.example.com/console/lists/x' });

describe('digest flush', () => {
  it(`a digest of ${BUSY_HOUR.toLocaleString('en')} pending problems: a delivery of the worst ${LIST_ITEMS_CARRIED} and the counts, the same card as all of them, every alert on its page`, async () => {
    const { prefix, queued, deps } = setup();
    const entries = `${prefix}:digest:hourly:ops`;
    const all: Alert[] = [];
    for (let n = 0; n < BUSY_HOUR; n += 1000) {
      const slice = Array.from({ length: 1000 }, (_, i) => pendingAlert(n + i));
      all.push(...slice);
      await seed.hset(entries, ...slice.flatMap((a) => [a.key, JSON.stringify(a)]));
    }
    await seed.sadd(`${prefix}:digest:hourly:destinations`, 'ops');

    const flush = createDigestFlush(deps);
    expect(await flush('hourly')).toEqual({ digests: 1, alerts: BUSY_HOUR });
    expect(queued).toHaveLength(1);
    const { message } = checked(queued[0].data);
    if (message.kind !== 'digest') throw new Error(`expected a digest, got ${message.kind}`);
    expect(message).toMatchObject({ problems: BUSY_HOUR, occurrences: all.reduce((sum, a) => sum + a.count!, 0) });
    expect(message.items).toHaveLength(LIST_ITEMS_CARRIED);
    expect(new Set(message.items.map((i) => i.alert.severity))).toEqual(new Set(['critical', 'warning']));
    // What it carries is bounded by the card, not by the hour (each alert is about 0.5 KB).
    expect(JSON.stringify(queued[0].data).length).toBeLessThan(250_000);
    // The card is the one carrying every problem would give.
    const everything = summarizeDigest(all.map((alert) => ({ alert, totals: { count: alert.count! } })), Infinity);
    expect(robotCard(message)).toEqual(robotCard({ ...message, ...everything }));
    // Every alert is on the digest's page, once; nothing is left pending.
    expect(await createHistoryReader({ redis: seed, prefix }).list(message.listId!, { offset: 0, limit: 0 })).toMatchObject({ kind: 'digest', total: BUSY_HOUR });
    const listed = await seed.lrange(`${prefix}:h:l:${message.listId}:ids`, 0, -1);
    expect(listed).toHaveLength(BUSY_HOUR);
    expect(new Set(listed)).toEqual(new Set(all.map((a) => a.idempotencyKey)));
    // The page starts with what the card showed, in its order.
    expect(listed.slice(0, LIST_ITEMS_CARRIED)).toEqual(message.items.map((i) => i.alert.idempotencyKey));
    expect(await seed.exists(entries, `${entries}:taken`, `${entries}:taken:id`)).toBe(0);
    expect(await deps.digests.destinations('hourly')).toEqual([]);
  });

  it('a flush that dies before settling is redone under the same job id; what arrives during a flush waits for the next digest', async () => {
    const { prefix, queued, deps } = setup();
    for (let n = 0; n < 2500; n++) await deps.digests.add('ops', 'hourly', pendingAlert(n));
    const newer = { ...pendingAlert(7), status: 'resolved' as const };
    let settles = 0;
    const digests = {
      ...deps.digests,
      async settle(...args: Parameters<typeof deps.digests.settle>) {
        // The first attempt dies after queueing, before settling (kill -9); meanwhile problem 7 resolves.
        if (settles++ === 0) {
          await deps.digests.add('ops', 'hourly', newer);
          throw new Error('killed');
        }
        await deps.digests.settle(...args);
      },
    };
    const flush = createDigestFlush({ ...deps, digests });
    await expect(flush('hourly')).rejects.toThrow('killed');
    // The retry queues what the dead flush took under its job id, then the resolution on its own.
    await expect(flush('hourly')).resolves.toEqual({ digests: 2, alerts: 2501 });
    const [first, again, next] = queued.map((q) => checked(q.data).message);
    expect(queued.map((q) => q.jobId)).toEqual([queued[0].jobId, queued[0].jobId, expect.not.stringMatching(queued[0].jobId!)]);
    expect(again).toEqual(first);
    expect(next).toMatchObject({ kind: 'digest', problems: 1, items: [{ alert: { key: newer.key, idempotencyKey: newer.idempotencyKey, status: 'resolved' } }] });
    // The redone digest's page lists each alert once.
    expect(await seed.llen(`${prefix}:h:l:${queued[0].jobId}:ids`)).toBe(2500);
    expect(await deps.digests.destinations('hourly')).toEqual([]);
    expect(await seed.keys(`${prefix}:digest:*`)).toEqual([]);
    await expect(flush('hourly')).resolves.toEqual({ digests: 0, alerts: 0 });
  });
});

describe('storm flush', () => {
  it('a storm of 20,000 alerts in 400 groups: the worst groups and the count, the same card as all of them; what came meanwhile is the next summary', async () => {
    const { queued, deps } = setup();
    const scheduled: string[] = [];
    const latecomer = criticalAlert(99_999, { labels: { alertname: 'Late' } });
    const storm = {
      ...deps.storm,
      // An alert joins the buffer while the summary reads it.
      async *scan(destinationId: string) {
        let first = true;
        for await (const slice of deps.storm.scan(destinationId)) {
          yield slice;
          if (first) await deps.storm.add(destinationId, latecomer);
          first = false;
        }
      },
    };
    const flush = createStormFlush({ ...deps, storm, scheduleSummary: async (d) => void scheduled.push(d) });
    const alerts = Array.from({ length: 20_000 }, (_, n) =>
      criticalAlert(n, { severity: severityOf(n), labels: { alertname: `Storm${n % 400}` }, status: n % 7 ? 'firing' : 'resolved', receivedAt: new Date(Date.UTC(2026, 11, 4, 6, 0, n % 60)).toISOString() }),
    );
    for (const alert of alerts) await deps.storm.add('ops', alert);
    // A decision retried after a crash buffered one alert twice: it is counted once.
    await deps.storm.add('ops', alerts[5]);

    expect(await flush('ops')).toEqual({ alerts: 20_000 });
    const { message } = checked(queued[0].data);
    if (message.kind !== 'storm' || !('groups' in message)) throw new Error('expected a storm summary of groups');
    expect(message).toMatchObject({ alerts: 20_000, windowStart: '2026-12-04T06:00:00.000Z', windowEnd: '2026-12-04T06:00:59.000Z' });
    expect(message.groups).toHaveLength(LIST_ITEMS_CARRIED);
    const everything = summarizeStorm(alerts.map((alert) => ({ alert, totals: { count: alert.count ?? 1 } })), Infinity);
    expect(everything.groups).toHaveLength(400);
    expect(robotCard(message)).toEqual(robotCard({ ...message, ...everything }));
    expect(await collect(deps.storm.scan('ops'))).toEqual([listedAlert(latecomer)]);
    expect(scheduled).toEqual(['ops']);
  });
});
