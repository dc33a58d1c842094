/**
 * Person names for synthetic data. A small built-in list of common Vietnamese surnames
 * (by region) and given names (middle + given) is always available; when the shared
 * name list (../shared/data/names/vietnamese-names.json, or an explicit path) exists it is
 * read at run time for richer output. Names are invented combinations: no real person.
 */
import { existsSync, readFileSync } from 'node:fs';
import { projectPath } from '../../config/index.js';
import { type Rng, weighted, pick, chance } from './rng.js';

export type Region = 'north' | 'central' | 'south';
export interface NameLists {
  surnamesByRegion: Record<Region, [string, number][]>;
  givenMale: string[];
  givenFemale: string[];
  origin: string;
}

const COMMON: [string, number][] = [
  ['Nguyễn', 31], ['Trần', 11], ['Lê', 9], ['Phạm', 6], ['Hoàng', 5], ['Vũ', 4.5], ['Phan', 3], ['Đặng', 2.2], ['Bùi', 2], ['Đỗ', 1.8],
  ['Hồ', 1.4], ['Ngô', 1.4], ['Dương', 1.2], ['Lý', 0.9], ['Đinh', 0.9], ['Trương', 1.5], ['Mai', 0.6], ['Đào', 0.6], ['Lương', 0.5], ['Tạ', 0.4],
];
/** Built-in fallback: common surnames plus regional ones (northern uplands, central highlands, south). */
export const BUILTIN_NAMES: NameLists = {
  surnamesByRegion: {
    north: [...COMMON, ['Lò', 1.2], ['Lường', 0.8], ['Giàng', 0.8], ['Sùng', 0.6], ['Vàng', 0.6], ['Tòng', 0.5], ['Hà', 1.0], ['Đèo', 0.3], ['Nông', 0.6], ['Ma', 0.3], ['Thào', 0.4], ['Lù', 0.3]],
    central: [...COMMON, ['Võ', 3], ['Huỳnh', 2], ['Nông', 0.2], ['Y', 0.3], ['A', 0.3], ['Rơ Mah', 0.2], ['Siu', 0.2]],
    south: [...COMMON.map(([n, w]): [string, number] => (n === 'Hoàng' ? ['Huỳnh', w] : n === 'Vũ' ? ['Võ', w] : [n, w])), ['Châu', 0.5], ['Lâm', 0.6], ['Thái', 0.4]],
  },
  givenMale: [
    'Văn An', 'Văn Bình', 'Minh Đức', 'Văn Hùng', 'Quốc Huy', 'Thanh Tùng', 'Văn Toàn', 'Văn Minh', 'Đức Thắng', 'Văn Hải',
    'Hữu Nghĩa', 'Công Thành', 'Văn Long', 'Minh Tuấn', 'Quang Vinh', 'Văn Khánh', 'Duy Mạnh', 'Văn Tiến', 'Xuân Trường', 'Ngọc Sơn',
    'Văn Tuyển', 'Hoàng Nam', 'Đình Lộc', 'Đức Thành', 'Thế Anh', 'Tuấn Kiệt', 'Minh Hòa', 'Văn Hậu', 'Hữu Bảo', 'Quang Hưng',
    'Văn Dũng', 'Văn Quý', 'Văn Sáng', 'Mạnh Hùng', 'Trọng Nghĩa', 'Đức Anh', 'Văn Thuận', 'Văn Phúc', 'Xuân Hòa', 'Văn Lợi',
    'Công Hoan', 'Văn Chiến', 'Anh Tuấn', 'Văn Khoa', 'Đình Phong', 'Quốc Bảo', 'Văn Thái', 'Văn Hiếu', 'Trung Kiên', 'Văn Pao',
    'Văn Chính', 'Văn Lâm', 'Hữu Tài', 'Văn Tú', 'Văn Cường', 'Thanh Bình', 'Văn Đông', 'Minh Khôi', 'Văn Nhất', 'Hồng Quân',
    'Văn Thịnh', 'Văn Tâm', 'Ngọc Ánh', 'Văn Mạnh', 'Đức Hải', 'Văn Tuấn', 'Văn Sinh', 'Văn Dương', 'Hữu Phước', 'Thành Công',
    'Văn Nam', 'Quang Minh', 'Văn Hoan', 'Văn Kiên', 'Đức Trọng',
  ],
  givenFemale: [
    'Thị Hoa', 'Thanh Thủy', 'Thị Lan', 'Thị Mai', 'Thu Hà', 'Thị Hòa', 'Ngọc Anh', 'Thị Hương', 'Minh Thư', 'Thị Nga',
    'Thị Loan', 'Bích Ngọc', 'Thị Thủy', 'Thu Trang', 'Thị Yến', 'Kim Oanh', 'Thị Phượng', 'Thanh Hằng', 'Thị Hạnh', 'Mỹ Linh',
    'Hồng Thảo', 'Ngọc Hân', 'Thị Dung', 'Thị Huệ', 'Thị Liên', 'Thị Tuyết', 'Thị Vân', 'Thị Xuân', 'Kim Chi', 'Thị Ngọc',
    'Thị Hằng', 'Thị Thu', 'Thị Nhung', 'Thị Quyên', 'Phương Thảo', 'Thị Sen', 'Thị Hiền', 'Thị Lụa', 'Thị Mơ', 'Hồng Nhung',
    'Thị Thanh', 'Thị Bích', 'Thị Kim', 'Thị Hồng', 'Thị Lý', 'Thị Nhàn', 'Thị Tâm', 'Thị Trang', 'Thị Vui', 'Thu Hương',
    'Thị Ánh', 'Thị Diệp', 'Thị Duyên', 'Thị Giang', 'Thị Hải', 'Thị Khánh', 'Thị Lệ', 'Thị Minh', 'Thị Oanh', 'Thị Phương',
    'Ngọc Lan', 'Thị Quế', 'Thị Sáu', 'Thị Tươi', 'Thị Uyên', 'Thị Yên', 'Diệu Linh', 'Hải Yến', 'Thúy Hằng', 'Thị Chung',
    'Thị Thủy Tiên', 'Minh Châu', 'Thị Ngân', 'Thị Hoài', 'Thị Nguyệt',
  ],
  origin: 'built-in list',
};

