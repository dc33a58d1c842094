import { describe, it, expect } from 'vitest';
import { MemoryKeyIndex } from '../../src/dedupe/memory-index.js';

const rec = (id: string, date: string, khoa: string[]) => ({ id, ngayNhanDon: date, linkage: { thuatToan: 'lk1', khoa, dacTrung: {} } });

describe('in-process tim-trung index', () => {
  it('orders by shared keys, then newest date; leaves out excluded records; cuts at the limit', () => {
    const idx = new MemoryKeyIndex();
    idx.add(rec('old2', '2025-01-01', ['a', 'b']));
    idx.add(rec('new1', '2025-06-01', ['a']));
    idx.add(rec('mid1', '2025-03-01', ['b']));
    idx.add(rec('new2', '2025-05-01', ['a', 'b']));
    idx.add(rec('self', '2025-07-01', ['a', 'b']));
    idx.add(rec('none', '2025-07-01', ['z']));
    const r = idx.query(['a', 'b'], { exclude: ['self'] });
    expect(r.map((x) => [x.rec.id, x.shared])).toEqual([['new2', 2], ['old2', 2], ['new1', 1], ['mid1', 1]]);
    expect(idx.query(['a', 'b'], { exclude: ['self'], limit: 3 }).map((x) => x.rec.id)).toEqual(['new2', 'old2', 'new1']);
  });

  it('keeps the newest of a large bucket without sorting everything, and skips stop keys', () => {
    const idx = new MemoryKeyIndex(50);
    for (let i = 0; i < 40; i++) idx.add(rec(`r${i}`, `2025-01-${String(1 + (i % 28)).padStart(2, '0')}`, ['k']));
    const top = idx.query(['k'], { limit: 3 }).map((x) => x.rec.ngayNhanDon);
    expect(top).toEqual(['2025-01-28', '2025-01-27', '2025-01-26']);
    for (let i = 40; i < 60; i++) idx.add(rec(`r${i}`, '2025-02-01', ['k']));
    expect(idx.query(['k'])).toEqual([]); // 60 records > 50: a stop key
  });
});

describe('over-common keys', () => {
  it('candidates and postings counted per query stay bounded while the index grows with records sharing a common key', () => {
    const idx = new MemoryKeyIndex(500);
    idx.add(rec('twin', '2025-01-01', ['common', 'bi:x', 'mh:7']));
    const seen: { cands: number; postings: number }[] = [];
    for (let i = 0; i < 30_000; i++) {
      idx.add(rec(`r${i}`, '2025-02-01', ['common', `own:${i}`, ...(i % 200 === 0 ? ['bi:x'] : [])]));
      if ((i + 1) % 10_000 === 0) {
        const r = idx.query(['common', 'bi:x', 'mh:7', `own:${i}`], { exclude: [`r${i}`], limit: 50 });
        seen.push({ cands: r.length, postings: idx.lastScan.postings });
        expect(idx.lastScan.skippedKeys).toBe(1);
        expect(r[0]).toMatchObject({ rec: { id: 'twin' }, shared: 2 });
      }
    }
    // 'common' (30k records) is never counted; bi:x grows to 151 records, still under the threshold
    expect(seen.map((x) => x.cands)).toEqual([50, 50, 50]);
    for (const x of seen) expect(x.postings).toBeLessThanOrEqual(3 * 500);
    // the other reading: every key counted — the same twin first, but the cost grows with the index
    const exact = new MemoryKeyIndex(Infinity);
    for (let i = 0; i < 3000; i++) exact.add(rec(`r${i}`, '2025-02-01', ['common']));
    exact.add(rec('twin', '2025-01-01', ['common', 'bi:x']));
    expect(exact.query(['common', 'bi:x'])[0]).toMatchObject({ rec: { id: 'twin' }, shared: 2 });
    expect(exact.lastScan.postings).toBe(3002);
  });
});
