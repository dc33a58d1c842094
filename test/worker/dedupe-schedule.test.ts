/**
 * `kntc worker` processes that consume the dedupe queue run the periodic link pull (and
 * duplicate sweep) themselves — for the agencies seen in the ledger, or DEDUPE_PULL_AGENCIES —
 * and two replicas never run it at the same time (Redis lock). Stopped on close.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sim, testConfig, waitFor, sleep } from '../pipeline/helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import type { NationalPort } from '../../src/push/port.js';
import type { LienKet } from '../../src/contract/schemas.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, raw } from '../pipeline/fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

let s: RunningSimulator;
const prefixes: string[] = [];
const open: { close(): Promise<void> }[] = [];

/** A national client whose link listing takes a while and notes who asked, and how many at once. */
function linkClient() {
  const stat = { active: 0, maxActive: 0, pulls: [] as string[] };
  const none = (): Promise<never> => Promise.reject(new Error('not used'));
  const client: NationalPort & { listLinks(q: { maDonVi: string }): AsyncIterable<LienKet>; timTrung(): Promise<never>; link(): Promise<never>; unlink(): Promise<never> } = {
    write: none, batch: none, get: none, close: async () => undefined, timTrung: none, link: none, unlink: none,
    async *listLinks(q: { maDonVi: string }): AsyncIterable<LienKet> {
      stat.active++;
      stat.maxActive = Math.max(stat.maxActive, stat.active);
      stat.pulls.push(q.maDonVi);
      try {
        await sleep(120);
      } finally {
        stat.active--;
      }
    },
  };
  return { client, stat };
}

function config(tag: string, over: Partial<Record<keyof Config, unknown>> = {}): Config {
  const cfg = testConfig(tag, s, over);
  prefixes.push(cfg.KNTC_PREFIX);
  return cfg;
}

beforeAll(async () => {
  s = await sim();
});
afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => undefined);
  await s?.close();
  for (const p of prefixes) await dropPrefix(p);
});

describe('duplicate schedule in worker processes', () => {
  it('pulls links for the agencies seen in the ledger; two replicas never pull at the same time', async () => {
    const cfg = config('wdds');
    const p: Pipeline = createPipeline(cfg, { mappers: MAPPERS });
    open.push(p);
    await p.accept(FAKE, [raw(1, 1, { ag: '000.00.00.H29' }), raw(2, 1, { ag: '000.00.00.H37' }), raw(3, 1, { ag: '000.00.00.H37' })], { channel: 'api' });
    const { client, stat } = linkClient();
    const replica = () => startWorkers(cfg, {
      client, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['dedupe'], requeue: { everyMs: 0 },
      dedupeSchedule: { pullEveryMs: 40, sweepEveryMs: 0 },
    });
    const a: RunningWorkers = await replica();
    const b: RunningWorkers = await replica();
    open.push(a, b);
    await waitFor('several pulls', async () => stat.pulls.length >= 8, 20_000, 20);
    expect(stat.maxActive).toBe(1);
    expect(new Set(stat.pulls)).toEqual(new Set(['000.00.00.H29', '000.00.00.H37']));
    await a.close();
    await b.close();
    const n = stat.pulls.length;
    await sleep(200);
    expect(stat.pulls.length).toBe(n); // stopped with the workers
  }, 30_000);

  it('DEDUPE_PULL_AGENCIES names the agencies; 0 disables the pull; not started where dedupe is not consumed', async () => {
    const cfg = config('wddl', { DEDUPE_PULL_AGENCIES: '000.00.01.H29, 000.00.09.H29' });
    const { client, stat } = linkClient();
    const w = await startWorkers(cfg, { client, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['dedupe'], requeue: { everyMs: 0 }, dedupeSchedule: { pullEveryMs: 30 } });
    open.push(w);
    await waitFor('pulled both', async () => stat.pulls.includes('000.00.09.H29'), 10_000, 20);
    expect(stat.pulls.slice(0, 2)).toEqual(['000.00.01.H29', '000.00.09.H29']);
    await w.close();

    const off = linkClient();
    const w0 = await startWorkers(config('wdd0', { DEDUPE_PULL_INTERVAL_SEC: 0, DEDUPE_PULL_AGENCIES: 'X' }), { client: off.client, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['dedupe'], requeue: { everyMs: 0 } });
    const w1 = await startWorkers(cfg, { client: off.client, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map'], requeue: { everyMs: 0 }, dedupeSchedule: { pullEveryMs: 30 } });
    open.push(w0, w1);
    await sleep(300);
    expect(off.stat.pulls).toEqual([]);
  }, 30_000);
});
