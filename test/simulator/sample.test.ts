import { describe, it, expect } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../config/index.js';
import { loadReferenceData, buildCatalogues, SAMPLE_DIR } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { MA_DON_VI_RE } from '../../src/contract/schemas.js';
import { validateHoSoDon } from '../../src/contract/validate.js';
import { hoSoDon, TODAY } from './fixtures.js';

const sample = () => loadReferenceData({ dvhcPath: SAMPLE_DIR, donViPath: join(SAMPLE_DIR, 'don-vi.json') });

describe('built-in reference sample', () => {
  it('is small and has the shape of ../shared/data', () => {
    const size = ['units-2025.json', 'units-before-2025-07.json', 'don-vi.json'].reduce((n, f) => n + statSync(join(SAMPLE_DIR, f)).size, 0);
    expect(size).toBeLessThan(125_000);
    const ref = sample();
    expect(ref.units2025.provinces).toHaveLength(34);
    expect(ref.unitsBefore.provinces).toHaveLength(63);
    for (const p of ['12', '62', '10', '15']) expect(ref.unitsBefore.communes.filter((c) => c.provinceCode === p).length).toBeGreaterThan(10);
  });

  it('holds the 10 sample agencies with their exact names, and pattern-valid unique codes', () => {
    const shared = (JSON.parse(readFileSync(projectPath('..', 'shared', 'data', 'don-vi.json'), 'utf8')) as { donVi: { ma: string; ten: string }[] }).donVi;
    const ref = sample();
    for (const d of shared) expect(ref.donVi).toContainEqual(expect.objectContaining({ ma: d.ma, ten: d.ten }));
    expect(ref.donVi.every((d) => MA_DON_VI_RE.test(d.ma))).toBe(true);
    expect(new Set(ref.donVi.map((d) => d.ma)).size).toBe(ref.donVi.length);
    expect(new Set(ref.donVi.map((d) => d.ten)).size).toBe(ref.donVi.length);
    expect(ref.donVi).toContainEqual(expect.objectContaining({ ma: '000.00.00.P01', ten: 'Ủy ban nhân dân thành phố Hà Nội' }));
  });

  it('includes every commune code named in ../shared/samples/README.md', () => {
    const readme = readFileSync(projectPath('..', 'shared', 'samples', 'README.md'), 'utf8');
    const ref = sample();
    const known = new Set([...ref.units2025.communes.map((c) => c.code), ...ref.unitsBefore.communes.map((c) => c.code)]);
    const named = new Set(readme.match(/(?<!\d)\d{5}(?!\d)/g) ?? []);
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((c) => !known.has(c))).toEqual([]);
  });

  it('is enough to validate the hand-built record', () => {
    const cat = makeCatalogues(buildCatalogues(sample()));
    expect(validateHoSoDon(JSON.parse(JSON.stringify(hoSoDon())), { catalogues: cat, today: TODAY })).toEqual([]);
  });
});
