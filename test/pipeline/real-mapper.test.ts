/**
 * The default wiring end to end: the real qldt mapper (mappers/registry.ts) and the
 * national catalogues fetched from the simulator through CatalogueStore, on sample
 * lines of ../shared/samples/qldt-lai-chau.jsonl with outcomes from its README.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { sim, testConfig, waitFor } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { dropPrefix } from '../helpers/redis.js';
import { projectPath, type Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;
const lines = readFileSync(projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const pick = (id: string) => lines.filter((l) => l.id_don === id);

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('preal', s);
  p = createPipeline(cfg);
  w = await startWorkers(cfg, { queues: ['map', 'push'], dedupe: false }); // default client, CatalogueStore, registry
});
afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('qldt through the default wiring', () => {
  it('pushes a clean record and stores the sample README’s mapping errors as rejections', async () => {
    const wanted = ['LC25-000118', 'LC25-000398', 'LC25-000248'];
    const raws = wanted.flatMap(pick);
    expect(raws.length).toBeGreaterThanOrEqual(3);
    const res = await p.accept('qldt', raws, { channel: 'cli' });
    expect(res.every((r) => r.outcome === 'accepted' || r.outcome === 'older')).toBe(true);
    const agencyOf = (id: string) => res.find((r) => r.localId === id)!.agency;
    const settled = (id: string) => waitFor(id, async () => {
      const x = await p.status('qldt', agencyOf(id), id);
      return x && (x.state === 'pushed' || x.state === 'rejected') ? x : undefined;
    }, 30_000);
    const ok = await settled('LC25-000118');
    expect(ok.state).toBe('pushed');
    expect(s.inspect().records[`ho-so-don|${agencyOf('LC25-000118')}|LC25-000118`]?.creates).toBe(1);
    const future = await settled('LC25-000398'); // D5: 07/10/2052
    expect(future.state).toBe('rejected');
    expect(future.issues.map((i) => i.code)).toContain('NGAY_KHONG_HOP_LE');
    const badId = await settled('LC25-000248'); // I2: CCCD year ≠ nam_sinh
    expect(badId.state).toBe('rejected');
    expect(badId.issues).toContainEqual(expect.objectContaining({ code: 'DINH_DANH_KHONG_HOP_LE', national: '/nguoiDungDon/0/soDinhDanh' }));
  }, 60_000);
});
