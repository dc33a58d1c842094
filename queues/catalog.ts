/**
 * The one catalog of the connector's queues. Every queue's payload schema, retry
 * policy and retention lives here, and every producer/consumer goes through it.
 *
 * Payloads carry references only (the ledger tracking id, a record kind and a
 * version) — never personal data: the content stays encrypted in the ledger.
 * Job ids are deterministic, so a retried enqueue collapses onto the job that
 * already exists instead of doubling the work.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DefaultJobOptions, KeepJobs } from 'bullmq';
import type { Config } from '../config/index.js';

export const QUEUE_NAMES = ['map', 'push', 'dedupe'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const TrackingId = z.string().regex(/^[a-z2-7]{20}$/);
const Kind = z.enum(['ho-so-don', 'luot-tiep']);
const Version = z.number().int().min(1);
/** First 12 hex of the ledger's keyed fingerprint of the raw content: same version, other content → another job. */
const Fingerprint = z.string().regex(/^[0-9a-f]{12}$/);

/** Records one batch job may carry (the national batch endpoint's limit, contract §4). */
export const BATCH_JOB_MAX = 100;

const MapItem = z.strictObject({ tid: TrackingId, v: Version, f: Fingerprint });
const PushItem = z.strictObject({ tid: TrackingId, kind: Kind, v: Version, f: Fingerprint });

export const PAYLOADS = {
  /** Map the ledger's latest raw record (if it is still version `v`). */
  map: MapItem,
  /** Push the ledger's latest mapped record of `kind` (at least version `v`). */
  push: PushItem,
  /** Duplicate search for a pushed ho-so-don. */
  dedupe: z.strictObject({ tid: TrackingId, v: Version, maHoSo: z.string().min(1).max(200) }),
} as const;
export type Payload<Q extends QueueName> = z.infer<(typeof PAYLOADS)[Q]>;

/**
 * Batch jobs (job name `<queue>-batch`): the same references for up to BATCH_JOB_MAX records, one
 * BullMQ job for all of them. The normal path uses them (an accepted chunk of records is one map
 * job, a mapped chunk one push job per priority band), since a job's own cost in Redis and in the
 * worker is most of what a record costs otherwise. Each record is processed exactly as its single
 * job would process it; the job as a whole retries while any of its records needs another attempt
 * (records already done are skipped on the re-run: the ledger says so). Single jobs (the payloads
 * above) remain for the requeue sweep and for one-record submissions.
 */
export const BATCH_PAYLOADS = {
  map: z.strictObject({ items: z.array(MapItem).min(1).max(BATCH_JOB_MAX) }),
  push: z.strictObject({ items: z.array(PushItem).min(1).max(BATCH_JOB_MAX) }),
} as const;
export type BatchQueueName = keyof typeof BATCH_PAYLOADS;
export type BatchPayload<Q extends BatchQueueName> = z.infer<(typeof BATCH_PAYLOADS)[Q]>;
export const batchJobName = (q: BatchQueueName): string => `${q}-batch`;

/**
 * Deterministic id of a batch job: the queue and the single job ids of its records, hashed. The same
 * records re-enqueued (a retried accept, a re-run map job) collapse onto the job that exists.
 */
export function batchJobId(q: BatchQueueName, singleIds: readonly string[]): string {
  return `${q[0]}b-${createHash('sha256').update(singleIds.join('\n')).digest('base64url').slice(0, 24)}`;
}

/** Name of the custom backoff (exponential + full jitter, at least the server's Retry-After). */
export const BACKOFF_TYPE = 'kntc-exp-jitter';

export interface QueueSpec<Q extends QueueName = QueueName> {
  name: Q;
  schema: (typeof PAYLOADS)[Q];
  /** What the queue is for (operators, README). */
  doc: string;
  attempts: number;
  backoffMs: number;
  /** Upper bound of one backoff delay. */
  maxBackoffMs: number;
  /** A processor run longer than this fails the attempt (it is retried). */
  timeoutMs: number;
  removeOnComplete: KeepJobs;
  removeOnFail: KeepJobs;
  /** How many times a job may be found stalled (its worker died) before it fails. Stalled jobs are re-run: processors are idempotent. */
  maxStalledCount: number;
  /** Deterministic job id. */
  jobId(p: Payload<Q>): string;
}

export function queueSpecs(cfg: Pick<Config, 'JOB_ATTEMPTS' | 'JOB_BACKOFF_MS'>): { [Q in QueueName]: QueueSpec<Q> } {
  const keepDone: KeepJobs = { age: 3600, count: 20000 };
  const keepFailed: KeepJobs = { age: 7 * 24 * 3600 };
  return {
    // A map job fails only for causes outside the record (the mapper is pure, and a mapping
    // error is a stored rejection): national catalogues unreachable before the first load,
    // Redis, the ledger key. All transient, so a map job gets the same retry budget as a push
    // job; when it is used up the version becomes a stored KNTC_MAP_FAILED rejection.
    map: {
      name: 'map', schema: PAYLOADS.map, doc: 'Map a received raw record to national records (pure, local).',
      attempts: cfg.JOB_ATTEMPTS, backoffMs: cfg.JOB_BACKOFF_MS, maxBackoffMs: 15 * 60_000, timeoutMs: 60_000,
      removeOnComplete: keepDone, removeOnFail: keepFailed, maxStalledCount: 1000,
      jobId: (p) => `m-${p.tid}-${p.v}-${p.f}`,
    },
    push: {
      name: 'push', schema: PAYLOADS.push, doc: 'Send the latest mapped version of one national record (create/update, batched).',
      attempts: cfg.JOB_ATTEMPTS, backoffMs: cfg.JOB_BACKOFF_MS, maxBackoffMs: 15 * 60_000, timeoutMs: 5 * 60_000,
      removeOnComplete: keepDone, removeOnFail: keepFailed, maxStalledCount: 1000,
      jobId: (p) => `p-${p.tid}-${p.kind}-${p.v}-${p.f}`,
    },
    dedupe: {
      name: 'dedupe', schema: PAYLOADS.dedupe, doc: 'Look for duplicates of a pushed ho-so-don (src/dedupe).',
      attempts: cfg.JOB_ATTEMPTS, backoffMs: cfg.JOB_BACKOFF_MS, maxBackoffMs: 15 * 60_000, timeoutMs: 5 * 60_000,
      removeOnComplete: keepDone, removeOnFail: keepFailed, maxStalledCount: 1000,
      jobId: (p) => `d-${p.tid}-${p.v}`,
    },
  };
}

/** BullMQ default job options of a queue. */
export function jobOptions(spec: QueueSpec): DefaultJobOptions {
  return {
    attempts: spec.attempts,
    backoff: { type: BACKOFF_TYPE, delay: spec.backoffMs },
    removeOnComplete: spec.removeOnComplete,
    removeOnFail: spec.removeOnFail,
  };
}

/**
 * Exponential backoff with full jitter in [d/2, d], d = base·2^(attempt-1) capped,
 * and never shorter than the server's Retry-After when the error carries one.
 */
export function backoffDelay(attemptsMade: number, baseMs: number, maxMs: number, retryAfterMs?: number, rnd: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.floor(d / 2 + rnd() * (d / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Validate a payload before it is enqueued (and when a job is picked up). */
export function parsePayload<Q extends QueueName>(specs: { [K in QueueName]: QueueSpec<K> }, q: Q, data: unknown): Payload<Q> {
  return specs[q].schema.parse(data) as Payload<Q>;
}
