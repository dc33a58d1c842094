/**
 * A national side that keeps failing: once the job's attempts are used up the record
 * becomes a stored rejection with the reason — never a silent failed job. When the
 * national side recovers, a new version goes through normally.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sim, testConfig, waitFor, drained } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;

beforeAll(async () => {
  s = await sim({ faults: { errorRate: { 500: 1 } } });
  cfg = testConfig('pexh', s, { JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 50, NATIONAL_RETRIES: 1 });
  p = createPipeline(cfg, { mappers: MAPPERS });
  w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false });
});
afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('retries exhausted', () => {
  it('ends as a stored rejection with the national code, no failed job left; a later version goes through', async () => {
    const id = 'T-EXH-1';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const st = await waitFor('rejected', async () => {
      const x = await p.status(FAKE, AGENCY, id);
      return x?.state === 'rejected' ? x : undefined;
    }, 30_000);
    expect(st.lastError?.code).toBe('LOI_HE_THONG');
    expect(st.issues).toEqual([expect.objectContaining({ code: 'LOI_HE_THONG', severity: 'error', recordKind: 'ho-so-don' })]);
    expect(st.issues[0]!.message).toMatch(/nhiều lần thử/);
    const c = await waitFor('settled', async () => { const x = await p.counts(); return drained(x) ? x : undefined; });
    expect(c.push?.failed).toBe(0);
    expect((await p.listIssues({ agency: AGENCY })).some((r) => r.record.localId === id && r.origin === 'national')).toBe(true);

    s.setFaults({});
    await p.accept(FAKE, [raw(0, 2, { id })], { channel: 'api' });
    const ok = await waitFor('pushed', async () => {
      const x = await p.status(FAKE, AGENCY, id);
      return x?.state === 'pushed' ? x : undefined;
    });
    expect(ok.pushedVersion).toBe(2);
    expect(s.inspect().records[`ho-so-don|${AGENCY}|${id}`]?.creates).toBe(1);
  }, 60_000);
});
