/**
 * The duplicate-key index behind `tim-trung` (contract §6), shared by the simulator's national
 * store and the connector's in-process stand-in (src/dedupe/memory-index.ts, used by tests and
 * the benchmark). One implementation, so the stand-in answers exactly as the simulator does.
 *
 * Answer order (§6): records sharing the most query keys first, then the newest `ngayNhanDon`,
 * then the earliest created (slots are given in creation order). Records excluded by the
 * caller, cancelled ones and those outside `tuNgay`/`denNgay` are never offered.
 *
 * Over-common keys (a gateway rule, src/simulator/README.md "tim-trung"): a query key held by
 * more than `maxPosting` records is not counted — it tells nothing about duplicates and counting
 * it would make every query O(N). `maxPosting: Infinity` counts every key (the other reading of §6).
 *
 * Records are numbered ("slots") in the order they are first seen; postings are arrays of slots;
 * a query counts shared keys in typed arrays stamped per query, and picks its answer per
 * shared-key bucket (no sort of everything found). Callers keep their own records by slot.
 */

/** Keys held by more records than this are not counted by default. */
export const DEFAULT_MAX_POSTING = 500;

const EXCLUDED = 255;

export interface KeyIndexHits {
  /** slots of the answer, best first */
  slots: number[];
  /** keys shared with the query, per answer slot */
  shared: number[];
  /** the query keys that were counted (deduplicated, in query order) */
  counted: string[];
  /** true when eligible records were left out by the limit, or a key was not counted */
  more: boolean;
}

export class SlotKeyIndex {
  /** postings counted by the last query and the keys it left out as over-common (tests, benchmark) */
  lastScan = { postings: 0, skippedKeys: 0 };

  private readonly slotOf = new Map<string, number>();
  /** keys each slot is indexed under, without repeats (for re-indexing and shared keys) */
  private readonly held: (readonly string[])[] = [];
  private readonly postings = new Map<string, number[]>();
  /** ngayNhanDon as YYYYMMDD, per slot */
  private day = new Int32Array(1024);
  private count = new Uint8Array(1024);
  private stamp = new Uint32Array(1024);
  /** 1 = never offered (cancelled) */
  private dead = new Uint8Array(1024);
  private epoch = 0;

  constructor(readonly maxPosting: number = DEFAULT_MAX_POSTING) {}

  /** Number of slots given. */
  get size(): number {
    return this.held.length;
  }

  /** The slot of `id`, if it has one. */
  find(id: string): number | undefined {
    return this.slotOf.get(id);
  }

  /** The slot of `id`, given now (the next number) if it has none. */
  slot(id: string): number {
    let s = this.slotOf.get(id);
    if (s === undefined) {
      s = this.held.length;
      this.slotOf.set(id, s);
      this.held.push([]);
      if (s >= this.day.length) this.grow();
    }
    return s;
  }

  /** (Re)index `slot` under `keys` (an empty list takes it out), with its ngayNhanDon and whether it may be offered. */
  index(slot: number, keys: readonly string[], ngayNhanDon: string, dead = false): void {
    const old = this.held[slot]!;
    const next = new Set(keys);
    for (const k of old) {
      if (next.has(k)) continue;
      const l = this.postings.get(k)!;
      const i = l.indexOf(slot);
      l[i] = l[l.length - 1]!;
      l.pop();
      if (l.length === 0) this.postings.delete(k);
    }
    const had = old.length > 0 ? new Set(old) : undefined;
    for (const k of next) {
      if (had?.has(k)) continue;
      let l = this.postings.get(k);
      if (!l) this.postings.set(k, (l = []));
      l.push(slot);
    }
    this.held[slot] = next.size === keys.length ? keys : [...next];
    this.day[slot] = dayNumber(ngayNhanDon);
    this.dead[slot] = dead ? 1 : 0;
  }

  /** Number of records holding `key` (its posting length). */
  postingsOf(key: string): number {
    return this.postings.get(key)?.length ?? 0;
  }

