/**
 * Duplicates (lk1 + Fellegi–Sunter), two parts:
 *
 * (a) quality on labelled data (src/generator/labelled): precision / recall / F1 of TRUNG
 *     links and of TRUNG+NGHI_TRUNG, with the candidate generation of the real path (the
 *     lk1 keys, two tim-trung queries of ≤ 50, most shared keys first) over an in-process
 *     key index; records arrive in date order. Baseline in the same run: link every pair
 *     with the same folded full name and province.
 * (b) cost: records/s end to end (features + tim-trung against the real simulator over
 *     HTTP + scoring) and candidates compared per record, at 10k, 50k and 200k records;
 *     the same work (features + scoring) against the in-process index at the same sizes,
 *     and for both the throughput ratio largest / smallest size (1.0 = cost per record
 *     independent of the index size). Both indexes leave out keys held by more than 500
 *     records (src/simulator/README.md "tim-trung"); the quality part is also run with
 *     every key counted (the exact reading of §6) when DEDUPE_BENCH_QUALITY_EXACT=1.
 *
 * At each size all N records are first indexed (in process) or loaded into the simulator
 * (batches of 100 over HTTP), not timed; then the dedupe work is timed for a fixed sample of
 * them (default 2000, spread over the whole set) against the full index of N records — the
 * per-record cost at that index size — in PASSES passes (default 3), the median reported.
 * Only the sample is kept in this process once the index is built. The simulator runs as a
 * process of its own (bench/sim-process.ts), as the national side would; each HTTP size
 * reports the CPU per record of the connector (this process) and of the simulator, and the
 * simulator's peak RSS.
 *
 * Env: DEDUPE_BENCH_QUALITY_N (default 50000; 0 skips), DEDUPE_BENCH_QUALITY_EXACT (default 0),
 *      DEDUPE_BENCH_HTTP_SIZES (default 10000,50000,200000), DEDUPE_BENCH_SAMPLE (default 2000),
 *      DEDUPE_BENCH_PASSES (default 3),
 *      DEDUPE_BENCH_MEM_SIZES (default 10000,50000,200000), DEDUPE_BENCH_SEED (default 2026).
 *      Empty size lists skip that part.
 */
import { pino } from 'pino';
import type { BenchContext } from '../run.js';
import { startSimProcess } from '../sim-process.js';
import { generateLabelledHoSoDon, type LabelledData } from '../../src/generator/labelled/index.js';
import { candidatesFor, evaluateQuality, naiveNameProvince } from '../../src/dedupe/evaluate.js';
import { computeLinkage, candidateFeatures, splitKeys, type Lk1Features } from '../../src/dedupe/features.js';
import { MemoryKeyIndex } from '../../src/dedupe/memory-index.js';
import { quickScore, scorePair } from '../../src/dedupe/score.js';
import { foldKey } from '../../src/vn/text.js';
import type { Candidate, DacTrungLienKet, HoSoDon } from '../../src/contract/schemas.js';

const SECRET = 'bench-linkage-secret';
const envList = (name: string, def: string) => (process.env[name] ?? def).split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const seed = Number(process.env.DEDUPE_BENCH_SEED ?? 2026);

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

