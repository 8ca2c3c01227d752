import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { RedisConnection } from '@ng/core';
import { currentRssMb } from '@ng/testkit';

/** One look at the running gateway, every SAMPLE_MS. */
export interface Sample {
  /** Seconds since the load started. */
  t: number;
  /** VmRSS of each process, MB, by name (ingest, worker-1, …). */
  rssMb: Record<string, number>;
  /** Redis INFO memory: used_memory and used_memory_rss, MB. */
  redisUsedMb: number;
  redisRssMb: number;
  /**
   * What the pending digests hold (MEMORY USAGE of their entries): each distinct problem's latest
   * alert until its digest goes out, so bounded by time (an hour, a day), not by a cap.
   */
  digestsMb: number;
  /** Webhooks posted so far, answered so far, and how many of those were not 2xx. */
  sent: number;
  answered: number;
  non2xx: number;
  /** Jobs in the alerts and deliveries queues by state. */
  queues: Record<string, Record<string, number>>;
}

export interface LoadCounters {
  sent: number;
  answered: number;
  non2xx: number;
}

const MB = 1024 * 1024;

/** MEMORY USAGE (exact) of every destination's pending hourly and daily digest, in bytes. */
export async function pendingDigestBytes(redis: RedisConnection, prefix: string): Promise<number> {
  let bytes = 0;
  for (const schedule of ['hourly', 'daily']) {
    for (const destination of await redis.smembers(`${prefix}:digest:${schedule}:destinations`)) {
      bytes += Number(await redis.memory('USAGE', `${prefix}:digest:${schedule}:${destination}`, 'SAMPLES', 0)) || 0;
    }
  }
  return bytes;
}

async function pendingDigestsMb(redis: Redis, prefix: string): Promise<number> {
  return (await pendingDigestBytes(redis, prefix)) / MB;
}

export async function redisMemory(redis: Redis): Promise<{ usedMb: number; rssMb: number }> {
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN) / MB;
  return { usedMb: field('used_memory'), rssMb: field('used_memory_rss') };
}

/**
 * Samples every `everyMs` until stopped: RSS from /proc/<pid>/status, Redis's own accounting,
 * the load's counters and the queues' counts. A sample that fails (Redis busy for a moment) is
 * skipped and counted, never invented.
 */
export function startSampler(opts: { pids: Record<string, number>; redis: Redis; prefix: string; queues: Queue[]; counters: () => LoadCounters; startedAt: number; everyMs: number }) {
  const samples: Sample[] = [];
  let missed = 0;
  const take = async (): Promise<Sample | undefined> => {
    try {
      const memory = await redisMemory(opts.redis);
      const digestsMb = await pendingDigestsMb(opts.redis, opts.prefix);
      const queues: Sample['queues'] = {};
      for (const q of opts.queues) queues[q.name] = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
      const rssMb = Object.fromEntries(Object.entries(opts.pids).map(([name, pid]) => [name, round(currentRssMb(pid))]));
      const sample: Sample = { t: round((Date.now() - opts.startedAt) / 1000), rssMb, redisUsedMb: round(memory.usedMb), redisRssMb: round(memory.rssMb), digestsMb: round(digestsMb), ...opts.counters(), queues };
      samples.push(sample);
      return sample;
    } catch {
      missed++;
      return undefined;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    pending = take();
    timer = setTimeout(tick, opts.everyMs - ((Date.now() - opts.startedAt) % opts.everyMs));
  };
  tick();
  return {
    samples,
    missed: () => missed,
    /** Stops, after one last sample (unless the last tick was just now). */
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await pending;
      const last = samples.at(-1);
      if (!last || Date.now() - opts.startedAt - last.t * 1000 > 1000) await take();
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** One sample of Prometheus' text format: name, labels, value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels match `where`. */
export function sumOf(samples: MetricSample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** Totals of a metric by one label. */
export function byLabel(samples: MetricSample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.name === name) out[s.labels[label] ?? ''] = (out[s.labels[label] ?? ''] ?? 0) + s.value;
  return out;
}

export async function scrape(url: string): Promise<MetricSample[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return parseMetrics(await res.text());
}
