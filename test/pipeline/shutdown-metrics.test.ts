/** Graceful shutdown (in-flight jobs finish, none left active) and the Prometheus metrics. */
process.env.LOG_LEVEL ??= 'error';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { NationalPort, WriteResultLike, BatchItemLike } from '../../src/push/port.js';
import { registry } from '../../src/metrics.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../helpers/redis.js';
import { waitFor } from './helpers.js';

let cfg: Config;
let p: Pipeline;

/** A national side that answers after `ms`. */
function slowPort(ms: number): NationalPort & { started: number } {
  let n = 0;
  const ok = (b: { phienBanNguon: number }): WriteResultLike => ({ nationalId: `N${++n}`, phienBanNguon: b.phienBanNguon, bamNoiDung: '', capNhatLuc: '', replayed: false });
  const port = {
    started: 0,
    async write(_k: unknown, _op: unknown, body: { phienBanNguon: number }) { port.started++; await new Promise((r) => setTimeout(r, ms)); return ok(body); },
    async batch(_k: unknown, items: BatchItemLike[]) { port.started += items.length; await new Promise((r) => setTimeout(r, ms)); return items.map((i) => ok(i.body)); },
    get: async () => ({}),
    close: async () => undefined,
  };
  return port as unknown as NationalPort & { started: number };
}

beforeAll(() => {
  cfg = loadConfig({}, { REDIS_URL, KNTC_PREFIX: uniquePrefix('pshut'), LOG_LEVEL: 'error' });
  p = createPipeline(cfg, { mappers: MAPPERS });
});
afterAll(async () => {
  await p?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('graceful shutdown', () => {
  it('close() lets in-flight pushes finish and leaves no job active', async () => {
    const port = slowPort(800);
    const w = await startWorkers(cfg, { client: port, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, concurrency: { map: 4, push: 4, dedupe: 1 }, queues: ['map', 'push'], dedupe: false, batch: { maxInFlight: 1, lingerMs: 0 } });
    await p.accept(FAKE, Array.from({ length: 12 }, (_x, i) => raw(i, 1)), { channel: 'api' });
    await waitFor('a push in flight', async () => port.started > 0, 10_000, 20);
    await w.close();
    const states = await Promise.all(Array.from({ length: 12 }, (_x, i) => p.status(FAKE, AGENCY, raw(i).id!).then((s) => s?.state)));
    const pushed = states.filter((s) => s === 'pushed').length;
    expect(pushed).toBeGreaterThanOrEqual(1); // what was in flight finished…
    expect(pushed).toBe(port.started); // …and everything sent was recorded
    const c = await p.counts();
    expect((c.push?.active ?? -1) + (c.map?.active ?? -1)).toBe(0); // nothing left to stall
    // a new worker finishes the rest
    const w2 = await startWorkers(cfg, { client: slowPort(5), mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false });
    await waitFor('all pushed', async () => {
      const s = await Promise.all(Array.from({ length: 12 }, (_x, i) => p.status(FAKE, AGENCY, raw(i).id!).then((x) => x?.state)));
      return s.every((x) => x === 'pushed');
    }, 20_000);
    await w2.close();
  }, 60_000);
});

describe('metrics', () => {
  it('exposes queue depths, push outcomes, push latency, accepted records and national 429s', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/kntc_queue_jobs\{queue="push",state="completed"\} [1-9]/);
    expect(text).toMatch(/kntc_push_outcomes_total\{kind="ho-so-don",outcome="pushed",code="OK"\} [1-9]/);
    expect(text).toMatch(/kntc_push_latency_seconds_count\{kind="ho-so-don",mode="(single|batch)"\} [1-9]/);
    expect(text).toMatch(new RegExp(`kntc_accepted_records_total\\{source="${FAKE}",outcome="accepted"\\} 12`));
    expect(text).toContain('kntc_national_429_total');
    expect(text).not.toMatch(/T-0000/); // no ids in labels
  });
});
