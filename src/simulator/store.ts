/**
 * The simulator's national database: records of both kinds, the duplicate-key index
 * and the duplicate links. In memory; `toJSON`/`load` for the optional snapshot file.
 *
 * capNhatLuc comes from one strictly monotonic clock per store (wall clock in ms, bumped
 * by 1 ms when two writes share a millisecond), so (capNhatLuc, id) is a total order in
 * which every write moves its record to the end: a cursor holding the last
 * (capNhatLuc, id) seen can never skip a record that did not change during the walk.
 */
import type { RecordKind } from '../contract/schemas.js';
import type { InspectRecord } from './types.js';

export type TrangThai = 'HOAT_DONG' | 'DA_HUY';

export interface StoredRecord {
  kind: RecordKind;
  id: string;
  maDonVi: string;
  maNguon: string;
  phienBanNguon: number;
  body: Record<string, unknown>;
  bamNoiDung: string;
  capNhatLuc: string;
  trangThai: TrangThai;
  lyDoHuy?: string;
  creates: number;
  updates: number;
  noops: number;
}

export interface StoredLink {
  maLienKet: string;
  maHoSo: string;
  maHoSoKhac: string;
  maDonVi: string;
  maDonViKhac: string;
  mucDo: 'TRUNG' | 'NGHI_TRUNG';
  diem: number;
  lyDo?: string;
  xacNhanBoi?: string;
  taoBoi: string;
  trangThai: 'HIEU_LUC' | 'DA_GO';
  capNhatLuc: string;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

const ID_PREFIX: Record<RecordKind, string> = { 'ho-so-don': 'HS', 'luot-tiep': 'LT' };

export function encodeCursor(capNhatLuc: string, id: string): string {
  return Buffer.from(JSON.stringify([capNhatLuc, id]), 'utf8').toString('base64url');
}
export function decodeCursor(s: string): [string, string] | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* fallthrough */
  }
  return undefined;
}

export class Store {
  private lastMs = 0;
  private seq = 0;
  readonly records = new Map<string, StoredRecord>(); // by national id
  readonly bySource = new Map<string, string>(); // `${kind}|${maDonVi}|${maNguon}` → id
  /** the duplicate-key index (§6), see KeyIndex */
  readonly keys: KeyIndex;
  readonly links = new Map<string, StoredLink>(); // by maLienKet
  readonly linkByPair = new Map<string, string>();
  cancels = 0;

  constructor(private readonly now: () => Date, opts: { maxPosting?: number } = {}) {
    this.keys = new KeyIndex(opts.maxPosting);
  }

