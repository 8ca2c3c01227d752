import type { RedisConnection } from './redis';

/**
 * Redis full: with maxmemory set and the noeviction policy BullMQ needs, Redis refuses every
 * write once its memory is used up. Webhooks then get 503 (their senders retry); this module
 * lets /ready, the log and the metrics say why.
 */
export interface RedisMemory {
  usedBytes: number;
  /** 0 = no limit. */
  maxBytes: number;
  policy: string;
  /** Writes are refused: used memory has reached maxmemory. */
  full: boolean;
}

const field = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/** INFO memory of the server (a Cluster answers from one node). */
export async function readRedisMemory(redis: RedisConnection): Promise<RedisMemory> {
  const info = await redis.info('memory');
  const usedBytes = Number(field(info, 'used_memory') ?? 0);
  const maxBytes = Number(field(info, 'maxmemory') ?? 0);
  // Buffers Redis keeps for replicas and the AOF do not count towards the limit.
  const notCounted = Number(field(info, 'mem_not_counted_for_evict') ?? 0);
  return { usedBytes, maxBytes, policy: field(info, 'maxmemory_policy') ?? '', full: maxBytes > 0 && usedBytes - notCounted >= maxBytes };
}

/**
 * Redis's answer to a write it refused for memory: the error code OOM starts the reply. Inside
 * a MULTI (BullMQ's addBulk) it comes as EXECABORT with the OOM among ioredis' previousErrors.
 */
export function isRedisOutOfMemory(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const previous = (err as { previousErrors?: unknown[] }).previousErrors ?? [];
  return err.message.startsWith('OOM ') || previous.some(isRedisOutOfMemory);
}

const MB = 1024 * 1024;

/** One line for /ready and the log: what is full, and what to do about it. */
export function describeRedisFull(memory: Pick<RedisMemory, 'usedBytes' | 'maxBytes' | 'policy'>): string {
  return `Redis is full: used_memory ${(memory.usedBytes / MB).toFixed(1)} MB of maxmemory ${(memory.maxBytes / MB).toFixed(1)} MB (policy ${memory.policy || 'unknown'}); webhooks get 503 until workers drain the queues or maxmemory is raised`;
}
