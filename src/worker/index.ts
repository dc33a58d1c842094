/**
 * `startWorkers`: the map, push and dedupe consumers of one worker process. Any
 * number of such processes may run against one Redis. Processors are idempotent, so
 * a job re-run after its worker died (BullMQ stalled-job recovery) is harmless.
 * Besides the consumers, every process runs the requeue sweep (src/worker/requeue.ts),
 * those consuming `dedupe` run the periodic link pull and duplicate sweep, both under
 * Redis locks so replicas take turns, and with a metrics port it serves /metrics and
 * /health/* (src/worker/http.ts).
 */
import { Worker, Queue, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/index.js';
import type { Catalogues, SourceMapper } from '../../mappers/types.js';
import type { HoSoDon } from '../contract/schemas.js';
import { Ledger, ledgerCipherFromConfig } from '../ledger/index.js';
import { QUEUE_NAMES, BACKOFF_TYPE, BATCH_PAYLOADS, backoffDelay, batchJobName, queueSpecs, type QueueName, type QueueSpec } from '../../queues/catalog.js';
import { connectRedis, openQueues, queueCounts, findMapper, redisReady } from '../pipeline/infra.js';
import { processMap, type PushRequest } from './map.js';
import { planPushJobs } from './batches.js';
import { processPush, RetryableFailure } from '../push/processor.js';
import { withTimeout, isLastAttempt, storeMapFailure, storePushFailure, JobTimeout } from './exhausted.js';
import { scheduleRequeue, type RequeueResult } from './requeue.js';
import { startWorkerHttp, type WorkerHttp } from './http.js';
import { BatchSender, type BatchSenderOptions } from '../push/batcher.js';
import type { NationalPort } from '../push/port.js';
import { createNationalClient, type NationalClient } from '../national/client.js';
import { CatalogueStore, type CatalogueSource } from '../national/catalogue-store.js';
import { localToday } from '../push/priority.js';
import { computeLinkage } from '../dedupe/features.js';
import { registerQueueDepthSource, national429, registry } from '../metrics.js';
import { logger } from '../log/logger.js';

export interface StartWorkersOptions {
  /** National client (default: createNationalClient(cfg)). Closed by the caller when given. */
  client?: NationalPort & Partial<CatalogueSource> & { stats?: NationalClient['stats'] };
  /** Jobs in parallel per queue (a number: map/dedupe get it, push gets 2× since pushes mostly wait on the network; a batch job carries JOB_BATCH_RECORDS records). */
  concurrency?: number | Partial<Record<QueueName, number>>;
  /** Which queues this process consumes (default all). */
  queues?: readonly QueueName[];
  /** Mappers by source (before mappers/registry.ts). */
  mappers?: Record<string, SourceMapper>;
  /** Catalogues for the mappers (default: CatalogueStore over the national client, refreshed hourly). */
  catalogues?: Catalogues | (() => Promise<Catalogues>);
  /** Enqueue a dedupe job after each pushed ho-so-don (default true). */
  dedupe?: boolean;
  /** BullMQ tuning (tests lower lockDuration/stalledInterval to recover killed workers fast). */
  workerOptions?: Partial<Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'drainDelay'>>;
  batch?: BatchSenderOptions;
  now?: () => Date;
  /** Per-queue attempt timeout (default queues/catalog.ts timeoutMs; tests shorten it). */
  jobTimeoutMs?: Partial<Record<QueueName, number>>;
  /** Requeue sweep timing (default REQUEUE_INTERVAL_SEC / REQUEUE_GRACE_SEC; interval 0 = off). */
  requeue?: { everyMs?: number; graceMs?: number };
  /** Periodic duplicate link pull / sweep (default DEDUPE_*; 0 = off). Only where the dedupe queue is consumed. */
  dedupeSchedule?: { pullEveryMs?: number; sweepEveryMs?: number; sweepMax?: number; agencies?: string[] };
  /** Serve /metrics and /health/* on this port (default WORKER_METRICS_PORT; 0 = off). */
  metricsPort?: number;
}

export interface RunningWorkers {
  close(): Promise<void>;
  readonly ledger: Ledger;
  counts(): Promise<Record<string, Record<string, number>>>;
  /** Redis reachable with noeviction, and not closing. */
  ready(): Promise<{ ok: boolean; reason?: string }>;
  /** Run the requeue sweep now (under its lock); undefined when another replica holds it or the sweep is off. */
  requeueNow(): Promise<RequeueResult | undefined>;
  /** URL of the metrics/health endpoint when it is on. */
  readonly metricsUrl?: string;
}

type DedupeProcessor = (data: { tid: string; v: number; maHoSo: string }, deps: { ledger: Ledger; client: NationalPort; cfg: Config }) => Promise<unknown>;
type DedupeScheduler = (deps: { ledger: Ledger; client: unknown; cfg: Config }, opts: {
  agencies: string[] | (() => Promise<string[]>); pullEveryMs?: number; sweepEveryMs?: number; sweepMax?: number;
}) => { stop(): Promise<void> };

/** src/dedupe/processor.ts, loaded only by processes that consume the dedupe queue. */
async function loadDedupe(): Promise<{ process: DedupeProcessor; schedule: DedupeScheduler; close(): Promise<void> } | undefined> {
  try {
    const mod = await import('../dedupe/processor.js');
    return { process: mod.processDedupe as DedupeProcessor, schedule: mod.scheduleDedupe as DedupeScheduler, close: mod.closeDedupeStores };
  } catch (e) {
    logger().child({ component: 'worker' }).warn({ err: (e as Error).message }, 'dedupe processor not loadable');
    return undefined;
  }
}

/** Catalogues from the national API, cached in Redis (CatalogueStore) and refreshed hourly. */
async function defaultCatalogues(cfg: Config, client: CatalogueSource, redis: Redis): Promise<{ get(): Promise<Catalogues>; stop(): void }> {
  const store = new CatalogueStore(client, redis, cfg.KNTC_PREFIX);
  let loaded: Promise<Catalogues> | undefined;
  return {
    get: () => {
      loaded ??= store.load().then((c) => {
        store.startSchedule(3600_000);
        return c;
      }, (e: unknown) => {
        loaded = undefined; // next job tries again
        throw e;
      });
      return loaded;
    },
    stop: () => store.stop(),
  };
}

/** Collect adds from concurrent callers and send them with one addBulk per event-loop turn. */
function bulkAdder<T>(queue: Queue, toJob: (x: T) => { name: string; data: unknown; opts: JobsOptions }): (items: T[]) => Promise<void> {
  type Pending = { jobs: { name: string; data: unknown; opts: JobsOptions }[]; waiters: { resolve(): void; reject(e: unknown): void }[] };
  let pending: Pending | undefined;
  return (items) => new Promise<void>((resolve, reject) => {
    const jobs = items.map(toJob); // validates before anything is sent
    if (!pending) {
      const batch: Pending = { jobs: [], waiters: [] };
      pending = batch;
      setImmediate(() => {
        pending = undefined;
        queue.addBulk(batch.jobs).then(() => batch.waiters.forEach((w) => w.resolve()), (e: unknown) => batch.waiters.forEach((w) => w.reject(e)));
      });
    }
    pending.jobs.push(...jobs);
    pending.waiters.push({ resolve, reject });
  });
}

export async function startWorkers(cfg: Config, opts: StartWorkersOptions = {}): Promise<RunningWorkers> {
  const log = logger().child({ component: 'worker' });
  const specs = queueSpecs(cfg);
  const conn = connectRedis(cfg.REDIS_URL, { waitForever: true, name: 'kntc-worker-q' });
  const ledgerConn = connectRedis(cfg.REDIS_URL, { waitForever: true, name: 'kntc-worker-l', autoPipeline: true });
  const ledger = new Ledger(ledgerConn, cfg.KNTC_PREFIX, ledgerCipherFromConfig(cfg), opts.now);
  const producers = openQueues(cfg, conn);
  const ownClient = !opts.client;
  // NATIONAL_LIMIT_SCOPE=redis: the national limits are shared with every replica through the ledger's connection
  const client = opts.client ?? createNationalClient(cfg, { limitRedis: ledgerConn });
  const sender = new BatchSender(client, { maxInFlight: Math.max(1, cfg.NATIONAL_MAX_IN_FLIGHT), ...opts.batch });
  let stopCatalogues = (): void => undefined;
  let catalogues: () => Promise<Catalogues>;
  if (typeof opts.catalogues === 'function') catalogues = opts.catalogues;
  else if (opts.catalogues) catalogues = ((c) => async () => c)(opts.catalogues);
  else {
    if (typeof client.catalogueConditional !== 'function') throw new Error('startWorkers: give `catalogues` or a client with catalogueConditional');
    const store = await defaultCatalogues(cfg, client as CatalogueSource, ledgerConn);
    catalogues = store.get;
    stopCatalogues = store.stop;
  }
  // national 429s seen by the client (also those it retried in-call) → kntc_national_429_total
  let seen429 = client.stats?.().rateLimited ?? 0;
  const poll429 = setInterval(() => {
    const n = client.stats?.().rateLimited ?? 0;
    if (n > seen429) national429.inc(n - seen429);
    seen429 = n;
  }, 1000);
  poll429.unref();
  const now = opts.now ?? (() => new Date());
  const clock = { now, today: () => localToday(now(), cfg.TZ_OFFSET_MINUTES) };
  const linkageSecret = cfg.NATIONAL_LINKAGE_SECRET.reveal();
  const wantDedupe = opts.dedupe ?? true;
  const names = opts.queues ?? QUEUE_NAMES;
  const conc = (q: QueueName): number => {
    const c = opts.concurrency ?? cfg.WORKER_CONCURRENCY;
    if (typeof c === 'number') return q === 'push' ? c * 2 : c;
    return c[q] ?? (q === 'push' ? cfg.WORKER_CONCURRENCY * 2 : cfg.WORKER_CONCURRENCY);
  };

  // Push jobs of concurrently running single map jobs go to Redis together (one MULTI per tick);
  // each map job completes only after its own push jobs were acknowledged.
  const enqueuePushSingles = bulkAdder(producers.push, (r: PushRequest) => {
    const data = specs.push.schema.parse({ tid: r.tid, kind: r.kind, v: r.v, f: r.f });
    return { name: 'push', data, opts: { jobId: specs.push.jobId(data), priority: r.priority } };
  });
  // the pushes of a map job: packed into push jobs by urgency (src/worker/batches.ts)
  const enqueuePush = async (reqs: PushRequest[]): Promise<void> => {
    if (reqs.length <= 1) return enqueuePushSingles(reqs);
    const plan = planPushJobs(specs.push, reqs, cfg.JOB_BATCH_RECORDS);
    await ledger.setJobRefs(plan.refs);
    await producers.push.addBulk(plan.jobs);
  };
  const addDedupe = bulkAdder(producers.dedupe, (p: { tid: string; v: number; maHoSo: string }) => {
    const data = specs.dedupe.schema.parse(p);
    return { name: 'dedupe', data, opts: { jobId: specs.dedupe.jobId(data) } };
  });
  const afterPush = wantDedupe ? (p: { tid: string; v: number; maHoSo: string }): Promise<void> => addDedupe([p]) : undefined;
  const dedupe = names.includes('dedupe') ? await loadDedupe() : undefined;
  if (names.includes('dedupe') && !dedupe) log.warn('dedupe processor unavailable: dedupe jobs are acknowledged without work');

  const timeoutOf = (q: QueueName): number => opts.jobTimeoutMs?.[q] ?? specs[q].timeoutMs;
  type Attempt = { attemptsMade: number; opts: { attempts?: number } };

  // Each attempt runs under its queue's timeout INSIDE the failure handling: a timed-out or
  // failed attempt is retried by BullMQ, and the last one leaves a stored rejection with the
  // reason. The job then completes (no failed job left); only if even that cannot be stored
  // (Redis) does the job fail, and the requeue sweep gives the record a new job later.
  const mapOne = async (data: { tid: string; v: number; f: string }, job: Attempt, push: (reqs: PushRequest[]) => Promise<void>): Promise<unknown> => {
    try {
      return await withTimeout(processMap(data, {
        ledger, mapperFor: (s) => findMapper(s, opts.mappers), catalogues, clock, enqueuePush: push, log,
      }), timeoutOf('map'), 'map');
    } catch (e) {
      if (!isLastAttempt(job)) throw e;
      const attempts = job.opts.attempts ?? 1;
      try {
        if (await storeMapFailure(ledger, data, e, attempts, log)) return { outcome: 'rejected', pushes: 0, code: 'KNTC_MAP_FAILED' };
        return { outcome: 'stale', pushes: 0 };
      } catch {
        throw e;
      }
    }
  };
  const pushOne = async (data: { tid: string; kind: PushRequest['kind']; v: number }, job: Attempt): Promise<unknown> => {
    try {
      return await withTimeout(processPush({ data, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 }, {
        ledger, sender, client, log, linkage: (b: HoSoDon) => computeLinkage(b, linkageSecret), ...(afterPush ? { afterPush } : {}),
      }), timeoutOf('push'), 'push');
    } catch (e) {
      // (processPush itself turns a retryable national error on the last attempt into a rejection.)
      if (!isLastAttempt(job)) {
        if (e instanceof JobTimeout) {
          await ledger.pushResult(data.tid, data.kind, data.v, { outcome: 'retrying', error: { code: 'KNTC_PUSH_TIMEOUT', message: e.message } }).catch(() => undefined);
        }
        throw e;
      }
      try {
        const code = await storePushFailure(ledger, data, e, job.opts.attempts ?? 1, log);
        return { outcome: 'rejected', code, version: data.v };
      } catch {
        throw e;
      }
    }
  };
  /**
   * A batch job: every record as its own single job would be, concurrently (their ledger calls
   * and national writes are coalesced: src/ledger/coalesce.ts, src/push/batcher.ts). If any record
   * needs another attempt, the whole job is retried after the backoff (at least the longest
   * Retry-After any record was given); the records already done are skipped by the re-run.
   */
  async function runBatch<T>(queue: QueueName, items: T[], one: (item: T) => Promise<unknown>): Promise<{ records: number; outcomes: Record<string, number> }> {
    const settled = await Promise.allSettled(items.map(one));
    const outcomes: Record<string, number> = {};
    const errors: unknown[] = [];
    for (const r of settled) {
      if (r.status === 'rejected') errors.push(r.reason);
      else {
        const o = String((r.value as { outcome?: string } | undefined)?.outcome ?? 'done');
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
    }
    if (errors.length) {
      const retryAfter = Math.max(0, ...errors.map((e) => (e instanceof RetryableFailure ? e.retryAfterMs ?? 0 : 0)));
      const first = errors[0] as Error;
      const codes = [...new Set(errors.map((e) => (e as { code?: string }).code ?? (e as Error).name ?? 'Error'))].slice(0, 5).join(',');
      throw new RetryableFailure(errors.every((e) => e instanceof RetryableFailure) ? (first as RetryableFailure).code : 'KNTC_BATCH_RETRY',
        `${queue} batch: ${errors.length} of ${items.length} records need another attempt (${codes}): ${String(first?.message ?? first).slice(0, 200)}`, retryAfter || undefined);
    }
    return { records: items.length, outcomes };
  }

  const processors: Record<QueueName, (job: Job) => Promise<unknown>> = {
    map: async (job) => {
      if (job.name === batchJobName('map')) {
        const { items } = BATCH_PAYLOADS.map.parse(job.data);
        // the pushes of all its records are enqueued together, also when some records failed
        const reqs: PushRequest[] = [];
        const collect = async (r: PushRequest[]): Promise<void> => void reqs.push(...r);
        let failure: unknown;
        const out = await runBatch('map', items, (it) => mapOne(it, job, collect)).catch((e: unknown) => {
          failure = e;
          return undefined;
        });
        if (reqs.length) await enqueuePush(reqs);
        if (failure) throw failure;
        return { ...out, pushes: reqs.length };
      }
      return mapOne(specs.map.schema.parse(job.data), job, enqueuePush);
    },
    push: async (job) => {
      if (job.name === batchJobName('push')) {
        const { items } = BATCH_PAYLOADS.push.parse(job.data);
        return runBatch('push', items, (it) => pushOne(it, job));
      }
      return pushOne(specs.push.schema.parse(job.data), job);
    },
    dedupe: async (job) => {
      const data = specs.dedupe.schema.parse(job.data);
      if (!dedupe) return { outcome: 'no-processor' };
      return dedupe.process(data, { ledger, client, cfg });
    },
  };

  const workers: Worker[] = [];
  for (const name of names) {
    const spec = specs[name] as QueueSpec;
    const w = new Worker(name, (job) => processors[name](job), {
      connection: conn,
      prefix: cfg.KNTC_PREFIX,
      concurrency: conc(name),
      maxStalledCount: spec.maxStalledCount,
      ...opts.workerOptions,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string, err?: Error) =>
          type === BACKOFF_TYPE
            ? backoffDelay(attemptsMade, spec.backoffMs, spec.maxBackoffMs, err instanceof RetryableFailure ? err.retryAfterMs : undefined)
            : backoffDelay(attemptsMade, spec.backoffMs, spec.maxBackoffMs),
      },
    });
    w.on('failed', (job, err) => log.warn({ queue: name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.name, code: (err as { code?: string }).code }, 'job attempt failed'));
    w.on('error', (err) => log.error({ queue: name, err: err.message }, 'worker error'));
    workers.push(w);
  }
  const unregister = registerQueueDepthSource(() => queueCounts(producers));
  log.info({ queues: names, concurrency: names.map((n) => `${n}=${conc(n)}`).join(',') }, 'workers started');

  // Recovery: records stored but not moved by any job (enqueue failed after the ledger write, a
  // job lost) get their job again — at start, then periodically, one replica at a time.
  const requeueEvery = opts.requeue?.everyMs ?? cfg.REQUEUE_INTERVAL_SEC * 1000;
  const requeue = requeueEvery > 0
    ? scheduleRequeue({
      ledger, queues: { map: producers.map, push: producers.push }, specs: { map: specs.map, push: specs.push },
      today: clock.today, log, now: () => now().getTime(), redis: ledgerConn, prefix: cfg.KNTC_PREFIX,
    }, { everyMs: requeueEvery, graceMs: opts.requeue?.graceMs ?? cfg.REQUEUE_GRACE_SEC * 1000 })
    : undefined;

  // Duplicate link pull and sweep, in processes that consume the dedupe queue (one replica at a time).
  const ds = opts.dedupeSchedule;
  const pullAgencies = ds?.agencies ?? cfg.DEDUPE_PULL_AGENCIES;
  const dedupeTimer = dedupe
    ? dedupe.schedule({ ledger, client, cfg }, {
      agencies: pullAgencies.length ? pullAgencies : () => ledger.agencies(),
      pullEveryMs: ds?.pullEveryMs ?? cfg.DEDUPE_PULL_INTERVAL_SEC * 1000,
      sweepEveryMs: ds?.sweepEveryMs ?? cfg.DEDUPE_SWEEP_INTERVAL_SEC * 1000,
      sweepMax: ds?.sweepMax ?? cfg.DEDUPE_SWEEP_MAX,
    })
    : undefined;

  let closing: Promise<void> | undefined;
  const ready = async (): Promise<{ ok: boolean; reason?: string }> => (closing ? { ok: false, reason: 'shutting down' } : redisReady(ledgerConn));
  let http: WorkerHttp | undefined;
  const running: RunningWorkers = {
    ledger,
    counts: () => queueCounts(producers),
    ready,
    requeueNow: async () => requeue?.runNow(),
    get metricsUrl() {
      return http?.url;
    },
    close() {
      closing ??= (async () => {
        await http?.close().catch(() => undefined);
        await requeue?.stop();
        await dedupeTimer?.stop();
        unregister();
        clearInterval(poll429);
        stopCatalogues();
        sender.flushAll();
        // finishes in-flight jobs (their batches are sent), takes no new ones
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all(Object.values(producers).map((q: Queue) => q.close()));
        await dedupe?.close().catch(() => undefined);
        if (ownClient) await client.close().catch(() => undefined);
        for (const c of [conn, ledgerConn]) await c.quit().catch(() => c.disconnect());
        log.info('workers stopped');
      })();
      return closing;
    },
  };
  const metricsPort = opts.metricsPort ?? cfg.WORKER_METRICS_PORT;
  if (metricsPort > 0) {
    try {
      http = await startWorkerHttp({
        host: cfg.WORKER_METRICS_HOST, port: metricsPort, adminToken: cfg.KNTC_ADMIN_TOKEN.reveal(), registry, ready,
        log: logger().child({ component: 'worker-http' }),
      });
    } catch (e) {
      await running.close(); // e.g. port in use: do not leave consumers running behind a failed start
      throw e;
    }
  }
  return running;
}
