/**
 * Reference data (administrative units, agencies) in the shape of ../shared/data,
 * and its conversion into national catalogues (contract §7).
 *
 * The *connector* never reads these files: it gets catalogues from the national API.
 * Only the simulator (which serves them), the generator and tests read them, from
 * DVHC_DATA_PATH / DON_VI_PATH, else ../shared/data when present, else the simulator's
 * small built-in sample (src/simulator/sample/).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogueItem, CatalogueName } from '../contract/schemas.js';
import { V1_CATALOGUES } from '../contract/schemas.js';
import { projectPath } from '../../config/index.js';

export interface Units2025 {
  provinces: { code: string; name: string; fullName: string }[];
  communes: { code: string; name: string; fullName: string; provinceCode: string }[];
}
export interface UnitsBefore2025 {
  provinces: { code: string; fullName: string; newCode: string }[];
  communes: {
    code: string;
    fullName: string;
    districtCode: string;
    districtFullName: string;
    provinceCode: string;
    newCommunes: { code: string; type: 'full' | 'partial' }[];
  }[];
}
export interface DonViRow {
  ma: string;
  ten: string;
  maTinh: string;
  cap: 'TW' | 'TINH' | 'XA';
}
export interface ReferenceData {
  units2025: Units2025;
  unitsBefore: UnitsBefore2025;
  donVi: DonViRow[];
  /** Where it came from, for logs and --help. */
  origin: string;
}

export const SHARED_DVHC = projectPath('..', 'shared', 'data', 'dvhc');
export const SHARED_DON_VI = projectPath('..', 'shared', 'data', 'don-vi.json');
export const SAMPLE_DIR = projectPath('src', 'simulator', 'sample');

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

/**
 * Load reference data. Precedence: explicit paths → ../shared/data → built-in sample.
 * The built-in sample (src/simulator/sample/{units-2025,units-before-2025-07,don-vi}.json)
 * has the same shape as ../shared/data, cut down to a few provinces.
 */
export function loadReferenceData(opts: { dvhcPath?: string; donViPath?: string } = {}): ReferenceData {
  const dvhc = opts.dvhcPath || (existsSync(join(SHARED_DVHC, 'units-2025.json')) ? SHARED_DVHC : SAMPLE_DIR);
  const donViFile = opts.donViPath || (existsSync(SHARED_DON_VI) ? SHARED_DON_VI : join(SAMPLE_DIR, 'don-vi.json'));
  const donViRaw = readJson<{ donVi: DonViRow[] } | DonViRow[]>(donViFile);
  return {
    units2025: readJson<Units2025>(join(dvhc, 'units-2025.json')),
    unitsBefore: readJson<UnitsBefore2025>(join(dvhc, 'units-before-2025-07.json')),
    donVi: Array.isArray(donViRaw) ? donViRaw : donViRaw.donVi,
    origin: `${dvhc} + ${donViFile}`,
  };
}

/**
 * National catalogues from reference data. Item shapes (see CatalogueItem in schemas.ts):
 *  - tinh:  {ma, ten: full name ("Tỉnh Lai Châu"), tenNgan, conHieuLuc: true}
 *  - xa:    {ma, ten: full name ("Phường Tân Phong"), tenNgan, maTinh, maCha: maTinh, conHieuLuc: true}
 *  - tinh-truoc-2025: {ma, ten, conHieuLuc: false, maMoi: [{ma, loai: TOAN_BO}]}
 *  - xa-truoc-2025:   {ma, ten, maTinh, maCha: maTinh, maHuyen, tenHuyen, conHieuLuc: false, maMoi: [{ma, loai}]}
 *  - don-vi: {ma, ten, maTinh, cap, conHieuLuc: true}
 *  - the small v1 catalogues from V1_CATALOGUES (leaves of linh-vuc carry maCha).
 */
export function buildCatalogues(ref: ReferenceData): Record<CatalogueName, CatalogueItem[]> {
  const small = Object.fromEntries(
    Object.entries(V1_CATALOGUES).map(([name, rows]) => [
      name,
      rows.map((r) => ({ ma: r[0], ten: r[1], ...(r.length > 2 ? { maCha: (r as readonly string[])[2] } : {}), conHieuLuc: true })),
    ]),
  ) as Record<keyof typeof V1_CATALOGUES, CatalogueItem[]>;
  return {
    ...small,
    'don-vi': ref.donVi.map((d) => ({ ma: d.ma, ten: d.ten, maTinh: d.maTinh, cap: d.cap, conHieuLuc: true })),
    tinh: ref.units2025.provinces.map((p) => ({ ma: p.code, ten: p.fullName, tenNgan: p.name, conHieuLuc: true })),
    xa: ref.units2025.communes.map((c) => ({ ma: c.code, ten: c.fullName, tenNgan: c.name, maTinh: c.provinceCode, maCha: c.provinceCode, conHieuLuc: true })),
    'tinh-truoc-2025': ref.unitsBefore.provinces.map((p) => ({ ma: p.code, ten: p.fullName, conHieuLuc: false, maMoi: [{ ma: p.newCode, loai: 'TOAN_BO' as const }] })),
    'xa-truoc-2025': ref.unitsBefore.communes.map((c) => ({
      ma: c.code,
      ten: c.fullName,
      maTinh: c.provinceCode,
      maCha: c.provinceCode,
      maHuyen: c.districtCode,
      tenHuyen: c.districtFullName,
      conHieuLuc: false,
      maMoi: c.newCommunes.map((n) => ({ ma: n.code, loai: n.type === 'full' ? ('TOAN_BO' as const) : ('MOT_PHAN' as const) })),
    })),
  };
}