async function quality(ctx: BenchContext): Promise<void> {
  const n = Number(process.env.DEDUPE_BENCH_QUALITY_N ?? 50000);
  if (!(n > 0)) return;
  const t0 = performance.now();
  const data = generateLabelledHoSoDon({ seed, count: n, synthAgencies: 120 });
  ctx.log(`labelled data: ${data.records.length} records, ${data.groups.length} duplicate groups, ${data.hardNegatives.length} hard-negative pairs, ${data.agencies.length} agencies (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const q = evaluateQuality(data, SECRET);
  const naive = naiveNameProvince(data, foldKey);
  const x = (p: { precision: number; recall: number; f1: number }) => ({ precision: p.precision.toFixed(4), recall: p.recall.toFixed(4), f1: p.f1.toFixed(4) });
  ctx.report('quality TRUNG precision', q.trung.precision, 'ratio', { ...x(q.trung), tp: q.trung.tp, fp: q.trung.fp, target: '≥ 0.99' });
  ctx.report('quality TRUNG+NGHI_TRUNG recall', q.trungOrNghi.recall, 'ratio', { ...x(q.trungOrNghi), tp: q.trungOrNghi.tp, fp: q.trungOrNghi.fp, target: '≥ 0.95' });
  ctx.report('quality TRUNG F1', q.trung.f1, 'ratio');
  ctx.report('quality TRUNG+NGHI_TRUNG F1', q.trungOrNghi.f1, 'ratio');
  ctx.report('baseline exact folded name+province', naive.f1, 'F1', { ...x(naive), tp: naive.tp, fp: naive.fp });
  ctx.report('F1 ratio lk1 TRUNG+NGHI / baseline', q.trungOrNghi.f1 / naive.f1, 'x');
  ctx.report('precision ratio lk1 TRUNG / baseline', q.trung.precision / naive.precision, 'x');
  ctx.report('true pairs never offered as candidates', q.missedByKeys, 'pairs', { truePairs: q.truePairs });
  ctx.report('hard-negative pairs linked (any level)', q.hardNegativeLinks, 'pairs', { hardNegatives: data.hardNegatives.length });
  ctx.report('candidates compared per record (quality run)', q.candidatesPerRecord, 'candidates');
  if (process.env.DEDUPE_BENCH_QUALITY_EXACT === '1') {
    // the other reading of §6: a gateway that counts every key, however common
    const e = evaluateQuality(data, SECRET, { maxPosting: Infinity });
    ctx.report('quality, every key counted: TRUNG precision', e.trung.precision, 'ratio', { ...x(e.trung), target: '≥ 0.99' });
    ctx.report('quality, every key counted: TRUNG+NGHI_TRUNG recall', e.trungOrNghi.recall, 'ratio', { ...x(e.trungOrNghi), missedByKeys: e.missedByKeys, target: '≥ 0.95' });
  }
}

/** What the dedupe processor does for one record, minus HTTP: features, two queries of ≤ 50, scoring. */
function dedupeOne(idx: MemoryKeyIndex, body: HoSoDon, id: string): { compared: number; postings: number } {
  const lk = computeLinkage(body, SECRET);
  const scan = { postings: 0 };
  const found = candidatesFor(idx, lk.khoa, id, 50, scan);
  const fa = lk.dacTrung as unknown as Lk1Features;
  for (const c of found) {
    const fb = c.rec.linkage.dacTrung as unknown as Lk1Features;
    // as the processor: weight first, the explanation only for pairs that get linked
    if (quickScore(fa, fb).decision !== 'KHONG') scorePair(fa, fb);
  }
  return { compared: found.length, postings: scan.postings };
}

/** The sample measured at every size: `sample` records spread over the whole set. */
function sampleOf<T>(all: T[], sample: number): T[] {
  const step = Math.max(1, Math.floor(all.length / sample));
  return all.filter((_, i) => i % step === 0).slice(0, sample);
}

const SAMPLE = Number(process.env.DEDUPE_BENCH_SAMPLE ?? process.env.DEDUPE_BENCH_HTTP_SAMPLE ?? 2000);
const PASSES = Math.max(1, Number(process.env.DEDUPE_BENCH_PASSES ?? 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Features + scoring against the in-process index of all N records (built first, not timed), for
 * the fixed sample: the per-record cost at that index size, median of PASSES passes.
 */
function memoryCost(make: () => LabelledData): { recPerSec: number; candPerRec: number; postingsPerRec: number } {
  const idx = new MemoryKeyIndex();
  // the generated records are garbage once indexed, but for the sample
  const work = ((data) => {
    for (const r of data.records) idx.add({ id: r.localId, ngayNhanDon: r.body.ngayNhanDon, linkage: computeLinkage(r.body, SECRET) });
    return sampleOf(data.records, SAMPLE);
  })(make());
  const rates: number[] = [];
  let compared = 0;
  let postings = 0;
  for (let p = 0; p < PASSES; p++) {
    compared = 0;
    postings = 0;
    const t0 = performance.now();
    for (const r of work) {
      const x = dedupeOne(idx, r.body, r.localId);
      compared += x.compared;
      postings += x.postings;
    }
    rates.push(work.length / ((performance.now() - t0) / 1000));
  }
  return { recPerSec: median(rates), candPerRec: compared / work.length, postingsPerRec: postings / work.length };
}

interface HttpCost { recPerSec: number; candPerRec: number; pushSec: number; measured: number; connectorUs: number; simulatorUs: number; simPeakMiB: number }

async function httpCost(ctx: BenchContext, make: () => LabelledData): Promise<HttpCost> {
  const { createNationalClient } = await import('../../src/national/client.js');
  const sim = await startSimProcess(false);
  const client = createNationalClient({
    baseUrl: sim.baseUrl, clientId: 'demo-connector', clientSecret: 'demo-secret', timeoutMs: 30000, rateLimitRps: 100000, rateBurst: 100000,
    maxInFlight: 8, retries: 3, retryMinMs: 10, retryMaxMs: 500, logger: pino({ level: 'silent' }),
  });
  try {
    // Load the national side (not measured as dedupe cost): bodies with their features, in batches of 100.
    // In a function of its own that keeps only the sample, so the generated records and the loaded
    // copies are garbage before the measurement starts (a connector does not hold the national index).
    const t0 = performance.now();
    const work = await (async () => {
      const data = make();
      const bodies: HoSoDon[] = data.records.map((r) => ({ ...r.body, dacTrungLienKet: computeLinkage(r.body, SECRET) }));
      const chunks: HoSoDon[][] = [];
      for (let i = 0; i < bodies.length; i += 100) chunks.push(bodies.slice(i, i + 100));
      const results = new Map<number, string[]>();
      await pool(chunks.map((c, i) => [c, i] as const), 4, async ([c, i]) => {
        const r = await client.batch('ho-so-don', c.map((body) => ({ op: 'create' as const, body })));
        results.set(i, r.map((x) => ('nationalId' in x ? x.nationalId : '')));
      });
      const ids: string[] = [];
      for (let i = 0; i < chunks.length; i++) ids.push(...results.get(i)!);
      const failed = ids.filter((x) => !x).length;
      if (failed) ctx.log(`${failed} records refused by the simulator (left out)`);
      return sampleOf(data.records.map((r, i) => ({ body: r.body, id: ids[i]! })).filter((x) => x.id), SAMPLE);
    })();
    const pushSec = (performance.now() - t0) / 1000;
    // Measured: what the dedupe worker does per record — features, two tim-trung calls, scoring.
    let compared = 0;
    const rates: number[] = [];
    const cpu0 = process.cpuUsage();
    const simCpu0 = sim.cpuSeconds();
    for (let p = 0; p < PASSES; p++) {
      compared = 0;
      const t1 = performance.now();
      await pool(work, 8, async ({ body, id }) => {
        const lk: DacTrungLienKet = computeLinkage(body, SECRET);
        const cands = new Map<string, Candidate>();
        for (const khoa of splitKeys(lk.khoa)) {
          const r = await client.timTrung({ khoa, loaiTru: [id], gioiHan: 50 });
          for (const c of r.ungVien) cands.set(c.maHoSo, c);
        }
        for (const c of cands.values()) {
          const fa = lk.dacTrung as unknown as Lk1Features;
          const fb = candidateFeatures(c, SECRET);
          if (quickScore(fa, fb).decision !== 'KHONG') scorePair(fa, fb);
          compared++;
        }
      });
      rates.push(work.length / ((performance.now() - t1) / 1000));
    }
    const cpu = process.cpuUsage(cpu0);
    const us = (sec: number) => (sec * 1e6) / (work.length * PASSES);
    return {
      recPerSec: median(rates), candPerRec: compared / work.length, pushSec, measured: work.length,
      connectorUs: us((cpu.user + cpu.system) / 1e6), simulatorUs: us(sim.cpuSeconds() - simCpu0), simPeakMiB: sim.peakRssMiB(),
    };
  } finally {
    await client.close();
    await sim.close();
  }
}

async function cost(ctx: BenchContext): Promise<void> {
  const memSizes = envList('DEDUPE_BENCH_MEM_SIZES', '10000,50000,200000');
  const httpSizes = envList('DEDUPE_BENCH_HTTP_SIZES', '10000,50000,200000');
  const ratio = (label: string, sizes: number[], rate: Record<number, number>) => {
    const first = sizes[0];
    const last = sizes[sizes.length - 1];
    if (first && last && first !== last) ctx.report(`${label} throughput ratio ${last} / ${first} records (1.0 = cost per record independent of the index size)`, rate[last]! / rate[first]!, 'x', { target: '≥ 0.7' });
  };
  const mem: Record<number, number> = {};
  for (const n of memSizes) {
    const r = memoryCost(() => generateLabelledHoSoDon({ seed: seed + n, count: n, synthAgencies: 120 }));
    mem[n] = r.recPerSec;
    ctx.report(`cost in-process index of ${n} records`, r.recPerSec, 'records/s', { candidatesPerRecord: r.candPerRec.toFixed(1), postingsPerRecord: Math.round(r.postingsPerRec), measured: Math.min(SAMPLE, n), passes: PASSES });
  }
  ratio('in-process', memSizes, mem);
  const http: Record<number, number> = {};
  for (const n of httpSizes) {
    // HTTP runs use the real agency codes only: the simulator's don-vi catalogue refuses synthesized ones.
    const r = await httpCost(ctx, () => generateLabelledHoSoDon({ seed: seed + n + 1, count: n }));
    http[n] = r.recPerSec;
    ctx.report(`cost end to end over HTTP (simulator), index of ${n} records`, r.recPerSec, 'records/s', {
      candidatesPerRecord: r.candPerRec.toFixed(1), measured: r.measured, passes: PASSES, loadSec: r.pushSec.toFixed(1),
      connectorCpuUsPerRecord: Math.round(r.connectorUs), simulatorCpuUsPerRecord: Math.round(r.simulatorUs), simulatorPeakRssMiB: Math.round(r.simPeakMiB),
    });
  }
  ratio('HTTP', httpSizes, http);
}

export default async function (ctx: BenchContext): Promise<void> {
  await quality(ctx);
  await cost(ctx);
}
