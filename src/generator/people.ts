/**
 * Synthetic petitioners: name (regional surnames), sex, birth year, a CCCD that agrees
 * with birth year and sex and starts with a plausible birth-province code, sometimes an
 * old 9-digit CMND, a mobile number, and a home among real administrative units.
 */
import { OLD_PROVINCE_CODES } from '../vn/identity.js';
import { type Rng, int, chance, pick, digits, weighted } from './rng.js';
import { type NameLists, type PersonName, makeName } from './names.js';
import type { Home } from './places.js';

export interface Person {
  name: PersonName;
  sex: 'NAM' | 'NU';
  birthYear: number;
  cccd: string;
  cmnd: string;
  /** 10 digits, 0xxxxxxxxx */
  phone: string;
  home: Home;
  email?: string;
}

const PREFIXES = ['091', '094', '088', '098', '097', '096', '086', '032', '033', '034', '035', '036', '037', '038', '039', '070', '076', '077', '078', '079', '081', '082', '083', '084', '085', '056', '058', '059', '090', '093', '089'];
const OLD_CODES = [...OLD_PROVINCE_CODES];

export function cccdFor(r: Rng, birthProvince: string, birthYear: number, sex: 'NAM' | 'NU'): string {
  const century = birthYear >= 2000 ? 2 : 0;
  const c = century + (sex === 'NU' ? 1 : 0);
  return `0${birthProvince}${c}${String(birthYear % 100).padStart(2, '0')}${digits(r, 6)}`;
}

export function makePerson(r: Rng, names: NameLists, home: Home): Person {
  const sex: 'NAM' | 'NU' = chance(r, 0.6) ? 'NAM' : 'NU';
  const birthYear = weighted(r, [[int(r, 1945, 1959), 2], [int(r, 1960, 1979), 4], [int(r, 1980, 1994), 4], [int(r, 1995, 2005), 1.5]] as const);
  const birthProvince = chance(r, 0.8) ? home.old.maTinh : pick(r, OLD_CODES);
  const name = makeName(r, names, home.region, sex);
  return {
    name,
    sex,
    birthYear,
    cccd: cccdFor(r, birthProvince, birthYear, sex),
    cmnd: `${pick(r, ['04', '06', '07', '08', '13', '15', '23'])}${digits(r, 7)}`,
    phone: `${pick(r, PREFIXES)}${digits(r, 7)}`,
    home,
  };
}

/** A phone written the way local systems hold it. */
export function formatPhone(r: Rng, p: string, style?: number): string {
  const s = style ?? int(r, 0, 5);
  const d = p.slice(1);
  switch (s) {
    case 0: return p;
    case 1: return `${p.slice(0, 4)}.${p.slice(4, 7)}.${p.slice(7)}`;
    case 2: return `${p.slice(0, 4)} ${p.slice(4, 7)} ${p.slice(7)}`;
    case 3: return `+84 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
    case 4: return `84${d}`;
    default: return p;
  }
}

const ASCII: Record<string, string> = { đ: 'd', Đ: 'D' };
/** Vietnamese text without diacritics (as typed on a keyboard without a Vietnamese layout). */
export function dropDiacritics(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, (c) => ASCII[c]!).normalize('NFC');
}

/** Old tone placement ("hòa" → "hoà", "thủy" → "thuỷ", "khỏe" → "khoẻ"): another NFC string, same name. */
export function oldToneStyle(s: string): string {
  const move = (_m: string, toned: string, next: string) => {
    const d = toned.normalize('NFD');
    return d[0]! + (next + d.slice(1)).normalize('NFC');
  };
  return s.normalize('NFC')
    .replace(/([òóỏõọ])([ae])(?![\p{L}])/gu, move)
    .replace(/([ùúủũụ])(y)(?![\p{L}])/gu, move)
    .normalize('NFC');
}