export const SHARED_NAMES = projectPath('..', 'shared', 'data', 'names', 'vietnamese-names.json');

/** The shared (or given) name list when readable, else the built-in one. */
export function loadNames(path?: string): NameLists {
  const p = path || (existsSync(SHARED_NAMES) ? SHARED_NAMES : undefined);
  if (!p) return BUILTIN_NAMES;
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as Partial<NameLists>;
    const s = j.surnamesByRegion;
    if (!s || !Array.isArray(s.north) || !Array.isArray(s.central) || !Array.isArray(s.south) || !Array.isArray(j.givenMale) || !Array.isArray(j.givenFemale)) {
      return BUILTIN_NAMES;
    }
    // regional surnames of the uplands are rare in national frequency lists: keep the built-in ones too
    const merge = (a: [string, number][], b: [string, number][]) => {
      const seen = new Set(a.map(([n]) => n));
      return [...a, ...b.filter(([n]) => !seen.has(n))];
    };
    return {
      surnamesByRegion: {
        north: merge(s.north, BUILTIN_NAMES.surnamesByRegion.north),
        central: merge(s.central, BUILTIN_NAMES.surnamesByRegion.central),
        south: merge(s.south, BUILTIN_NAMES.surnamesByRegion.south),
      },
      givenMale: j.givenMale.filter((x) => typeof x === 'string' && x.includes(' ')),
      givenFemale: j.givenFemale.filter((x) => typeof x === 'string' && x.includes(' ')),
      origin: p,
    };
  } catch {
    return BUILTIN_NAMES;
  }
}

export interface PersonName {
  ho: string;
  dem: string;
  ten: string;
  full: string;
}

export function makeName(r: Rng, names: NameLists, region: Region, sex: 'NAM' | 'NU'): PersonName {
  const ho = weighted(r, names.surnamesByRegion[region]);
  let given = pick(r, sex === 'NAM' ? names.givenMale : names.givenFemale);
  // the shared list has many literary given names; keep "Văn"/"Thị" common as in real registers
  if (chance(r, 0.25)) {
    const last = given.split(' ').pop()!;
    given = `${sex === 'NAM' ? 'Văn' : 'Thị'} ${last}`;
  }
  const parts = given.split(' ');
  const ten = parts.pop()!;
  const dem = parts.join(' ');
  return { ho, dem, ten, full: [ho, dem, ten].filter(Boolean).join(' ') };
}
