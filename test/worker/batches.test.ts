/** Packing records into jobs (src/worker/batches.ts): sizes, deterministic ids, urgency. */
import { describe, it, expect } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { queueSpecs, BATCH_JOB_MAX } from '../../queues/catalog.js';
import { trackingIdOf } from '../../src/ledger/index.js';
import { planMapJobs, planPushJobs } from '../../src/worker/batches.js';

const specs = queueSpecs(loadConfig({}, {}));
const tid = (i: number) => trackingIdOf('qldt', 'A', `R-${i}`);
const mapItems = (n: number, from = 0) => Array.from({ length: n }, (_x, i) => ({ tid: tid(from + i), v: 1, f: '0123456789ab' }));
const items = (data: unknown): unknown[] => (data as { items: unknown[] }).items;

describe('map jobs', () => {
  it('packs up to BATCH_JOB_MAX records per job in arrival order; one record is a single job', () => {
    const p = planMapJobs(specs.map, mapItems(2 * BATCH_JOB_MAX + 1));
    expect(p.jobs.map((j) => j.name)).toEqual(['map-batch', 'map-batch', 'map']);
    expect(p.jobs.map((j) => (j.name === 'map' ? 1 : items(j.data).length))).toEqual([BATCH_JOB_MAX, BATCH_JOB_MAX, 1]);
    expect(items(p.jobs[0]!.data)[0]).toEqual(mapItems(1)[0]);
    expect(p.jobs[2]!.opts.jobId).toBe(specs.map.jobId(mapItems(1, 2 * BATCH_JOB_MAX)[0]!));
    // every batched record points at its job; the single one needs no pointer (its id is its own)
    expect(p.refs).toHaveLength(2 * BATCH_JOB_MAX);
    expect(new Set(p.refs.slice(0, BATCH_JOB_MAX).map((r) => r.jobId))).toEqual(new Set([p.jobs[0]!.opts.jobId]));
  });

  it('the same records give the same job id (a retried accept collapses); other records or versions another', () => {
    const a = planMapJobs(specs.map, mapItems(5)).jobs[0]!.opts.jobId;
    expect(planMapJobs(specs.map, mapItems(5)).jobs[0]!.opts.jobId).toBe(a);
    expect(planMapJobs(specs.map, mapItems(5, 1)).jobs[0]!.opts.jobId).not.toBe(a);
    expect(planMapJobs(specs.map, mapItems(5).map((x, i) => (i === 4 ? { ...x, v: 2 } : x))).jobs[0]!.opts.jobId).not.toBe(a);
  });

  it('refuses anything but references (the batch payload schema)', () => {
    expect(() => planMapJobs(specs.map, [...mapItems(1), { ...mapItems(1, 1)[0]!, hoTen: 'Nguyễn Văn An' } as never])).toThrow();
  });
});

describe('push jobs', () => {
  const reqs = (prios: number[]) => prios.map((priority, i) => ({ tid: tid(i), kind: 'ho-so-don' as const, v: 1, f: '0123456789ab', priority }));

  it('most urgent first; each job runs at the priority of its most urgent record', () => {
    const prios = Array.from({ length: 250 }, (_x, i) => 200 - (i % 200)); // 1..200, shuffled order
    const p = planPushJobs(specs.push, reqs(prios));
    expect(p.jobs).toHaveLength(3);
    const sorted = [...prios].sort((a, b) => a - b);
    expect(p.jobs.map((j) => j.opts.priority)).toEqual([sorted[0], sorted[BATCH_JOB_MAX], sorted[2 * BATCH_JOB_MAX]]);
    // no record of a later job is more urgent than any of an earlier job
    const byTid = new Map(reqs(prios).map((r) => [r.tid, r.priority]));
    const worst = p.jobs.map((j) => Math.max(...items(j.data).map((x) => byTid.get((x as { tid: string }).tid)!)));
    const best = p.jobs.map((j) => Math.min(...items(j.data).map((x) => byTid.get((x as { tid: string }).tid)!)));
    expect(worst[0]!).toBeLessThanOrEqual(best[1]!);
    expect(worst[1]!).toBeLessThanOrEqual(best[2]!);
    expect(p.refs.every((r) => r.kind === 'ho-so-don')).toBe(true);
  });

  it('one push is a single job with its own id and priority', () => {
    const p = planPushJobs(specs.push, reqs([7]));
    expect(p.jobs).toEqual([{ name: 'push', data: { tid: tid(0), kind: 'ho-so-don', v: 1, f: '0123456789ab' }, opts: { jobId: `p-${tid(0)}-ho-so-don-1-0123456789ab`, priority: 7 } }]);
    expect(p.refs).toEqual([]);
  });
});
