/**
 * In-process stand-in for the national `tim-trung` index (contract §6): records are
 * indexed by their lk1 keys; a query returns the records sharing the most keys first,
 * then the newest ngayNhanDon (then the earliest indexed), up to `limit`. Used by tests
 * and by the benchmark at sizes where HTTP would dominate; the processor itself always
 * asks the national API.
 *
 * Over-common keys follow the simulator's gateway rule (src/simulator/README.md, same default): a key
 * held by more than `maxPosting` records says nothing about duplicates (a content band hit
 * by the boilerplate of thousands of petitions of one kind, the accused "UBND xã …" of a
 * whole province) and is left out of the count, so a query costs O(maxPosting × keys),
 * whatever the size of the index. `maxPosting: Infinity` is the other reading of the
 * contract (every key counted, O(N) per query); the connector must do well under both.
 *
 * Records are numbered as they are added; postings are arrays of those numbers and a
 * query counts in a typed array stamped per query (no Map of string ids per query).
 */
import type { DacTrungLienKet } from '../contract/schemas.js';

export interface IndexedRecord {
  id: string;
  ngayNhanDon: string;
  linkage: DacTrungLienKet;
}

/** The default over-common threshold; the simulator's default (src/simulator/store.ts) is the same. */
export const DEFAULT_MAX_POSTING = 500;

export class MemoryKeyIndex {
  private readonly byKey = new Map<string, number[]>();
  private readonly recs: IndexedRecord[] = [];
  private readonly seqOf = new Map<string, number>();
  /** ngayNhanDon as YYYYMMDD */
  private day = new Int32Array(1024);
  private count = new Uint8Array(1024);
  private stamp = new Uint32Array(1024);
  private epoch = 0;
  /** postings counted by the last query and the keys it left out as over-common (tests, benchmark) */
  lastScan = { postings: 0, skippedKeys: 0 };

  constructor(readonly maxPosting: number = DEFAULT_MAX_POSTING) {}

  get size(): number {
    return this.recs.length;
  }

  add(r: IndexedRecord): void {
    if (this.seqOf.has(r.id)) throw new Error(`MemoryKeyIndex: ${r.id} already indexed`);
    const seq = this.recs.length;
    this.recs.push(r);
    this.seqOf.set(r.id, seq);
    if (seq >= this.day.length) this.grow();
    this.day[seq] = dayNumber(r.ngayNhanDon);
    for (const k of new Set(r.linkage.khoa)) {
      let l = this.byKey.get(k);
      if (!l) this.byKey.set(k, (l = []));
      l.push(seq);
    }
  }

  get(id: string): IndexedRecord | undefined {
    const s = this.seqOf.get(id);
    return s === undefined ? undefined : this.recs[s];
  }

  /** Number of records holding `key` (its posting length). */
  postings(key: string): number {
    return this.byKey.get(key)?.length ?? 0;
  }

  /** Candidates for `khoa`: most shared keys first, then newest ngayNhanDon, then earliest indexed; `exclude` left out. */
  query(khoa: readonly string[], opts: { exclude?: readonly string[]; limit?: number } = {}): { rec: IndexedRecord; shared: number }[] {
    const limit = opts.limit ?? 50;
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const ep = this.epoch;
    const { count, stamp } = this;
    // excluded records are stamped with a count that can never be reached (keys ≤ 64)
    for (const id of opts.exclude ?? []) {
      const s = this.seqOf.get(id);
      if (s !== undefined) {
        stamp[s] = ep;
        count[s] = 255;
      }
    }
    const touched: number[] = [];
    let maxC = 0;
    let scanned = 0;
    let skipped = 0;
    for (const k of new Set(khoa)) {
      const ids = this.byKey.get(k);
      if (!ids) continue;
      if (ids.length > this.maxPosting) {
        skipped++;
        continue;
      }
      scanned += ids.length;
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i]!;
        if (stamp[s] !== ep) {
          stamp[s] = ep;
          count[s] = 1;
          touched.push(s);
          if (maxC < 1) maxC = 1;
        } else if (count[s] !== 255) {
          const c = ++count[s]!;
          if (c > maxC) maxC = c;
        }
      }
    }
    this.lastScan = { postings: scanned, skippedKeys: skipped };
    // Counting sort by shared keys, then the newest `need` of the bucket where the limit falls.
    const buckets: number[][] = [];
    for (const s of touched) {
      const c = count[s]!;
      if (c !== 255) (buckets[c] ??= []).push(s);
    }
    const out: { rec: IndexedRecord; shared: number }[] = [];
    for (let c = maxC; c >= 1 && out.length < limit; c--) {
      const b = buckets[c];
      if (!b) continue;
      for (const s of this.newest(b, limit - out.length)) out.push({ rec: this.recs[s]!, shared: c });
    }
    return out;
  }

  /** The `k` of `seqs` with the newest day (then the smallest seq), in that order. */
  private newest(seqs: number[], k: number): number[] {
    const day = this.day;
    const before = (a: number, b: number) => day[a]! > day[b]! || (day[a] === day[b] && a < b);
    if (seqs.length <= k) return seqs.sort((a, b) => (before(a, b) ? -1 : 1));
    const top: number[] = [];
    for (const s of seqs) {
      if (top.length === k && !before(s, top[k - 1]!)) continue;
      let i = top.length;
      while (i > 0 && before(s, top[i - 1]!)) i--;
      top.splice(i, 0, s);
      if (top.length > k) top.pop();
    }
    return top;
  }

  private grow(): void {
    const n = this.day.length * 2;
    const d = new Int32Array(n);
    d.set(this.day);
    this.day = d;
    const c = new Uint8Array(n);
    c.set(this.count);
    this.count = c;
    const st = new Uint32Array(n);
    st.set(this.stamp);
    this.stamp = st;
  }
}

/** YYYY-MM-DD → YYYYMMDD (ordering only); anything else sorts as oldest. */
function dayNumber(d: string): number {
  const n = Number(d.slice(0, 4)) * 10000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10));
  return Number.isFinite(n) ? n : 0;
}
