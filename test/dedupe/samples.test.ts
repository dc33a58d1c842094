/**
 * Ground truth of ../shared/samples/README.md ("Duplicate groups"): the sample files are
 * mapped with the real mappers and catalogues, lk1 features computed, candidates found
 * through the keys (in-memory tim-trung) and every candidate pair scored.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { sampleHoSoDon, type SampleHoSo } from './sample-records.js';
import { computeLinkage, splitKeys, type Lk1Features } from '../../src/dedupe/features.js';
import { MemoryKeyIndex } from '../../src/dedupe/memory-index.js';
import { scorePair, type ScoreResult } from '../../src/dedupe/score.js';
import type { DacTrungLienKet } from '../../src/contract/schemas.js';

const SECRET = 'test-linkage-secret';
let recs: Map<string, SampleHoSo>;
const decided = new Map<string, ScoreResult>();
const key = (a: string, b: string) => [a, b].sort().join('|');

beforeAll(() => {
  recs = sampleHoSoDon();
  const lk = new Map<string, DacTrungLienKet>();
  const idx = new MemoryKeyIndex();
  // arrival order, each record against those already there — as the dedupe worker sees them
  const ordered = [...recs.values()].sort((a, b) => a.body.ngayNhanDon.localeCompare(b.body.ngayNhanDon));
  for (const r of ordered) {
    const l = computeLinkage(r.body, SECRET);
    lk.set(r.localId, l);
    for (const q of splitKeys(l.khoa))
      for (const c of idx.query(q, { exclude: [r.localId], limit: 50 })) {
        const k = key(r.localId, c.rec.id);
        if (!decided.has(k)) decided.set(k, scorePair(l.dacTrung as unknown as Lk1Features, c.rec.linkage.dacTrung as unknown as Lk1Features));
      }
    idx.add({ id: r.localId, ngayNhanDon: r.body.ngayNhanDon, linkage: l });
  }
});

const linked = (a: string, b: string) => {
  const d = decided.get(key(a, b));
  return d !== undefined && d.decision !== 'KHONG';
};

describe('sample duplicate groups', () => {
  it('maps the records the groups need (KT25-0041 has no ho-so-don until an officer completes rule 4)', () => {
    for (const id of ['LC25-000118', 'LC25-000187', 'LCI-2025-000341', 'LC25-000231', 'LCI-2025-000402', 'LCI-2025-000497', 'LC25-000311', 'LC25-000327', 'KT25-0016', 'KT25-0096', 'LC25-000368'])
      expect(recs.has(id), id).toBe(true);
    expect(recs.has('KT25-0041')).toBe(false);
  });

  it.each([
    ['G1', 'LC25-000118', 'LC25-000187'],
    ['G2', 'LCI-2025-000341', 'LC25-000231'],
    ['G3', 'LCI-2025-000402', 'LCI-2025-000497'],
    ['G4', 'LC25-000311', 'LC25-000327'],
    ['G5', 'KT25-0016', 'KT25-0096'],
  ])('%s: %s and %s are found and linked', (_g, a, b) => {
    expect(linked(a, b)).toBe(true);
    const d = decided.get(key(a, b))!;
    expect(d.weight).toBeGreaterThanOrEqual(8.5);
  });

  it('G1 is explained by name, birth year, commune and content (the second copy has no ID)', () => {
    const levels = Object.fromEntries(decided.get(key('LC25-000118', 'LC25-000187'))!.contributions.map((c) => [c.comparison, c.level]));
    expect(levels).toMatchObject({ ID: 'missing', HO_TEN: 'exact', NAM_SINH: 'same', DIA_BAN: 'commune', LINH_VUC: 'same' });
    expect(['low', 'medium', 'high']).toContain(levels.NOI_DUNG);
  });

  it('G5: the Telex-typed name matches the correct one exactly', () => {
    const levels = Object.fromEntries(decided.get(key('KT25-0016', 'KT25-0096'))!.contributions.map((c) => [c.comparison, c.level]));
    expect(levels.HO_TEN).toBe('exact');
  });

  it('hard negative: LC25-000368 (namesake, other birth year, other CCCD, other matter) is not linked to G4', () => {
    for (const g4 of ['LC25-000311', 'LC25-000327']) {
      expect(linked('LC25-000368', g4)).toBe(false);
      const d = decided.get(key('LC25-000368', g4));
      if (d) expect(d.weight).toBeLessThan(0);
    }
  });

  it('links nothing across different groups', () => {
    const groups = [
      ['LC25-000118', 'LC25-000187'], ['LCI-2025-000341', 'LC25-000231'], ['LCI-2025-000402', 'LCI-2025-000497'],
      ['LC25-000311', 'LC25-000327'], ['KT25-0016', 'KT25-0096'],
    ];
    const same = new Set(groups.map(([a, b]) => key(a!, b!)));
    const extra = [...decided].filter(([k, d]) => d.decision !== 'KHONG' && !same.has(k)).map(([k]) => k);
    expect(extra).toEqual([]);
  });

  it('reasons never contain a personal value of the pair', () => {
    for (const [k, d] of decided) {
      const [a, b] = k.split('|') as [string, string];
      const text = d.contributions.map((c) => c.reason).join(' | ');
      for (const id of [a, b]) {
        const body = recs.get(id)!.body;
        for (const p of body.nguoiDungDon) {
          expect(text).not.toContain(p.hoTen);
          const parts = p.hoTen.split(' ');
          const words = new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u));
          for (const part of [parts[0]!, parts[parts.length - 1]!]) expect(words.has(part.toLowerCase()), part).toBe(false);
          if (p.soDinhDanh) expect(text).not.toContain(p.soDinhDanh);
          if (p.diaChi.maXa) expect(text).not.toContain(p.diaChi.maXa);
        }
      }
    }
  });
});

describe('sample duplicate groups among over-common keys', () => {
  const GROUPS = [
    ['G1', 'LC25-000118', 'LC25-000187'],
    ['G2', 'LCI-2025-000341', 'LC25-000231'],
    ['G3', 'LCI-2025-000402', 'LCI-2025-000497'],
    ['G4', 'LC25-000311', 'LC25-000327'],
    ['G5', 'KT25-0016', 'KT25-0096'],
  ] as const;

  it.each(GROUPS)('%s is still found and linked when its accused party, its name-without-middle key and half its content bands are held by 600 other records (not counted)', (_g, a, b) => {
    const idx = new MemoryKeyIndex(500);
    const la = computeLinkage(recs.get(a)!.body, SECRET);
    const lb = computeLinkage(recs.get(b)!.body, SECRET);
    // the keys a busy national index would find over-common: bi:, tg:, every other mh: band of the first copy
    const common = la.khoa.filter((k) => k.startsWith('bi:') || k.startsWith('tg:') || (k.startsWith('mh:') && Number(k.split(':')[1]) % 2 === 0));
    const filler = computeLinkage(recs.get('LC25-000368')!.body, SECRET).dacTrung;
    for (let i = 0; i < 600; i++) idx.add({ id: `F${i}`, ngayNhanDon: '2025-01-01', linkage: { thuatToan: 'lk1', khoa: common, dacTrung: filler } });
    const [first, second, lFirst, lSecond] = recs.get(a)!.body.ngayNhanDon <= recs.get(b)!.body.ngayNhanDon ? [a, b, la, lb] : [b, a, lb, la];
    idx.add({ id: first, ngayNhanDon: recs.get(first)!.body.ngayNhanDon, linkage: lFirst });
    let skipped = 0;
    const found = new Set<string>();
    for (const q of splitKeys(lSecond.khoa)) {
      for (const c of idx.query(q, { exclude: [second], limit: 50 })) found.add(c.rec.id);
      skipped += idx.lastScan.skippedKeys;
    }
    expect(skipped).toBeGreaterThan(0); // the second copy does share some of the over-common keys
    expect([...found]).toEqual([first]); // fillers hold only over-common keys: never offered
    const d = scorePair(lSecond.dacTrung as unknown as Lk1Features, lFirst.dacTrung as unknown as Lk1Features);
    expect(d.decision).not.toBe('KHONG');
  });
});
