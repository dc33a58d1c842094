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
import { DEFAULT_MAX_POSTING, SlotKeyIndex } from '../contract/key-index.js';

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

/** Over-common threshold of tim-trung keys (SimulatorOptions.timTrungMaxPosting); see src/contract/key-index.ts. */
export { DEFAULT_MAX_POSTING };

/** The simulator's duplicate-key index: the shared §6 index (src/contract/key-index.ts) over stored records. */
export class KeyIndex {
  private readonly idx: SlotKeyIndex;
  private readonly recs: StoredRecord[] = [];

  constructor(maxPosting: number = DEFAULT_MAX_POSTING) {
    this.idx = new SlotKeyIndex(maxPosting);
  }

  /** postings of the last query (counted keys) and the keys it left out: tests and the benchmark watch them */
  get lastScan(): { postings: number; skippedKeys: number } {
    return this.idx.lastScan;
  }

  /** (Re)index a record under `keys` (an empty list takes it out); cancelled records stay indexed, never offered. */
  set(r: StoredRecord, keys: readonly string[]): void {
    // every ho-so-don gets its slot when created (keys or not), so slot order is creation order = id order
    const s = this.idx.slot(r.id);
    this.recs[s] = r;
    this.idx.index(s, keys, String(r.body.ngayNhanDon ?? ''), r.trangThai === 'DA_HUY');
  }

  /** Records indexed under `key`. */
  size(key: string): number {
    return this.idx.postingsOf(key);
  }

  find(keys: string[], opts: { exclude: Set<string>; tuNgay?: string; denNgay?: string; limit: number }): { found: [StoredRecord, string[]][]; more: boolean } {
    const h = this.idx.query(keys, opts);
    const shared = this.idx.sharedKeys(h);
    return { found: h.slots.map((s, i): [StoredRecord, string[]] => [this.recs[s]!, shared[i]!]), more: h.more };
  }

  clear(): void {
    this.idx.clear();
    this.recs.length = 0;
  }
}
