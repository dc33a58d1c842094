/**
 * In-process stand-in for the national `tim-trung` index (contract §6), used by tests and by
 * the benchmark at sizes where HTTP would dominate; the processor itself always asks the
 * national API. It is the simulator's own index (src/contract/key-index.ts), so it answers as
 * the simulator does: records sharing the most keys first, then the newest ngayNhanDon, then
 * the earliest indexed, up to `limit`; keys held by more than `maxPosting` records are not
 * counted (same default as the simulator; `Infinity` = every key counted, the other reading
 * of the contract — the connector must do well under both).
 */
import type { DacTrungLienKet } from '../contract/schemas.js';
import { DEFAULT_MAX_POSTING, SlotKeyIndex } from '../contract/key-index.js';

export { DEFAULT_MAX_POSTING };

export interface IndexedRecord {
  id: string;
  ngayNhanDon: string;
  linkage: DacTrungLienKet;
}

export class MemoryKeyIndex {
  private readonly idx: SlotKeyIndex;
  private readonly recs: IndexedRecord[] = [];

  constructor(maxPosting: number = DEFAULT_MAX_POSTING) {
    this.idx = new SlotKeyIndex(maxPosting);
  }

  get maxPosting(): number {
    return this.idx.maxPosting;
  }

  /** postings counted by the last query and the keys it left out as over-common (tests, benchmark) */
  get lastScan(): { postings: number; skippedKeys: number } {
    return this.idx.lastScan;
  }

  get size(): number {
    return this.recs.length;
  }

  add(r: IndexedRecord): void {
    if (this.idx.find(r.id) !== undefined) throw new Error(`MemoryKeyIndex: ${r.id} already indexed`);
    const s = this.idx.slot(r.id);
    this.recs[s] = r;
    this.idx.index(s, r.linkage.khoa, r.ngayNhanDon);
  }

  get(id: string): IndexedRecord | undefined {
    const s = this.idx.find(id);
    return s === undefined ? undefined : this.recs[s];
  }

  /** Number of records holding `key` (its posting length). */
  postings(key: string): number {
    return this.idx.postingsOf(key);
  }

  /** Candidates for `khoa`: most shared keys first, then newest ngayNhanDon, then earliest indexed; `exclude` left out. */
  query(khoa: readonly string[], opts: { exclude?: readonly string[]; limit?: number } = {}): { rec: IndexedRecord; shared: number }[] {
    const h = this.idx.query(khoa, { exclude: opts.exclude, limit: opts.limit ?? 50 });
    return h.slots.map((s, i) => ({ rec: this.recs[s]!, shared: h.shared[i]! }));
  }
}
