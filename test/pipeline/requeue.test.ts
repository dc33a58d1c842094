/**
 * Store and enqueue are two Redis calls. When the enqueue fails after the ledger write the
 * caller is told "unavailable", but the record is stored with no job: the workers' requeue
 * sweep finds it and enqueues its job under the same deterministic id, and it is pushed —
 * exactly once, however often the sweep runs. Likewise a mapped record whose push job is gone.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { sim, testConfig, waitFor, sleep } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import { openQueues, type Queues } from '../../src/pipeline/infra.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { queueSpecs } from '../../queues/catalog.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { REDIS_URL, dropPrefix } from '../helpers/redis.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

let s: RunningSimulator;
let cfg: Config;
let redis: Redis;
let queues: Queues;
const open: { close(): Promise<void> }[] = [];
const creates = (id: string) => s.inspect().records[`ho-so-don|${AGENCY}|${id}`]?.creates ?? 0;
const openScore = (tid: string) => redis.zscore(`${cfg.KNTC_PREFIX}:led:open`, tid);

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('preq', s, { JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 50 });
  redis = new Redis(REDIS_URL);
  queues = openQueues(cfg, redis);
});
afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => undefined);
  await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
  redis?.disconnect();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('requeue sweep', () => {
  it('enqueue failed after the ledger write (caller got an error) → the sweep enqueues the map job, the record is pushed once', async () => {
    // a pipeline whose map enqueue fails, as when Redis drops between the two calls
    const failing = openQueues(cfg, redis);
    failing.map.addBulk = async () => {
      throw new Error('Connection is closed.');
    };
    const p: Pipeline = createPipeline(cfg, { mappers: MAPPERS, queues: failing });
    open.push(p);
    const id = 'T-REQ-1';
    await expect(p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' })).rejects.toThrow(/Connection is closed/);
    const stored = await p.status(FAKE, AGENCY, id);
    expect(stored?.state).toBe('received');
    expect(await openScore(stored!.trackingId)).not.toBeNull();
    const spec = queueSpecs(cfg).map;
    const f = p.ledger.fingerprint(raw(0, 1, { id })).slice(0, 12);
    const jobId = spec.jobId({ tid: stored!.trackingId, v: 1, f });
    expect(await queues.map.getJob(jobId)).toBeUndefined(); // no job: without the sweep it stays `received` for ever

    const w: RunningWorkers = await startWorkers(cfg, {
      mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false, requeue: { everyMs: 100, graceMs: 0 },
    });
    open.push(w);
    const st = await waitFor('pushed', async () => {
      const x = await p.status(FAKE, AGENCY, id);
      return x?.state === 'pushed' ? x : undefined;
    });
    expect(st.pushedVersion).toBe(1);
    expect(await queues.map.getJob(jobId)).toBeDefined(); // the same deterministic id as accept would have used
    // the sweep keeps running (several passes, replicas): nothing is sent twice, the record left the open index
    for (let i = 0; i < 3; i++) await w.requeueNow();
    await sleep(300);
    expect(creates(id)).toBe(1);
    expect(await openScore(st.trackingId)).toBeNull();
    await w.close();
  }, 60_000);

  it('a mapped record whose push job is gone → the sweep enqueues the push job', async () => {
    const p = createPipeline(cfg, { mappers: MAPPERS });
    open.push(p);
    // map only: the push job is created and then lost
    const wm = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map'], dedupe: false, requeue: { everyMs: 0 } });
    open.push(wm);
    const id = 'T-REQ-2';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const mapped = await waitFor('mapped', async () => {
      const x = await p.status(FAKE, AGENCY, id);
      return x?.state === 'mapped' ? x : undefined;
    });
    await wm.close();
    const f = p.ledger.fingerprint(raw(0, 1, { id })).slice(0, 12);
    const pushId = queueSpecs(cfg).push.jobId({ tid: mapped.trackingId, kind: 'ho-so-don', v: 1, f });
    expect(await queues.push.remove(pushId)).toBe(1);

    // a grace period keeps the sweep off records that moved recently
    const w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['push'], dedupe: false, requeue: { everyMs: 60_000, graceMs: 60_000 } });
    open.push(w);
    expect(await w.requeueNow()).toMatchObject({ checked: 0, push: 0 });
    await w.close();

    const w2 = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['push'], dedupe: false, requeue: { everyMs: 60_000, graceMs: 0 } });
    open.push(w2);
    const st = await waitFor('pushed', async () => {
      const x = await p.status(FAKE, AGENCY, id);
      return x?.state === 'pushed' ? x : undefined;
    });
    expect(st.pushedVersion).toBe(1);
    expect(creates(id)).toBe(1);
    await w2.close();
  }, 60_000);

  it('a job that finished without moving its record (e.g. failed, and its rejection could not be stored) is re-run', async () => {
    const p = createPipeline(cfg, { mappers: MAPPERS });
    open.push(p);
    const id = 'T-REQ-3';
    // a consumer that fails the map job without touching the ledger
    const bogus = new Worker('map', async () => {
      throw new Error('Redis went away mid-job');
    }, { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: cfg.KNTC_PREFIX, settings: { backoffStrategy: () => 0 } });
    open.push(bogus);
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const tid = (await p.status(FAKE, AGENCY, id))!.trackingId;
    const jobId = queueSpecs(cfg).map.jobId({ tid, v: 1, f: p.ledger.fingerprint(raw(0, 1, { id })).slice(0, 12) });
    await waitFor('failed job', async () => (await queues.map.getJobState(jobId)) === 'failed');
    await bogus.close();
    expect((await p.status(FAKE, AGENCY, id))?.state).toBe('received');

    const w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false, requeue: { everyMs: 100, graceMs: 0 } });
    open.push(w);
    await waitFor('pushed', async () => (await p.status(FAKE, AGENCY, id))?.state === 'pushed');
    expect(creates(id)).toBe(1);
    await w.close();
  }, 60_000);
  it('records carried by a batch job: left alone while it lives; given jobs again once it is gone, each pushed once', async () => {
    const p = createPipeline(cfg, { mappers: MAPPERS });
    open.push(p);
    const ids = Array.from({ length: 6 }, (_x, i) => `T-REQ-B${i}`);
    await p.accept(FAKE, ids.map((id, i) => raw(i, 1, { id })), { channel: 'api' });
    const waiting = await queues.map.getJobs(['waiting']);
    const batch = waiting.find((j) => j.name === 'map-batch' && (j.data as { items: { tid: string }[] }).items.length === ids.length);
    expect(batch).toBeDefined(); // one job for the six records, no single job of any of them
    const tids = await Promise.all(ids.map(async (id) => (await p.status(FAKE, AGENCY, id))!.trackingId));
    const f = (i: number) => p.ledger.fingerprint(raw(i, 1, { id: ids[i] })).slice(0, 12);
    for (const [i, t] of tids.entries()) expect(await queues.map.getJob(queueSpecs(cfg).map.jobId({ tid: t, v: 1, f: f(i) }))).toBeUndefined();

    // a sweep (no consumers yet) sees the batch job alive: nothing added
    const sweeper = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['dedupe'], dedupe: false, requeue: { everyMs: 60_000, graceMs: 0 } });
    open.push(sweeper);
    const r1 = await sweeper.requeueNow();
    expect(r1?.map).toBe(0);
    expect(r1?.checked).toBeGreaterThanOrEqual(ids.length);
    // the batch job lost: the next sweep gives each record its own job
    expect(await queues.map.remove(batch!.id!)).toBe(1);
    const r2 = await sweeper.requeueNow();
    expect(r2?.map).toBe(ids.length);
    await sweeper.close();

    const w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false, requeue: { everyMs: 0 } });
    open.push(w);
    await waitFor('all pushed', async () => (await Promise.all(ids.map((id) => p.status(FAKE, AGENCY, id)))).every((x) => x?.state === 'pushed'));
    await sleep(200);
    for (const id of ids) expect(creates(id)).toBe(1);
    await w.close();
  }, 60_000);
});
