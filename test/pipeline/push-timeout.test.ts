/**
 * A national call that never answers: each push attempt hits the job timeout, which is a
 * retryable failure handled inside the push processor's handling, and the last attempt
 * leaves a stored KNTC_PUSH_TIMEOUT rejection — not a record stuck in `mapped`/`pushing`
 * next to a failed job.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sim, testConfig, waitFor, drained } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import type { NationalPort } from '../../src/push/port.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;
const hanging: ((e: Error) => void)[] = [];
let calls = 0;
const never = <T>(): Promise<T> => {
  calls++;
  return new Promise<T>((_res, rej) => hanging.push(rej));
};
const silent: NationalPort = { write: () => never(), batch: () => never(), get: () => never(), close: async () => undefined };

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('ptmo', s, { JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 50 });
  p = createPipeline(cfg, { mappers: MAPPERS });
  w = await startWorkers(cfg, {
    client: silent, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false,
    jobTimeoutMs: { push: 300 }, requeue: { everyMs: 0 },
  });
});
afterAll(async () => {
  for (const rej of hanging.splice(0)) rej(new Error('test over'));
  await w?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('push job timeout', () => {
  it('every attempt times out → stored KNTC_PUSH_TIMEOUT rejection after the last one, no failed job', async () => {
    const id = 'T-TMO-1';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const st = await waitFor('rejected', async () => {
      const x = await p.status(FAKE, AGENCY, id);
      return x?.state === 'rejected' ? x : undefined;
    }, 30_000);
    expect(calls).toBeGreaterThanOrEqual(3); // one national call per attempt
    expect(st.lastError?.code).toBe('KNTC_PUSH_TIMEOUT');
    expect(st.lastError?.message).toMatch(/timed out after 300 ms/);
    expect(st.issues).toEqual([expect.objectContaining({ code: 'KNTC_PUSH_TIMEOUT', severity: 'error', recordKind: 'ho-so-don', origin: 'national' })]);
    expect(st.issues[0]!.message).toMatch(/quá thời gian chờ/);
    expect(st.outputs).toEqual([expect.objectContaining({ kind: 'ho-so-don', state: 'rejected' })]);
    const c = await waitFor('settled', async () => { const x = await p.counts(); return drained(x) ? x : undefined; });
    expect(c.push?.failed).toBe(0);
  }, 60_000);
});
