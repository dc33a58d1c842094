/**
 * A map job that keeps failing (national catalogues unreachable before their first load)
 * is retried for the job's whole budget, and only then becomes a stored KNTC_MAP_FAILED
 * rejection with the reason — never a record left `received` next to a failed job. A
 * catalogue outage shorter than the budget costs nothing: the record goes through.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sim, testConfig, waitFor, drained } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Catalogues } from '../../mappers/types.js';

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;
/** Catalogue loads still to fail (Infinity: the national side stays unreachable). */
let failLoads = Infinity;
let loads = 0;
const catalogues = async (): Promise<Catalogues> => {
  loads++;
  if (failLoads-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4010'), { code: 'NETWORK_ERROR' });
  return EMPTY_CATALOGUES;
};
const status = (id: string, state: string) => async () => {
  const x = await p.status(FAKE, AGENCY, id);
  return x?.state === state ? x : undefined;
};

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('pmex', s, { JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 50 });
  p = createPipeline(cfg, { mappers: MAPPERS });
  w = await startWorkers(cfg, { mappers: MAPPERS, catalogues, queues: ['map', 'push'], dedupe: false, requeue: { everyMs: 0 } });
});
afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('map retries exhausted', () => {
  it('catalogues unavailable for every attempt → stored KNTC_MAP_FAILED rejection (EN + VI reason), no failed job', async () => {
    failLoads = Infinity;
    loads = 0;
    const id = 'T-MEX-1';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const st = await waitFor('rejected', status(id, 'rejected'), 30_000);
    expect(loads).toBe(3); // every attempt of the budget was used first
    expect(st.lastError?.code).toBe('KNTC_MAP_FAILED');
    expect(st.lastError?.message).toMatch(/catalogues unavailable/);
    expect(st.issues).toEqual([expect.objectContaining({ code: 'KNTC_MAP_FAILED', severity: 'error', origin: 'mapper', version: 1 })]);
    expect(st.issues[0]!.message).toMatch(/danh mục dùng chung/);
    expect(st.history.at(-1)).toMatchObject({ state: 'rejected', version: 1, detail: 'KNTC_MAP_FAILED:catalogues' });
    const c = await waitFor('settled', async () => { const x = await p.counts(); return drained(x) ? x : undefined; });
    expect(c.map?.failed).toBe(0);
    expect((await p.listIssues({ agency: AGENCY })).some((r) => r.record.localId === id && r.issue.code === 'KNTC_MAP_FAILED')).toBe(true);
    expect((await p.ledger.summary()).rejectedBy.KNTC_MAP_FAILED).toBe(1);
    expect(s.inspect().records[`ho-so-don|${AGENCY}|${id}`]).toBeUndefined();

    // the national side is back: a new version goes through normally
    failLoads = 0;
    await p.accept(FAKE, [raw(0, 2, { id })], { channel: 'api' });
    const ok = await waitFor('pushed', status(id, 'pushed'));
    expect(ok.pushedVersion).toBe(2);
    expect(ok.lastError).toBeUndefined();
  }, 60_000);

  it('an outage shorter than the budget is only retried: the record is pushed, nothing rejected', async () => {
    failLoads = 2; // attempts 1 and 2 fail, the 3rd (last) succeeds
    loads = 0;
    const id = 'T-MEX-2';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const st = await waitFor('pushed', status(id, 'pushed'), 30_000);
    expect(loads).toBe(3);
    expect(st.issues).toEqual([]);
  }, 60_000);
});
