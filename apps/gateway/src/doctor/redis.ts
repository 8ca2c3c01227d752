import { checkRedis, type Config } from '@ng/core';
import { MEMORY_WARN_SHARE } from '@ng/worker';
import type { Row } from './row';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Redis as the gateway needs it: reachable and writable (the start-up check itself), never
 * evicting a queued alert, keeping accepted alerts across a restart, and not near full.
 */
export async function redisRows(config: Config): Promise<Row[]> {
  const redis = await checkRedis(config.redisUrl, { prefix: config.queuePrefix, waitMs: 0 });
  if (!redis.ok) return [{ check: 'Redis', status: 'fail', found: redis.problem.cause, fix: redis.problem.fix }];
  const f = redis.facts;
  const rows: Row[] = [{ check: 'Redis', status: 'ok', found: `${redis.target}: Redis ${f.version} (${f.mode}), a test key written and deleted` }];
  rows.push(
    f.maxmemoryPolicy === 'noeviction'
      ? { check: 'Redis eviction', status: 'ok', found: 'maxmemory-policy noeviction: a queued alert is never evicted' }
      : {
          check: 'Redis eviction',
          status: 'fail',
          found: `maxmemory-policy ${f.maxmemoryPolicy}: when memory runs short Redis may delete queued alerts`,
          fix: 'redis-cli CONFIG SET maxmemory-policy noeviction, and maxmemory-policy noeviction in redis.conf (docker-compose.yml sets it)',
        },
  );
  rows.push(
    f.aof
      ? { check: 'Redis persistence', status: 'ok', found: 'appendonly yes: accepted alerts survive a Redis restart' }
      : {
          check: 'Redis persistence',
          status: 'warn',
          found: 'appendonly no: alerts accepted (202) but not yet sent are lost if Redis restarts',
          fix: 'appendonly yes and appendfsync everysec (redis.conf, or CONFIG SET; docker-compose.yml sets them)',
        },
  );
  const share = f.maxmemory ? f.usedMemory / f.maxmemory : 0;
  rows.push(
    share > MEMORY_WARN_SHARE
      ? { check: 'Redis memory', status: 'warn', found: `${mb(f.usedMemory)} used of maxmemory ${mb(f.maxmemory)}`, fix: 'raise maxmemory, or empty the failed set (Bull Board)' }
      : { check: 'Redis memory', status: 'ok', found: `${mb(f.usedMemory)} used${f.maxmemory ? ` of maxmemory ${mb(f.maxmemory)}` : ', no maxmemory limit'}` },
  );
  return rows;
}
