import { describe, it, expect, beforeAll } from 'vitest';
import { generateLabelledHoSoDon, groupPairs, pairKey, type LabelledData } from '../../src/generator/labelled/index.js';
import { evaluateQuality, naiveNameProvince } from '../../src/dedupe/evaluate.js';
import { validateHoSoDon } from '../../src/contract/validate.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { buildCatalogues, loadReferenceData } from '../../src/reference/dvhc.js';
import { foldKey } from '../../src/vn/text.js';

let data: LabelledData;
beforeAll(() => {
  data = generateLabelledHoSoDon({ seed: 11, count: 3000 });
});

describe('labelled generator', () => {
  it('is deterministic for a seed and gives the count asked for', () => {
    const again = generateLabelledHoSoDon({ seed: 11, count: 3000 });
    expect(again.records.map((r) => r.body)).toEqual(data.records.map((r) => r.body));
    expect(data.records.length).toBeGreaterThanOrEqual(3000);
    expect(data.records.length).toBeLessThan(3010);
    expect(generateLabelledHoSoDon({ seed: 12, count: 200 }).records[0]!.body).not.toEqual(data.records[0]!.body);
  });

  it('every record is a valid national body (real catalogue agencies)', () => {
    const cat = makeCatalogues(buildCatalogues(loadReferenceData()));
    const bad = data.records.map((r) => ({ id: r.localId, e: validateHoSoDon(r.body, { catalogues: cat, today: '2026-11-22' }) })).filter((x) => x.e.length);
    expect(bad.slice(0, 3)).toEqual([]);
    for (const r of data.records) {
      expect(r.agency).toBe(r.body.maDonVi);
      expect(r.localId).toBe(r.body.maHoSoNguon);
    }
  });

  it('groups and hard negatives refer to records and never overlap', () => {
    const ids = new Set(data.records.map((r) => r.localId));
    expect(data.groups.length).toBeGreaterThan(100);
    for (const g of data.groups) {
      expect(g.length).toBeGreaterThanOrEqual(2);
      for (const id of g) expect(ids.has(id)).toBe(true);
    }
    const truth = groupPairs(data.groups);
    expect(data.hardNegatives.length).toBeGreaterThan(50);
    for (const [a, b] of data.hardNegatives) expect(truth.has(pairKey(a, b))).toBe(false);
    // copies span several agencies
    const byId = new Map(data.records.map((r) => [r.localId, r]));
    const crossAgency = data.groups.filter((g) => new Set(g.map((id) => byId.get(id)!.agency)).size > 1).length;
    expect(crossAgency / data.groups.length).toBeGreaterThan(0.5);
  });

  it('lk1 + scoring beat the naive name+province matcher on it', () => {
    const q = evaluateQuality(data, 'gen-test-secret');
    const naive = naiveNameProvince(data, foldKey);
    expect(q.trung.precision).toBeGreaterThanOrEqual(0.97);
    expect(q.trungOrNghi.recall).toBeGreaterThanOrEqual(0.93);
    expect(q.trungOrNghi.recall).toBeGreaterThan(naive.recall);
    expect(q.trung.precision).toBeGreaterThan(naive.precision);
  });
});
