/**
 * How records are packed into jobs (queues/catalog.ts BATCH_PAYLOADS): pure planning, so the
 * ingest side, the map workers and the tests agree. A chunk of one record is a single job; more
 * are a batch job whose id is derived from its records' single job ids (deterministic, so the
 * same records enqueued again collapse onto one job).
 */
import type { JobsOptions } from 'bullmq';
import type { RecordKind } from '../contract/schemas.js';
import { BATCH_JOB_MAX, BATCH_PAYLOADS, batchJobId, batchJobName, type QueueSpec } from '../../queues/catalog.js';

export interface PlannedJob { name: string; data: unknown; opts: JobsOptions & { jobId: string } }
export interface JobRef { tid: string; kind?: RecordKind; jobId: string }
export interface Plan { jobs: PlannedJob[]; refs: JobRef[] }

/** Map jobs for records in arrival order, up to `max` per job. */
export function planMapJobs(spec: QueueSpec<'map'>, items: readonly { tid: string; v: number; f: string }[], max = BATCH_JOB_MAX): Plan {
  const jobs: PlannedJob[] = [];
  const refs: JobRef[] = [];
  max = Math.max(1, Math.min(BATCH_JOB_MAX, max));
  for (let i = 0; i < items.length; i += max) {
    const chunk = items.slice(i, i + max).map((d) => spec.schema.parse(d));
    if (chunk.length === 1) {
      jobs.push({ name: 'map', data: chunk[0], opts: { jobId: spec.jobId(chunk[0]!) } });
      continue;
    }
    const jobId = batchJobId('map', chunk.map((d) => spec.jobId(d)));
    jobs.push({ name: batchJobName('map'), data: BATCH_PAYLOADS.map.parse({ items: chunk }), opts: { jobId } });
    for (const d of chunk) refs.push({ tid: d.tid, jobId });
  }
  return { jobs, refs };
}

/**
 * Push jobs, most urgent first (statutory clock, src/push/priority.ts), up to `max` per job, each
 * job at the priority of its most urgent record: a record near its deadline never waits behind a
 * less urgent job, and at worst rides ahead of its own urgency with more urgent company.
 */
export function planPushJobs(spec: QueueSpec<'push'>, reqs: readonly { tid: string; kind: RecordKind; v: number; f: string; priority: number }[], max = BATCH_JOB_MAX): Plan {
  const sorted = [...reqs].sort((a, b) => a.priority - b.priority);
  max = Math.max(1, Math.min(BATCH_JOB_MAX, max));
  const jobs: PlannedJob[] = [];
  const refs: JobRef[] = [];
  for (let i = 0; i < sorted.length; i += max) {
    const chunk = sorted.slice(i, i + max);
    const priority = chunk[0]!.priority;
    const items = chunk.map((r) => spec.schema.parse({ tid: r.tid, kind: r.kind, v: r.v, f: r.f }));
    if (items.length === 1) {
      jobs.push({ name: 'push', data: items[0], opts: { jobId: spec.jobId(items[0]!), priority } });
      continue;
    }
    const jobId = batchJobId('push', items.map((d) => spec.jobId(d)));
    jobs.push({ name: batchJobName('push'), data: BATCH_PAYLOADS.push.parse({ items }), opts: { jobId, priority } });
    for (const d of items) refs.push({ tid: d.tid, kind: d.kind, jobId });
  }
  return { jobs, refs };
}
