import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '@ng/core';
import { dropPrefix } from '@ng/testkit';
import { createDigestStore } from '../src/store/digests';
import { REDIS_URL, uniquePrefix } from './support/harness';

/** The pending digests at the size a busy hour leaves them, on the worker's own kind of connection. */
const seed = createRedis(REDIS_URL, 'worker');
// As the worker's stores talk to Redis: auto-pipelined.
const state = createRedis(REDIS_URL, 'worker', { enableAutoPipelining: true });
const prefix = uniquePrefix('digest-store');
afterAll(async () => {
  seed.disconnect();
  state.disconnect();
  await dropPrefix(prefix);
});

describe('digest store', () => {
  it('settles a digest of 100,000 pending problems (one call that size crashed the worker inside ioredis)', async () => {
    const digests = createDigestStore({ redis: state, prefix });
    const entries = `${prefix}:digest:hourly:ops`;
    for (let n = 0; n < 100_000; n += 1000) {
      const fields = Array.from({ length: 1000 }, (_, i) => [`am:problem-${n + i}`, JSON.stringify({ key: `am:problem-${n + i}` })]).flat();
      await seed.hset(entries, ...fields);
    }
    await seed.sadd(`${prefix}:digest:hourly:destinations`, 'ops');
    // A newer message about one problem arrives between the read and the settle: it waits for the next digest.
    const pending = await digests.peek('ops', 'hourly');
    expect(pending.alerts).toHaveLength(100_000);
    await seed.hset(entries, 'am:problem-7', JSON.stringify({ key: 'am:problem-7', status: 'resolved' }));
    await digests.settle('ops', 'hourly', pending.entries);
    expect(await seed.hkeys(entries)).toEqual(['am:problem-7']);
    expect(await digests.destinations('hourly')).toEqual(['ops']);
    await digests.settle('ops', 'hourly', (await digests.peek('ops', 'hourly')).entries);
    expect(await seed.exists(entries)).toBe(0);
    expect(await digests.destinations('hourly')).toEqual([]);
  });
});
