/**
 * Where synthetic petitioners live: real administrative units from the reference data
 * (../shared/data or the simulator's built-in sample), so generated addresses resolve
 * against whatever catalogues the simulator serves. Villages are invented.
 */
import type { ReferenceData } from '../reference/dvhc.js';
import { foldKey } from '../vn/text.js';
import { type Rng, pick, int, chance } from './rng.js';
import type { Region } from './names.js';

export interface Home {
  /** pre-2025 units */
  old: { maTinh: string; tinh: string; maXa: string; xa: string; huyen: string };
  /** current units the old commune went to */
  cur: { maTinh: string; tinh: string; maXa: string; xa: string };
  /** the old commune was split among several new ones */
  split: boolean;
  village: string;
  region: Region;
}

export interface Places {
  /** old province code → homes (one per old commune) */
  byOldProvince: Map<string, Home[]>;
  /** a home in one of these old provinces */
  home(r: Rng, oldProvinces: readonly string[], opts?: { allowSplit?: boolean }): Home;
  oldProvinceName(code: string): string | undefined;
}

const BAN = ['Nà Ban', 'Phiêng Chá', 'Nà Đon', 'Sì Thâu Chải', 'Nậm Ngập', 'Cốc Pa', 'Pá Khôm', 'Huổi Luông', 'Tả Phìn', 'Nà Tăm', 'Lao Chải', 'Hợp 1', 'Nà Khum', 'Phai Cát', 'Cang', 'Na Cóc', 'Thèn Sin', 'Hua Bó', 'Nậm Đích', 'Tà Lèng'];
const LANG = ['Kon Rờ Bàng', 'Plei Đôn', 'Kon Klor', 'Đăk Rơ Wa', 'Kon Hra Chót', 'Plei Rơ Wăk', 'Đăk Mế', 'Kon Gur', 'Tân Hương', 'Nghĩa An'];
const THON_NAMES = ['Phú Hà', 'Làng Câm', 'Khe Mạ', 'Đồng Tâm', 'Tân Lập', 'Bản Mạ', 'Làng Giàng', 'Cốc Sâm', 'Tiền Phong', 'Minh Khai', 'Hòa Bình', 'Đoàn Kết'];

function lowerType(full: string): string {
  return full.replace(/^(Xã|Phường|Thị trấn|Huyện|Quận|Thành phố|Thị xã|Tỉnh|Đặc khu)\s/u, (m) => m.toLowerCase());
}
export { lowerType };

function village(r: Rng, old: string, xaFull: string): string {
  if (/^(Phường|Thị trấn)/u.test(xaFull)) return chance(r, 0.5) ? `Tổ dân phố số ${int(r, 1, 18)}` : `Tổ ${int(r, 1, 12)}`;
  if (old === '12') return chance(r, 0.8) ? `Bản ${pick(r, BAN)}` : `Bản ${pick(r, BAN)} ${int(r, 1, 3)}`;
  if (old === '62') return chance(r, 0.5) ? `Thôn ${int(r, 1, 12)}` : pick(r, ['Thôn', 'Làng']) + ' ' + pick(r, LANG);
  return chance(r, 0.5) ? `Thôn ${pick(r, THON_NAMES)}` : `Thôn ${int(r, 1, 14)}`;
}

const REGION_OF_OLD: Record<string, Region> = { '62': 'central', '64': 'central', '66': 'central', '67': 'central', '68': 'central' };

/** Build the home pool from reference data (communes whose current unit is in the data, with unambiguous names). */
export function buildPlaces(ref: ReferenceData): Places {
  const curByCode = new Map(ref.units2025.communes.map((c) => [c.code, c]));
  const curProv = new Map(ref.units2025.provinces.map((p) => [p.code, p]));
  const oldProv = new Map(ref.unitsBefore.provinces.map((p) => [p.code, p]));
  // names that occur twice in one (province, district) or current province would be ambiguous in free text
  const oldKeyCount = new Map<string, number>();
  for (const c of ref.unitsBefore.communes) {
    const k = `${c.provinceCode}|${foldKey(c.districtFullName)}|${foldKey(c.fullName.replace(/^(Xã|Phường|Thị trấn)\s/u, ''))}`;
    oldKeyCount.set(k, (oldKeyCount.get(k) ?? 0) + 1);
  }
  const curKeyCount = new Map<string, number>();
  for (const c of ref.units2025.communes) {
    const k = `${c.provinceCode}|${foldKey(c.name)}`;
    curKeyCount.set(k, (curKeyCount.get(k) ?? 0) + 1);
  }
  const byOldProvince = new Map<string, Home[]>();
  for (const c of ref.unitsBefore.communes) {
    const op = oldProv.get(c.provinceCode);
    const link = c.newCommunes[0];
    if (!op || !link) continue;
    const cur = curByCode.get(link.code);
    const cp = cur ? curProv.get(cur.provinceCode) : undefined;
    if (!cur || !cp) continue;
    if (c.newCommunes.some((n) => !curByCode.has(n.code))) continue;
    const ok = `${c.provinceCode}|${foldKey(c.districtFullName)}|${foldKey(c.fullName.replace(/^(Xã|Phường|Thị trấn)\s/u, ''))}`;
    if ((oldKeyCount.get(ok) ?? 0) > 1 || (curKeyCount.get(`${cur.provinceCode}|${foldKey(cur.name)}`) ?? 0) > 1) continue;
    const home: Home = {
      old: { maTinh: c.provinceCode, tinh: op.fullName, maXa: c.code, xa: c.fullName, huyen: c.districtFullName },
      cur: { maTinh: cur.provinceCode, tinh: cp.fullName, maXa: cur.code, xa: cur.fullName },
      split: c.newCommunes.length > 1 || link.type === 'partial',
      village: '',
      region: REGION_OF_OLD[c.provinceCode] ?? (Number(c.provinceCode) >= 70 ? 'south' : Number(c.provinceCode) >= 38 ? 'central' : 'north'),
    };
    const list = byOldProvince.get(c.provinceCode) ?? [];
    list.push(home);
    byOldProvince.set(c.provinceCode, list);
  }
  return {
    byOldProvince,
    oldProvinceName: (code) => oldProv.get(code)?.fullName,
    home(r, oldProvinces, opts = {}) {
      const pools = oldProvinces.map((p) => byOldProvince.get(p) ?? []).filter((l) => l.length > 0);
      if (pools.length === 0) throw new Error(`no communes of old provinces ${oldProvinces.join(', ')} in the reference data`);
      const pool = pick(r, pools);
      let h = pick(r, pool);
      for (let i = 0; i < 20 && h.split && !opts.allowSplit; i++) h = pick(r, pool);
      return { ...h, village: village(r, h.old.maTinh, h.old.xa) };
    },
  };
}

/** Free-text address as written before the merger: "Bản X, xã Y, huyện Z, tỉnh W". */
export function oldAddressText(h: Home): string {
  return `${h.village}, ${lowerType(h.old.xa)}, ${lowerType(h.old.huyen)}, ${lowerType(h.old.tinh)}`;
}
/** Free-text address in the current units (no district): "Bản X, xã Y, tỉnh W". */
export function newAddressText(h: Home): string {
  return `${h.village}, ${lowerType(h.cur.xa)}, ${lowerType(h.cur.tinh)}`;
}
