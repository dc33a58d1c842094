import { describe, it, expect } from 'vitest';
import { Store, type StoredRecord } from '../../src/simulator/store.js';

/** The contract's answer, computed the obvious way: every record sharing a key, sorted. */
function reference(store: Store, keys: string[], o: { exclude: Set<string>; tuNgay?: string; denNgay?: string; limit: number }) {
  const q = [...new Set(keys)];
  const rows: [StoredRecord, string[]][] = [];
  for (const r of store.records.values()) {
    if (r.kind !== 'ho-so-don' || r.trangThai === 'DA_HUY' || o.exclude.has(r.id)) continue;
    const held = new Set((r.body.dacTrungLienKet as { khoa: string[] }).khoa);
    const shared = q.filter((k) => held.has(k));
    const d = String(r.body.ngayNhanDon);
    if (!shared.length || (o.tuNgay && d < o.tuNgay) || (o.denNgay && d > o.denNgay)) continue;
    rows.push([r, shared]);
  }
  rows.sort((a, b) => b[1].length - a[1].length || (String(b[0].body.ngayNhanDon) < String(a[0].body.ngayNhanDon) ? -1 : String(b[0].body.ngayNhanDon) > String(a[0].body.ngayNhanDon) ? 1 : 0) || (a[0].id < b[0].id ? -1 : 1));
  return { found: rows.slice(0, o.limit).map(([r, k]) => [r.id, k]), more: rows.length > o.limit };
}

describe('simulator tim-trung index', () => {
  it('answers exactly as a full sort of every record sharing a key (creates, updates, cancels, exclusions, dates, ties, limits)', () => {
    let seed = 99;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const store = new Store(() => new Date('2026-01-01T00:00:00Z'));
    // a skewed key space: key 0 is held by most records (an over-common key), higher keys by few
    const keysOf = () => [...new Set(Array.from({ length: 1 + rnd(8) }, () => `k:${Math.floor(Math.sqrt(rnd(400)) * (rnd(3) === 0 ? 0 : 1)) * 7 + rnd(3)}`))];
    const body = (i: number) => ({ ngayNhanDon: `2025-0${1 + rnd(3)}-1${rnd(3)}`, dacTrungLienKet: { thuatToan: 't', khoa: keysOf(), dacTrung: {} }, phienBanNguon: 1, i });
    const recs: StoredRecord[] = [];
    for (let i = 0; i < 1500; i++) recs.push(store.create('ho-so-don', 'D', `S${i}`, body(i), 'h'));
    for (let i = 0; i < 50; i++) store.create('luot-tiep', 'D', `L${i}`, { ...body(i) }, 'h'); // never indexed
    for (let i = 0; i < 300; i++) store.update(recs[rnd(recs.length)]!, body(i), 'h2');
    for (let i = 0; i < 100; i++) store.cancel(recs[rnd(recs.length)]!, 'x');
    store.update(recs[0]!, { ...body(0), dacTrungLienKet: { thuatToan: 'none', khoa: [], dacTrung: {} } }, 'h3'); // taken out of the index
    let compared = 0;
    for (let t = 0; t < 400; t++) {
      const keys = [...keysOf(), ...(t % 5 === 0 ? ['k:0', 'k:0', 'nobody'] : [])];
      const o = {
        exclude: new Set(Array.from({ length: rnd(4) }, () => recs[rnd(recs.length)]!.id)),
        limit: [1, 5, 50, 200][rnd(4)]!,
        ...(t % 3 === 0 ? { tuNgay: '2025-02-10' } : {}),
        ...(t % 4 === 0 ? { denNgay: '2025-03-11' } : {}),
      };
      const got = store.findByKeys(keys, o);
      expect({ found: got.found.map(([r, k]) => [r.id, k]), more: got.more }).toEqual(reference(store, keys, o));
      compared += got.found.length;
    }
    expect(compared).toBeGreaterThan(1000);
    expect(store.findByKeys(['k:0'], { exclude: new Set(), limit: 200 }).found.map(([r]) => r.id)).not.toContain(recs[0]!.id);
  });

  it('survives a snapshot round trip and a reset', () => {
    const store = new Store(() => new Date('2026-01-01T00:00:00Z'));
    const a = store.create('ho-so-don', 'D', 'A', { ngayNhanDon: '2025-01-01', dacTrungLienKet: { khoa: ['x', 'y'] } }, 'h');
    store.create('ho-so-don', 'D', 'B', { ngayNhanDon: '2025-02-01', dacTrungLienKet: { khoa: ['x'] } }, 'h');
    const copy = new Store(() => new Date());
    copy.load(JSON.parse(JSON.stringify(store.toJSON())));
    const ids = (s: Store) => s.findByKeys(['x', 'y'], { exclude: new Set(), limit: 10 }).found.map(([r, k]) => [r.maNguon, k]);
    expect(ids(copy)).toEqual([['A', ['x', 'y']], ['B', ['x']]]);
    expect(ids(copy)).toEqual(ids(store));
    store.clear();
    expect(ids(store)).toEqual([]);
    expect(store.findByKeys(['x'], { exclude: new Set([a.id]), limit: 10 }).more).toBe(false);
  });
});
