/**
 * National faults (issue 3): ~30 % of calls fail with 5xx, resets or timeouts — half of
 * them AFTER the national side applied the write — plus bursts of 429 (a client
 * allowed to send faster than the national limit) and a 503 maintenance window.
 * Every record is still delivered exactly once in effect, at its latest version.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sim, testConfig, waitFor, sleep, drained } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator, FaultConfig } from '../../src/simulator/index.js';

const N = Number(process.env.T_FAULTS_N ?? 400);
const FAULTS: FaultConfig = {
  seed: 7,
  errorRate: { 500: 0.06, 503: 0.03 },
  errorAfterRate: { 502: 0.06, 504: 0.03 },
  resetBeforeRate: 0.03, resetAfterRate: 0.04,
  hangAfterRate: 0.05, hangMs: 800,
  retryAfterSec: 1,
};

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;

beforeAll(async () => {
  s = await sim({ limits: { enabled: true, ratePerSec: 20, burst: 5, maxInFlight: 3 }, faults: FAULTS });
  // the client is allowed far more than the national limit: bursts of 429 are certain
  cfg = testConfig('pfault', s, { NATIONAL_RATE_LIMIT_RPS: 400, NATIONAL_RATE_BURST: 100, NATIONAL_TIMEOUT_MS: 400, NATIONAL_RETRIES: 3, JOB_ATTEMPTS: 30, JOB_BACKOFF_MS: 50 });
  p = createPipeline(cfg, { mappers: MAPPERS });
  w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, dedupe: false, concurrency: { map: 8, push: 48, dedupe: 4 }, batch: { maxBatch: 10 } });
});

afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('national faults', () => {
  it(`${N} records through 30 % faults, 429 bursts and a maintenance window: each created exactly once, at its latest version`, async () => {
    const half = Math.floor(N / 2);
    await p.accept(FAKE, Array.from({ length: half }, (_x, i) => raw(i, 1, { lt: i % 4 === 0 })), { channel: 'api' });
    await sleep(400);
    s.setFaults({ ...FAULTS, maintenance: { durationSec: 1, retryAfterSec: 1 } });
    await p.accept(FAKE, Array.from({ length: N - half }, (_x, i) => raw(half + i, 1, { lt: (half + i) % 4 === 0 })), { channel: 'api' });
    await sleep(1500);
    s.setFaults(FAULTS);
    // new versions of 50 records while the first ones are still being retried
    await p.accept(FAKE, Array.from({ length: 50 }, (_x, i) => raw(i * 3, 2, { lt: (i * 3) % 4 === 0 })), { channel: 'api' });
    await waitFor('all settled', async () => drained(await p.counts()), 90_000, 250);

    const rep = s.inspect();
    const ho = Object.values(rep.records).filter((r) => r.kind === 'ho-so-don' && r.maDonVi === AGENCY);
    expect(ho).toHaveLength(N);
    expect(ho.filter((r) => r.creates !== 1)).toEqual([]);
    for (let i = 0; i < N; i++) {
      const want = i % 3 === 0 && i / 3 < 50 ? 2 : 1;
      expect(rep.records[`ho-so-don|${AGENCY}|${raw(i).id}`]?.phienBanNguon, raw(i).id).toBe(want);
      if (i % 4 === 0) {
        const lt = rep.records[`luot-tiep|${AGENCY}|${raw(i).id}-LT`];
        expect(lt?.creates, `${raw(i).id}-LT`).toBe(1);
        expect(lt?.phienBanNguon).toBe(want);
      }
    }
    const states = await Promise.all(Array.from({ length: N }, (_x, i) => p.status(FAKE, AGENCY, raw(i).id!).then((x) => x?.state)));
    expect(states.filter((x) => x !== 'pushed')).toEqual([]);
    const counts = await p.counts();
    for (const q of ['map', 'push']) expect(counts[q], q).toMatchObject({ failed: 0, active: 0, waiting: 0 });
    // the faults really happened
    const f = rep.totals.faults;
    const injected = Object.entries(f).filter(([k]) => k !== 'maintenance').reduce((a, [, n]) => a + n, 0);
    expect(injected).toBeGreaterThan(20);
    expect(Object.keys(f).some((k) => k.startsWith('after'))).toBe(true);
    expect(rep.totals.rateLimited + rep.totals.concurrencyLimited).toBeGreaterThan(0);
    expect(f.maintenance ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
