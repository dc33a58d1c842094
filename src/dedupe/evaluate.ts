/**
 * Quality of lk1 + scoring on labelled data, with the candidate generation of the real
 * path (tim-trung over the lk1 keys: most shared keys first, `limit` candidates), run
 * here against the in-process key index. Records are processed in arrival order
 * (ngayNhanDon), each against those already indexed — as the dedupe worker sees them.
 */
import type { DacTrungLienKet } from '../contract/schemas.js';
import { computeLinkage, splitKeys, type Lk1Features } from './features.js';
import { MemoryKeyIndex } from './memory-index.js';
import { quickScore, DEFAULT_THRESHOLDS, type Thresholds, type Decision } from './score.js';
import type { LabelledData } from '../generator/labelled/index.js';
import { groupPairs, pairKey } from '../generator/labelled/index.js';

export interface PRF {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}
const prf = (tp: number, fp: number, fn: number): PRF => {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  return { tp, fp, fn, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
};

/** The two tim-trung queries of the real path (see splitKeys), merged; `scan.postings` adds up the postings they counted. */
export function candidatesFor(idx: MemoryKeyIndex, khoa: readonly string[], self: string, limit: number, scan?: { postings: number }) {
  const seen = new Map<string, ReturnType<MemoryKeyIndex['query']>[number]>();
  for (const q of splitKeys(khoa)) {
    for (const c of idx.query(q, { exclude: [self], limit })) if (!seen.has(c.rec.id)) seen.set(c.rec.id, c);
    if (scan) scan.postings += idx.lastScan.postings;
  }
  return [...seen.values()];
}

export interface QualityResult {
  records: number;
  truePairs: number;
  trung: PRF;
  trungOrNghi: PRF;
  /** pairs among the true ones that never became candidates (key recall loss) */
  missedByKeys: number;
  hardNegativeLinks: number;
  candidatesPerRecord: number;
  featuresMs: number;
  scoringMs: number;
  decisions: Map<string, { decision: Decision; weight: number }>;
}

export function evaluateQuality(
  data: LabelledData,
  secret: string,
  opts: { limit?: number; thresholds?: Thresholds; linkages?: Map<string, DacTrungLienKet>; /** over-common threshold of the index (MemoryKeyIndex; Infinity = every key counted) */ maxPosting?: number } = {},
): QualityResult {
  const th = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const t0 = performance.now();
  const recs = data.records.map((r) => ({ id: r.localId, nn: r.body.ngayNhanDon, lk: opts.linkages?.get(r.localId) ?? computeLinkage(r.body, secret) }));
  const featuresMs = performance.now() - t0;
  recs.sort((a, b) => (a.nn < b.nn ? -1 : a.nn > b.nn ? 1 : a.id < b.id ? -1 : 1));
  const idx = new MemoryKeyIndex(opts.maxPosting);
  const truth = groupPairs(data.groups);
  const hard = new Set(data.hardNegatives.map(([a, b]) => pairKey(a, b)));
  const decisions = new Map<string, { decision: Decision; weight: number }>();
  const candidatePairs = new Set<string>();
  let compared = 0;
  const t1 = performance.now();
  for (const r of recs) {
    const cands = candidatesFor(idx, r.lk.khoa, r.id, opts.limit ?? 50);
    const fa = r.lk.dacTrung as unknown as Lk1Features;
    for (const c of cands) {
      compared++;
      const k = pairKey(r.id, c.rec.id);
      candidatePairs.add(k);
      const s = quickScore(fa, c.rec.linkage.dacTrung as unknown as Lk1Features, th);
      if (s.decision !== 'KHONG') decisions.set(k, { decision: s.decision, weight: s.weight });
    }
    idx.add({ id: r.id, ngayNhanDon: r.nn, linkage: r.lk });
  }
  const scoringMs = performance.now() - t1;
  let tpT = 0, fpT = 0, tpA = 0, fpA = 0, hardLinks = 0;
  for (const [k, d] of decisions) {
    const isTrue = truth.has(k);
    if (hard.has(k)) hardLinks++;
    if (d.decision === 'TRUNG') isTrue ? tpT++ : fpT++;
    isTrue ? tpA++ : fpA++;
  }
  let missed = 0;
  for (const k of truth) if (!candidatePairs.has(k)) missed++;
  return {
    records: recs.length,
    truePairs: truth.size,
    trung: prf(tpT, fpT, truth.size - tpT),
    trungOrNghi: prf(tpA, fpA, truth.size - tpA),
    missedByKeys: missed,
    hardNegativeLinks: hardLinks,
    candidatesPerRecord: compared / Math.max(1, recs.length),
    featuresMs,
    scoringMs,
    decisions,
  };
}

/** Baseline: link every pair with the same folded full name and province (exact match), as TRUNG. */
export function naiveNameProvince(data: LabelledData, fold: (s: string) => string): PRF {
  const byKey = new Map<string, string[]>();
  for (const r of data.records)
    for (const p of r.body.nguoiDungDon) {
      const k = `${fold(p.hoTen)}|${p.diaChi.maTinh}`;
      let l = byKey.get(k);
      if (!l) byKey.set(k, (l = []));
      l.push(r.localId);
    }
  const truth = groupPairs(data.groups);
  const linked = new Set<string>();
  for (const ids of byKey.values()) {
    const u = [...new Set(ids)];
    if (u.length > 200) continue; // a name shared by hundreds is no match signal even for the baseline
    for (let i = 0; i < u.length; i++) for (let j = i + 1; j < u.length; j++) linked.add(pairKey(u[i]!, u[j]!));
  }
  let tp = 0;
  for (const k of linked) if (truth.has(k)) tp++;
  return prf(tp, linked.size - tp, truth.size - tp);
}