  /** The answer to a query with `keys` (see the module comment for the order). */
  query(keys: readonly string[], opts: { exclude?: Iterable<string>; tuNgay?: string; denNgay?: string; limit: number }): KeyIndexHits {
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const ep = this.epoch;
    const { count, stamp, day, dead } = this;
    // excluded records are stamped with a count that can never be reached (keys per record ≤ 64)
    for (const id of opts.exclude ?? []) {
      const s = this.slotOf.get(id);
      if (s !== undefined) {
        stamp[s] = ep;
        count[s] = EXCLUDED;
      }
    }
    const counted: string[] = [];
    let skipped = 0;
    let scanned = 0;
    const touched: number[] = [];
    let maxC = 0;
    for (const k of new Set(keys)) {
      const l = this.postings.get(k);
      if (!l) {
        counted.push(k);
        continue;
      }
      if (l.length > this.maxPosting) {
        skipped++;
        continue;
      }
      counted.push(k);
      scanned += l.length;
      for (let i = 0; i < l.length; i++) {
        const s = l[i]!;
        if (stamp[s] !== ep) {
          stamp[s] = ep;
          count[s] = 1;
          touched.push(s);
          if (maxC === 0) maxC = 1;
        } else if (count[s] !== EXCLUDED) {
          const c = ++count[s]!;
          if (c > maxC) maxC = c;
        }
      }
    }
    const from = opts.tuNgay ? dayNumber(opts.tuNgay) : -Infinity;
    const to = opts.denNgay ? dayNumber(opts.denNgay) : Infinity;
    const buckets: number[][] = [];
    let eligible = 0;
    for (const s of touched) {
      const c = count[s]!;
      if (c === EXCLUDED) continue;
      const d = day[s]!;
      if (d < from || d > to || dead[s] === 1) continue;
      (buckets[c] ??= []).push(s);
      eligible++;
    }
    const before = (a: number, b: number) => day[a]! > day[b]! || (day[a] === day[b] && a < b);
    const slots: number[] = [];
    const shared: number[] = [];
    for (let c = maxC; c >= 1 && slots.length < opts.limit; c--) {
      const b = buckets[c];
      if (!b) continue;
      const need = opts.limit - slots.length;
      let top: number[];
      if (b.length <= need) top = b.sort((x, y) => (before(x, y) ? -1 : 1));
      else {
        top = [];
        for (const s of b) {
          if (top.length === need && !before(s, top[need - 1]!)) continue;
          let i = top.length;
          while (i > 0 && before(s, top[i - 1]!)) i--;
          top.splice(i, 0, s);
          if (top.length > need) top.pop();
        }
      }
      for (const s of top) {
        slots.push(s);
        shared.push(c);
      }
    }
    this.lastScan = { postings: scanned, skippedKeys: skipped };
    return { slots, shared, counted, more: eligible > slots.length || skipped > 0 };
  }

  /** For each slot of `hits`, the counted query keys it holds, in query order (the answer's khoaChung). */
  sharedKeys(hits: KeyIndexHits): string[][] {
    const pos = new Map<string, number>();
    hits.counted.forEach((k, i) => pos.set(k, i));
    return hits.slots.map((slot) => {
      const at: number[] = [];
      for (const k of this.held[slot]!) {
        const i = pos.get(k);
        if (i !== undefined) at.push(i);
      }
      return at.sort((x, y) => x - y).map((i) => hits.counted[i]!);
    });
  }

  clear(): void {
    this.slotOf.clear();
    this.held.length = 0;
    this.postings.clear();
    this.epoch = 0;
    this.stamp.fill(0);
    this.dead.fill(0);
  }

  private grow(): void {
    const n = this.day.length * 2;
    this.day = grown(this.day, n);
    this.count = grown(this.count, n);
    this.stamp = grown(this.stamp, n);
    this.dead = grown(this.dead, n);
  }
}

/** A copy of `a` with room for `n` elements. */
function grown<T extends Int32Array | Uint8Array | Uint32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (len: number) => T)(n);
  b.set(a);
  return b;
}

/** YYYY-MM-DD → YYYYMMDD (ordering only); anything else sorts as oldest. */
function dayNumber(d: string): number {
  const n = Number(d.slice(0, 4)) * 10000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10));
  return Number.isFinite(n) ? n : 0;
}
