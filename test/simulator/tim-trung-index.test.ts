import { describe, it, expect } from 'vitest';
import { Store, type StoredRecord } from '../../src/simulator/store.js';

/** The contract's answer, computed the obvious way: every record sharing a key, sorted. */
function reference(store: Store, keys: string[], o: { exclude: Set<string>; tuNgay?: string; denNgay?: string; limit: number }, maxPosting = Infinity) {
  const holders = (k: string) => [...store.records.values()].filter((r) => r.kind === 'ho-so-don' && (r.body.dacTrungLienKet as { khoa: string[] }).khoa.includes(k)).length;
  const all = [...new Set(keys)];
  const q = all.filter((k) => holders(k) <= maxPosting);
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
  return { found: rows.slice(0, o.limit).map(([r, k]) => [r.id, k]), more: rows.length > o.limit || q.length < all.length };
}

describe('simulator tim-trung index', () => {
  it.each([Infinity, 120])('answers as a full sort of every record sharing a counted key (keys held by > %s records not counted; creates, updates, cancels, exclusions, dates, ties, limits)', (maxPosting) => {
    let seed = 99;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const store = new Store(() => new Date('2026-01-01T00:00:00Z'), { maxPosting });
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
    let skipped = 0;
    for (let t = 0; t < 400; t++) {
      const keys = [...keysOf(), ...(t % 5 === 0 ? ['k:0', 'k:0', 'nobody'] : [])];
      const o = {
        exclude: new Set(Array.from({ length: rnd(4) }, () => recs[rnd(recs.length)]!.id)),
        limit: [1, 5, 50, 200][rnd(4)]!,
        ...(t % 3 === 0 ? { tuNgay: '2025-02-10' } : {}),
        ...(t % 4 === 0 ? { denNgay: '2025-03-11' } : {}),
      };
      const got = store.findByKeys(keys, o);
      expect({ found: got.found.map(([r, k]) => [r.id, k]), more: got.more }).toEqual(reference(store, keys, o, maxPosting));
      compared += got.found.length;
      skipped += store.keys.lastScan.skippedKeys;
    }
    expect(compared).toBeGreaterThan(1000);
    if (maxPosting === Infinity) expect(skipped).toBe(0);
    else expect(skipped).toBeGreaterThan(50);
    expect(new Store(() => new Date()).findByKeys(['k:0'], { exclude: new Set(), limit: 200 }).found).toEqual([]);
    expect(store.findByKeys(['k:1', 'k:2'], { exclude: new Set(), limit: 200 }).found.map(([r]) => r.id)).not.toContain(recs[0]!.id);
  });

  it('a query costs at most maxPosting postings per key however many records share a common key; rarer keys still find their records', () => {
    const store = new Store(() => new Date('2026-01-01T00:00:00Z'), { maxPosting: 500 });
    const mk = (i: number, khoa: string[]) => store.create('ho-so-don', 'D', `S${i}`, { ngayNhanDon: '2025-01-01', dacTrungLienKet: { khoa } }, 'h');
    const twin = mk(0, ['common', 'bi:x', 'mh:rare']);
    const scans: number[] = [];
    for (let i = 1; i <= 20_000; i++) {
      mk(i, ['common', `own:${i}`, ...(i % 100 === 0 ? ['bi:x'] : [])]);
      if (i % 5000 === 0) {
        const r = store.findByKeys(['common', 'bi:x', 'mh:rare'], { exclude: new Set(), limit: 50 });
        scans.push(store.keys.lastScan.postings);
        expect(r.found[0]![0].id).toBe(twin.id); // shares the two counted keys
        expect(r.found[0]![1]).toEqual(['bi:x', 'mh:rare']);
        expect(r.more).toBe(true);
        expect(store.keys.lastScan.skippedKeys).toBe(1);
      }
    }
    expect(Math.max(...scans)).toBeLessThanOrEqual(2 * 500 + 1);
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
