/**
 * The default wiring with the dedupe queue on: qldt G4 (LC25-000311 and its re-typed copy
 * LC25-000327 at another agency) go through map → push → dedupe, and the pair ends up
 * linked nationally and in the dedupe store under the deployment's prefix. LC25-000368
 * (the namesake) is pushed too and stays unlinked.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { sim, testConfig, waitFor } from '../pipeline/helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { dropPrefix, REDIS_URL } from '../helpers/redis.js';
import { projectPath, type Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DedupeStore, pairIdOf } from '../../src/dedupe/store.js';

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;
let redis: Redis;
const lines = readFileSync(projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const pick = (id: string) => lines.filter((l) => l.id_don === id);

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('ddpipe', s);
  p = createPipeline(cfg);
  w = await startWorkers(cfg, { queues: ['map', 'push', 'dedupe'], dedupe: true });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  redis?.disconnect();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('dedupe in the pipeline', () => {
  it('links G4 after both pushes, not the namesake', async () => {
    const res = await p.accept('qldt', ['LC25-000311', 'LC25-000368'].flatMap(pick), { channel: 'cli' });
    const agencyOf = (id: string) => res.find((r) => r.localId === id)!.agency;
    const pushed = (id: string) => waitFor(id, async () => {
      const x = await p.status('qldt', agencyOf(id), id);
      return x?.state === 'pushed' ? x : undefined;
    }, 30_000);
    const a = await pushed('LC25-000311');
    await pushed('LC25-000368');
    // the copy arrives later, at another agency
    const res2 = await p.accept('qldt', pick('LC25-000327'), { channel: 'cli' });
    const b = await waitFor('LC25-000327', async () => {
      const x = await p.status('qldt', res2[0]!.agency, 'LC25-000327');
      return x?.state === 'pushed' ? x : undefined;
    }, 30_000);
    const store = new DedupeStore(redis, cfg.KNTC_PREFIX);
    const ma = a.nationalIds['ho-so-don']!;
    const mb = b.nationalIds['ho-so-don']!;
    const pair = await waitFor('pair', async () => store.getPair(pairIdOf(ma, mb)), 30_000);
    expect(['TRUNG', 'NGHI_TRUNG']).toContain(pair.level);
    expect(pair.maLienKet).toBeTruthy();
    const recB = await store.getRecord(mb);
    expect(recB).toMatchObject({ source: 'qldt', localId: 'LC25-000327', own: true });
    const namesake = (await p.status('qldt', agencyOf('LC25-000368'), 'LC25-000368'))!.nationalIds['ho-so-don']!;
    expect(await store.getPair(pairIdOf(namesake, ma))).toBeUndefined();
    expect(await store.getPair(pairIdOf(namesake, mb))).toBeUndefined();
  }, 90_000);
});
