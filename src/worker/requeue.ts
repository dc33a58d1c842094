/**
 * The requeue sweep: the recovery for a record that the ledger holds but no job will move.
 *
 * Storing a record (ledger.gate) and enqueueing its map job (addBulk) are two Redis calls;
 * when the second fails the caller is told 503, but the record is stored and nothing works
 * on it. Likewise a job can vanish or end without settling its record (a failed job whose
 * rejection could not be stored, a job removed by hand). The sweep reads the ledger's open
 * index (records neither pushed nor rejected, by last state change), and for each one that
 * has not moved for `graceMs` and whose job is missing or finished, enqueues the job again
 * under the same deterministic id (content fingerprint), so a race with the normal path
 * collapses onto one job. A record carried by a batch job (queues/catalog.ts) has no single job
 * of its id: the ledger remembers the batch job's id (mj / pj:kind), and while that job lives the
 * record is left alone. Processors are idempotent, so a job re-added needlessly is harmless.
 */
import type { Logger } from 'pino';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Ledger, OpenRecord } from '../ledger/index.js';
import type { QueueSpec } from '../../queues/catalog.js';
import { pushPriority } from '../push/priority.js';
import { withRedisLock } from '../pipeline/lock.js';
import { jobStates, type JobState } from '../pipeline/infra.js';

export interface RequeueDeps {
  ledger: Ledger;
  queues: { map: Queue; push: Queue };
  specs: { map: QueueSpec<'map'>; push: QueueSpec<'push'> };
  /** Local date for push priorities. */
  today(): string;
  log: Logger;
  now?: () => number;
}

export interface RequeueResult {
  /** Open records older than the grace period that were looked at. */
  checked: number;
  /** Jobs enqueued again. */
  map: number;
  push: number;
}

const PAGE = 500;

/** One pass over the open records that have not moved for `graceMs`. */
export async function requeueSweep(d: RequeueDeps, opts: { graceMs: number }): Promise<RequeueResult> {
  const before = (d.now ?? Date.now)() - opts.graceMs;
  const out: RequeueResult = { checked: 0, map: 0, push: 0 };
  for (let offset = 0; ; offset += PAGE) {
    const recs = await d.ledger.openRecords(before, offset, PAGE);
    if (recs.length === 0) break;
    out.checked += recs.length;
    const maps: { rec: OpenRecord; data: { tid: string; v: number; f: string }; id: string; batch?: string }[] = [];
    const pushes: { rec: OpenRecord; data: { tid: string; kind: OpenRecord['pending'][number]['kind']; v: number; f: string }; id: string; batch?: string }[] = [];
    for (const rec of recs) {
      if (rec.state === 'received') {
        if (!rec.fingerprint) continue; // raw gone: nothing to map
        const data = { tid: rec.trackingId, v: rec.latest, f: rec.fingerprint.slice(0, 12) };
        maps.push({ rec, data, id: d.specs.map.jobId(data), ...(rec.mapBatchJob ? { batch: rec.mapBatchJob } : {}) });
      } else {
        for (const p of rec.pending) {
          const data = { tid: rec.trackingId, kind: p.kind, v: p.v, f: p.f };
          pushes.push({ rec, data, id: d.specs.push.jobId(data), ...(p.batchJob ? { batch: p.batchJob } : {}) });
        }
      }
    }
    out.map += await requeue(d, d.queues.map, maps, async (m) => ({ name: 'map', data: d.specs.map.schema.parse(m.data), opts: { jobId: m.id } }));
    out.push += await requeue(d, d.queues.push, pushes, async (m) => {
      const snap = await d.ledger.loadForPush(m.data.tid, m.data.kind);
      if (!snap?.body) return undefined;
      return { name: 'push', data: d.specs.push.schema.parse(m.data), opts: { jobId: m.id, priority: pushPriority(m.data.kind, snap.body, d.today()) } };
    });
    if (recs.length < PAGE) break;
  }
  if (out.map + out.push > 0) d.log.warn(out, 'requeue sweep: re-enqueued jobs of records that no job was moving');
  else d.log.debug(out, 'requeue sweep: nothing to do');
  return out;
}

async function requeue<T extends { id: string; batch?: string }>(
  d: RequeueDeps, queue: Queue, items: T[],
  toJob: (x: T) => Promise<{ name: string; data: unknown; opts: { jobId: string; priority?: number } } | undefined>,
): Promise<number> {
  const states = await jobStates(queue, items.map((i) => i.id));
  // the batch job that last carried the record (ledger setJobRefs): while it lives, so does the record's job
  const withBatch = items.filter((i) => i.batch);
  const batchStates = new Map<string, JobState>();
  (await jobStates(queue, withBatch.map((i) => i.batch!))).forEach((st, n) => batchStates.set(withBatch[n]!.batch!, st));
  const jobs: { name: string; data: unknown; opts: { jobId: string; priority?: number } }[] = [];
  for (const [n, item] of items.entries()) {
    const st = states[n];
    if (st === 'alive' || (item.batch && batchStates.get(item.batch) === 'alive')) continue;
    // A finished job whose record did not move is re-run: remove it, or BullMQ ignores the same id.
    if (st === 'finished' && (await queue.remove(item.id)) !== 1) continue;
    const job = await toJob(item);
    if (job) jobs.push(job);
  }
  if (jobs.length) await queue.addBulk(jobs);
  d.log.debug({ queue: queue.name, looked: items.length, added: jobs.length }, 'requeue sweep page');
  return jobs.length;
}

/**
 * Run the sweep now and then every `everyMs`, under a Redis lock so replicas never sweep at the
 * same time (a replica that finds the lock taken skips its turn). `stop()` waits for a run in progress.
 */
export function scheduleRequeue(d: RequeueDeps & { redis: Redis; prefix: string }, opts: { everyMs: number; graceMs: number; lockTtlMs?: number }): { stop(): Promise<void>; runNow(): Promise<RequeueResult | undefined> } {
  let running: Promise<RequeueResult | undefined> | undefined;
  let stopped = false;
  const run = (): Promise<RequeueResult | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    running ??= withRedisLock(d.redis, `${d.prefix}:lock:requeue`, opts.lockTtlMs ?? 60_000, () => requeueSweep(d, opts))
      .then((r) => (r.ran ? r.value : undefined), (e: unknown) => {
        d.log.warn({ errName: (e as Error).name, errCode: (e as { code?: string }).code }, 'requeue sweep failed (next run retries)');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), Math.max(1, opts.everyMs));
  timer.unref();
  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
