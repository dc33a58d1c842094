/**
 * Shared plumbing of the pipeline (API side) and the workers: Redis connections,
 * queue handles from the catalog, mapper lookup, queue counts.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { Queue } from 'bullmq';
import { logger } from '../log/logger.js';
import type { Config } from '../../config/index.js';
import type { SourceMapper } from '../../mappers/types.js';
import { QUEUE_NAMES, queueSpecs, jobOptions, type QueueName } from '../../queues/catalog.js';

/**
 * A Redis connection. `waitForever` (workers) waits for Redis to come back instead of
 * failing commands; the API side fails fast so a request is never acknowledged without Redis.
 */
export function connectRedis(url: string, opts: { waitForever?: boolean; name?: string; autoPipeline?: boolean } = {}): Redis {
  const o: RedisOptions = {
    maxRetriesPerRequest: opts.waitForever ? null : 2,
    // BullMQ connections stay without auto-pipelining (reported trouble); the ledger's use it.
    enableAutoPipelining: opts.autoPipeline ?? false,
    connectionName: opts.name ?? 'kntc',
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
  const r = new Redis(url, o);
  // ioredis reconnects by itself; without a listener every failed reconnect is printed as "Unhandled error event"
  r.on('error', (e: Error) => log().debug({ conn: o.connectionName, err: e.message }, 'redis connection error'));
  return r;
}
const log = () => logger().child({ component: 'redis' });

export type Queues = Record<QueueName, Queue>;

export function openQueues(cfg: Config, connection: Redis, names: readonly QueueName[] = QUEUE_NAMES): Queues {
  const specs = queueSpecs(cfg);
  const out = {} as Queues;
  for (const n of names) out[n] = new Queue(n, { connection, prefix: cfg.KNTC_PREFIX, defaultJobOptions: jobOptions(specs[n]) });
  return out;
}

/** Job counts per queue. `waiting` includes prioritized jobs (BullMQ keeps those apart). */
export async function queueCounts(queues: Partial<Queues>): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, q] of Object.entries(queues)) {
    if (!q) continue;
    const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'paused', 'waiting-children');
    out[name] = {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      failed: c.failed ?? 0,
      completed: c.completed ?? 0,
    };
  }
  return out;
}

export type JobState = 'missing' | 'alive' | 'finished';

/** Per job id: missing, still to run (waiting/delayed/active), or finished (completed/failed) — one HMGET per job, pipelined. */
export async function jobStates(queue: Queue, ids: readonly string[]): Promise<JobState[]> {
  if (ids.length === 0) return [];
  const client = (await queue.client) as unknown as Redis;
  const p = client.pipeline();
  for (const id of ids) p.hmget(queue.toKey(id), 'timestamp', 'finishedOn');
  return ((await p.exec()) ?? []).map(([err, v]) => {
    if (err) throw err;
    const [ts, fin] = v as (string | null)[];
    return !ts ? 'missing' : fin ? 'finished' : 'alive';
  });
}

/** Redis reachable AND maxmemory-policy = noeviction (queued jobs and ledger entries must never be evicted). */
export async function redisReady(redis: Redis): Promise<{ ok: boolean; reason?: string }> {
  try {
    await redis.ping();
  } catch (e) {
    return { ok: false, reason: `Redis unreachable: ${(e as Error).message}` };
  }
  try {
    const r = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = r[1];
    if (policy !== 'noeviction') return { ok: false, reason: `Redis maxmemory-policy is ${policy ?? 'unknown'}; it must be noeviction (queued jobs and ledger entries must never be evicted)` };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `cannot read Redis maxmemory-policy (CONFIG GET refused: ${(e as Error).message}); make sure it is noeviction` };
  }
}

/** The mapper of a source: test/embedding overrides first, then mappers/registry.ts. */
export async function findMapper(name: string, overrides?: Record<string, SourceMapper>): Promise<SourceMapper | undefined> {
  const o = overrides?.[name];
  if (o) return o;
  // loaded on first use: a worker that only runs injected mappers (tests) starts faster
  const { getMapper } = await import('../../mappers/registry.js');
  return getMapper(name);
}