  /** Strictly increasing RFC 3339 timestamp (UTC, milliseconds). */
  stamp(): string {
    const ms = Math.max(this.now().getTime(), this.lastMs + 1);
    this.lastMs = ms;
    return new Date(ms).toISOString();
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${String(this.seq).padStart(9, '0')}`;
  }

  static sourceKey(kind: RecordKind, maDonVi: string, maNguon: string): string {
    return `${kind}|${maDonVi}|${maNguon}`;
  }

  findBySource(kind: RecordKind, maDonVi: string, maNguon: string): StoredRecord | undefined {
    const id = this.bySource.get(Store.sourceKey(kind, maDonVi, maNguon));
    return id ? this.records.get(id) : undefined;
  }

  get(kind: RecordKind, id: string): StoredRecord | undefined {
    const r = this.records.get(id);
    return r && r.kind === kind ? r : undefined;
  }

  create(kind: RecordKind, maDonVi: string, maNguon: string, body: Record<string, unknown>, bam: string): StoredRecord {
    const r: StoredRecord = {
      kind,
      id: this.nextId(ID_PREFIX[kind]),
      maDonVi,
      maNguon,
      phienBanNguon: body.phienBanNguon as number,
      body,
      bamNoiDung: bam,
      capNhatLuc: this.stamp(),
      trangThai: 'HOAT_DONG',
      creates: 1,
      updates: 0,
      noops: 0,
    };
    this.records.set(r.id, r);
    this.bySource.set(Store.sourceKey(kind, maDonVi, maNguon), r.id);
    this.index(r);
    return r;
  }

  update(r: StoredRecord, body: Record<string, unknown>, bam: string): void {
    r.body = body;
    r.bamNoiDung = bam;
    r.phienBanNguon = body.phienBanNguon as number;
    r.capNhatLuc = this.stamp();
    r.updates += 1;
    this.index(r);
  }

  cancel(r: StoredRecord, lyDo: string): boolean {
    if (r.trangThai === 'DA_HUY') return false;
    r.trangThai = 'DA_HUY';
    r.lyDoHuy = lyDo;
    r.capNhatLuc = this.stamp();
    this.cancels += 1;
    if (r.kind === 'ho-so-don') this.keys.set(r, this.keysOf(r));
    return true;
  }

  private keysOf(r: StoredRecord): string[] {
    if (r.kind !== 'ho-so-don') return [];
    const d = r.body.dacTrungLienKet as { khoa?: unknown } | undefined;
    return Array.isArray(d?.khoa) ? (d.khoa as string[]) : [];
  }
  private index(r: StoredRecord): void {
    if (r.kind === 'ho-so-don') this.keys.set(r, this.keysOf(r));
  }

  /**
   * tim-trung (§6): the `limit` live records sharing the most keys, then newest ngayNhanDon, then
   * smallest id, each with its shared keys (in query order); `more` when further records qualify
   * or a key was left out as over-common (KeyIndex).
   */
  findByKeys(keys: string[], opts: { exclude: Set<string>; tuNgay?: string; denNgay?: string; limit: number }): { found: [StoredRecord, string[]][]; more: boolean } {
    return this.keys.find(keys, opts);
  }

  /** Paged walk in (capNhatLuc, id) order. */
  page<T extends { capNhatLuc: string }>(all: Iterable<T>, idOf: (t: T) => string, q: { capNhatTu?: string; after?: [string, string]; limit: number }): Page<T> {
    const rows: T[] = [];
    for (const t of all) {
      if (q.capNhatTu && t.capNhatLuc < q.capNhatTu) continue;
      if (q.after) {
        const [c, id] = q.after;
        if (t.capNhatLuc < c || (t.capNhatLuc === c && idOf(t) <= id)) continue;
      }
      rows.push(t);
    }
    rows.sort((a, b) => (a.capNhatLuc < b.capNhatLuc ? -1 : a.capNhatLuc > b.capNhatLuc ? 1 : idOf(a) < idOf(b) ? -1 : 1));
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > q.limit && last ? encodeCursor(last.capNhatLuc, idOf(last)) : null };
  }

  recordsOf(kind: RecordKind, maDonVi: string): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const r of this.records.values()) if (r.kind === kind && r.maDonVi === maDonVi) out.push(r);
    return out;
  }

  linksOf(maDonVi: string): StoredLink[] {
    const out: StoredLink[] = [];
    for (const l of this.links.values()) if (l.maDonVi === maDonVi || l.maDonViKhac === maDonVi) out.push(l);
    return out;
  }

  static pairKey(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  inspectRecords(): Record<string, InspectRecord> {
    const out: Record<string, InspectRecord> = {};
    for (const r of this.records.values()) {
      out[Store.sourceKey(r.kind, r.maDonVi, r.maNguon)] = {
        kind: r.kind,
        maDonVi: r.maDonVi,
        maNguon: r.maNguon,
        nationalId: r.id,
        maHoSo: r.id,
        creates: r.creates,
        updates: r.updates,
        noops: r.noops,
        phienBanNguon: r.phienBanNguon,
        bamNoiDung: r.bamNoiDung,
        trangThai: r.trangThai,
        capNhatLuc: r.capNhatLuc,
      };
    }
    return out;
  }

  clear(): void {
    this.records.clear();
    this.bySource.clear();
    this.keys.clear();
    this.links.clear();
    this.linkByPair.clear();
    this.cancels = 0;
  }

  toJSON(): unknown {
    return { lastMs: this.lastMs, seq: this.seq, cancels: this.cancels, records: [...this.records.values()], links: [...this.links.values()] };
  }

  load(snap: { lastMs?: number; seq?: number; cancels?: number; records?: StoredRecord[]; links?: StoredLink[] }): void {
    this.clear();
    this.lastMs = snap.lastMs ?? 0;
    this.seq = snap.seq ?? 0;
    this.cancels = snap.cancels ?? 0;
    for (const r of snap.records ?? []) {
      this.records.set(r.id, r);
      this.bySource.set(Store.sourceKey(r.kind, r.maDonVi, r.maNguon), r.id);
      this.index(r);
    }
    for (const l of snap.links ?? []) {
      this.links.set(l.maLienKet, l);
      this.linkByPair.set(Store.pairKey(l.maHoSo, l.maHoSoKhac), l.maLienKet);
    }
  }
}

/**
 * The national duplicate-key index: records are numbered (slots) as first indexed, postings are
 * arrays of slots, and a query counts shared keys in typed arrays stamped per query — O(sum of
 * the query keys' postings) with a few ns per posting, then O(touched + limit·log limit) to pick
 * the answer (a counting pass by shared keys, then the newest of the bucket the limit falls in),
 * never a sort of every record found.
 *
 * Over-common keys (*sim* gateway rule, README "tim-trung"): a query key held by more than
 * `maxPosting` records (default 500) is not counted — a content band hit by the boilerplate of
 * thousands of petitions, or the accused "UBND xã …" of a whole province, says nothing about
 * duplicates and would make every query cost O(N). Its records are still found through the
 * other keys; `khoaChung` lists only counted keys and the answer says `conNua: true` (it is not
 * all there is). `Infinity` counts every key.
 */
/** Over-common threshold of tim-trung keys (SimulatorOptions.timTrungMaxPosting). */
export const DEFAULT_MAX_POSTING = 500;

export class KeyIndex {
  /** postings of the last query (counted keys) and the keys it left out: tests and the benchmark watch them */
  lastScan = { postings: 0, skippedKeys: 0 };

  constructor(readonly maxPosting: number = DEFAULT_MAX_POSTING) {}

  private readonly slotOf = new Map<string, number>();
  private readonly recs: StoredRecord[] = [];
  /** keys each slot is indexed under, without repeats (for removal and khoaChung) */
  private readonly held: (readonly string[])[] = [];
  private readonly postings = new Map<string, number[]>();
  /** ngayNhanDon as YYYYMMDD, per slot */
  private day = new Int32Array(1024);
  private count = new Uint8Array(1024);
  private stamp = new Uint32Array(1024);
  /** 1 = cancelled (DA_HUY): indexed, never offered */
  private dead = new Uint8Array(1024);
  private epoch = 0;

  /** (Re)index a record under `keys` (an empty list takes it out). */
  set(r: StoredRecord, keys: readonly string[]): void {
    let slot = this.slotOf.get(r.id);
    if (slot === undefined) {
      // every ho-so-don gets its slot when created (keys or not), so slot order is creation order = id order
      slot = this.recs.length;
      this.slotOf.set(r.id, slot);
      this.recs.push(r);
      this.held.push([]);
      if (slot >= this.day.length) this.grow();
    }
    this.recs[slot] = r;
    const old = this.held[slot]!;
    const next = new Set(keys);
    const had = new Set(old);
    for (const k of old) {
      if (next.has(k)) continue;
      const l = this.postings.get(k)!;
      const i = l.indexOf(slot);
      l[i] = l[l.length - 1]!;
      l.pop();
      if (l.length === 0) this.postings.delete(k);
    }
    for (const k of next) {
      if (had.has(k)) continue;
      let l = this.postings.get(k);
      if (!l) this.postings.set(k, (l = []));
      l.push(slot);
    }
    this.held[slot] = next.size === keys.length ? keys : [...next];
    this.day[slot] = dayNumber(r.body.ngayNhanDon);
    this.dead[slot] = r.trangThai === 'DA_HUY' ? 1 : 0;
  }

  /** Records indexed under `key`. */
  size(key: string): number {
    return this.postings.get(key)?.length ?? 0;
  }

  find(keys: string[], opts: { exclude: Set<string>; tuNgay?: string; denNgay?: string; limit: number }): { found: [StoredRecord, string[]][]; more: boolean } {
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const ep = this.epoch;
    const { count, stamp, day, recs } = this;
    const EXCLUDED = 255;
    for (const id of opts.exclude) {
      const s = this.slotOf.get(id);
      if (s !== undefined) {
        stamp[s] = ep;
        count[s] = EXCLUDED;
      }
    }
    const q: string[] = [];
    let skipped = 0;
    let scanned = 0;
    for (const k of new Set(keys)) {
      if ((this.postings.get(k)?.length ?? 0) > this.maxPosting) skipped++;
      else q.push(k);
    }
    const touched: number[] = [];
    let maxC = 0;
    for (const k of q) {
      const l = this.postings.get(k);
      if (!l) continue;
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
      if (d < from || d > to || this.dead[s] === 1) continue;
      (buckets[c] ??= []).push(s);
      eligible++;
    }
    // ties: the smaller id = the earlier slot (slots are given in creation order; ids grow with it)
    const before = (a: number, b: number) => day[a]! > day[b]! || (day[a] === day[b] && a < b);
    const picked: number[] = [];
    for (let c = maxC; c >= 1 && picked.length < opts.limit; c--) {
      const b = buckets[c];
      if (!b) continue;
      const need = opts.limit - picked.length;
      if (b.length <= need) picked.push(...b.sort((x, y) => (before(x, y) ? -1 : 1)));
      else {
        const top: number[] = [];
        for (const s of b) {
          if (top.length === need && !before(s, top[need - 1]!)) continue;
          let i = top.length;
          while (i > 0 && before(s, top[i - 1]!)) i--;
          top.splice(i, 0, s);
          if (top.length > need) top.pop();
        }
        picked.push(...top);
      }
    }
    const pos = new Map<string, number>();
    q.forEach((k, i) => pos.set(k, i));
    const found = picked.map((s): [StoredRecord, string[]] => {
      const at: number[] = [];
      for (const k of this.held[s]!) {
        const i = pos.get(k);
        if (i !== undefined) at.push(i);
      }
      return [recs[s]!, at.sort((x, y) => x - y).map((i) => q[i]!)];
    });
    this.lastScan = { postings: scanned, skippedKeys: skipped };
    return { found, more: eligible > picked.length || skipped > 0 };
  }

  clear(): void {
    this.slotOf.clear();
    this.recs.length = 0;
    this.held.length = 0;
    this.postings.clear();
    this.epoch = 0;
    this.stamp.fill(0);
    this.dead.fill(0);
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
    const dd = new Uint8Array(n);
    dd.set(this.dead);
    this.dead = dd;
  }
}

/** A YYYY-MM-DD date as YYYYMMDD (ordering only; anything else sorts as oldest). */
function dayNumber(d: unknown): number {
  const s = String(d);
  const n = Number(s.slice(0, 4)) * 10000 + Number(s.slice(5, 7)) * 100 + Number(s.slice(8, 10));
  return Number.isFinite(n) ? n : 0;
}
