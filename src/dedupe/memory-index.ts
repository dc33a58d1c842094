/**
 * In-process stand-in for the national `tim-trung` index (contract §6): records are
 * indexed by their lk1 keys; a query returns the records sharing the most keys first,
 * then the newest ngayNhanDon, up to `gioiHan`. Used by tests and by the benchmark at
 * sizes where HTTP would dominate; the processor itself always asks the national API.
 */
import type { DacTrungLienKet } from '../contract/schemas.js';

export interface IndexedRecord {
  id: string;
  ngayNhanDon: string;
  linkage: DacTrungLienKet;
}

export class MemoryKeyIndex {
  private readonly byKey = new Map<string, string[]>();
  private readonly recs = new Map<string, IndexedRecord>();

  /**
   * Keys held by more than `maxPosting` records are treated as stop keys and skipped
   * when counting (block purging): a content band shared by thousands of petitions of
   * one kind says nothing about duplicates and would make every query cost O(N).
   */
  constructor(readonly maxPosting: number = 500) {}

  get size(): number {
    return this.recs.size;
  }

  add(r: IndexedRecord): void {
    this.recs.set(r.id, r);
    for (const k of r.linkage.khoa) {
      let l = this.byKey.get(k);
      if (!l) this.byKey.set(k, (l = []));
      l.push(r.id);
    }
  }

  get(id: string): IndexedRecord | undefined {
    return this.recs.get(id);
  }

  /** Candidates for `khoa`: most shared keys first, then newest ngayNhanDon; `exclude` left out. */
  query(khoa: readonly string[], opts: { exclude?: readonly string[]; limit?: number } = {}): { rec: IndexedRecord; shared: number }[] {
    const limit = opts.limit ?? 50;
    const ex = new Set(opts.exclude ?? []);
    const counts = new Map<string, number>();
    for (const k of khoa) {
      const ids = this.byKey.get(k);
      if (!ids || ids.length > this.maxPosting) continue;
      for (const id of ids) if (!ex.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // Counting sort by shared keys (≤ 64), then the newest `need` of a bucket without sorting all of it.
    const buckets: string[][] = [];
    for (const [id, c] of counts) (buckets[c] ??= []).push(id);
    const out: { rec: IndexedRecord; shared: number }[] = [];
    for (let c = buckets.length - 1; c >= 1 && out.length < limit; c--) {
      const b = buckets[c];
      if (!b) continue;
      for (const rec of newest(b.map((id) => this.recs.get(id)!), limit - out.length)) out.push({ rec, shared: c });
    }
    return out;
  }
}

/** The `k` records with the newest ngayNhanDon, newest first (a bounded insertion, O(n·k) worst case). */
function newest(recs: IndexedRecord[], k: number): IndexedRecord[] {
  if (recs.length <= k) return recs.sort((x, y) => (x.ngayNhanDon < y.ngayNhanDon ? 1 : x.ngayNhanDon > y.ngayNhanDon ? -1 : 0));
  const top: IndexedRecord[] = [];
  for (const r of recs) {
    if (top.length === k && r.ngayNhanDon <= top[k - 1]!.ngayNhanDon) continue;
    let i = top.length;
    while (i > 0 && top[i - 1]!.ngayNhanDon < r.ngayNhanDon) i--;
    top.splice(i, 0, r);
    if (top.length > k) top.pop();
  }
  return top;
}
