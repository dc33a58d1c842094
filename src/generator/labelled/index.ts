/**
 * Labelled data for duplicate detection: valid national ho-so-don bodies across many
 * agencies, with known duplicate groups (the same đơn re-typed, forwarded or re-sent by
 * other agencies, with realistic noise) and hard negatives (the same person with another
 * matter; one matter brought by several households; namesakes in one province).
 *
 * Names come from ../shared/data/names when present (read at run time, never copied),
 * else a small built-in list of common names. Deterministic for a seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { HoSoDon, NguoiDungDon } from '../../contract/schemas.js';
import { NO_LINKAGE } from '../../contract/schemas.js';
import { projectPath } from '../../../config/index.js';
import { loadReferenceData, type ReferenceData } from '../../reference/dvhc.js';
import { type Rng, rng, pick, int, chance, weighted, dropDiacritics, oldToneStyle, SURNAME_SWAP } from './noise.js';
import { TEMPLATES, matterSlots, renderMatter, type MatterSlots, type MatterTemplate } from './matters.js';

export interface LabelledRecord {
  source: string;
  agency: string;
  localId: string;
  body: HoSoDon;
}
export interface LabelledData {
  records: LabelledRecord[];
  /** duplicate groups, by localId (each ≥ 2 records) */
  groups: string[][];
  /** pairs that look alike but are not duplicates, by localId */
  hardNegatives: [string, string][];
  agencies: { ma: string; ten: string; maTinh: string }[];
}
export interface LabelledOptions {
  seed: number;
  count: number;
  /** agency codes to use (default: the don-vi catalogue, plus `synthAgencies` pattern-valid codes) */
  agencies?: { ma: string; ten: string; maTinh: string }[];
  /** extra synthesized agency codes (benchmark only — the simulator does not know them). Default 0. */
  synthAgencies?: number;
  /** share of records that belong to a duplicate group (default 0.25) */
  duplicateShare?: number;
  reference?: ReferenceData;
  /** latest ngayNhanDon (default 2026-06-30) */
  until?: string;
}

// ---------- names ----------
interface NameData {
  surnames: [string, number][];
  male: string[];
  female: string[];
}
const BUILTIN_NAMES: NameData = {
  surnames: [
    ['Nguyễn', 31], ['Trần', 11], ['Lê', 9], ['Phạm', 6], ['Hoàng', 5], ['Huỳnh', 2], ['Vũ', 4], ['Võ', 2], ['Phan', 3], ['Bùi', 2],
    ['Đặng', 2], ['Đỗ', 2], ['Ngô', 2], ['Hồ', 1.5], ['Dương', 1.4], ['Lò', 1], ['Lường', 0.5], ['Sùng', 0.5], ['Đinh', 1], ['Mai', 0.6],
  ],
  male: ['Văn An', 'Văn Bình', 'Minh Đức', 'Văn Hùng', 'Quốc Huy', 'Thanh Tùng', 'Văn Toàn', 'Văn Minh', 'Đức Thắng', 'Văn Hải', 'Hữu Nghĩa', 'Công Thành', 'Văn Long', 'Minh Tuấn', 'Quang Vinh', 'Văn Khánh', 'Duy Mạnh', 'Văn Tiến', 'Xuân Trường', 'Ngọc Sơn'],
  female: ['Thị Hoa', 'Thanh Thủy', 'Thị Lan', 'Thị Mai', 'Thu Hà', 'Thị Hòa', 'Ngọc Anh', 'Thị Hương', 'Minh Thư', 'Thị Nga', 'Thị Loan', 'Bích Ngọc', 'Thị Thủy', 'Thu Trang', 'Thị Yến', 'Kim Oanh', 'Thị Phượng', 'Thanh Hằng', 'Thị Hạnh', 'Mỹ Linh'],
};
function loadNames(): NameData {
  const p = projectPath('..', 'shared', 'data', 'names', 'vietnamese-names.json');
  if (!existsSync(p)) return BUILTIN_NAMES;
  try {
    const d = JSON.parse(readFileSync(p, 'utf8')) as { surnamesByRegion: Record<string, [string, number][]>; givenMale: string[]; givenFemale: string[] };
    const sur = new Map<string, number>();
    for (const list of Object.values(d.surnamesByRegion)) for (const [n, w] of list) sur.set(n, (sur.get(n) ?? 0) + w);
    const ok = (s: string) => s.length > 0 && s.split(' ').length >= 1 && s.length <= 40;
    return { surnames: [...sur], male: d.givenMale.filter(ok), female: d.givenFemale.filter(ok) };
  } catch {
    return BUILTIN_NAMES;
  }
}

// ---------- people ----------
interface Person {
  surname: string;
  given: string; // incl. middle names
  namSinh: number;
  gioiTinh: 'NAM' | 'NU';
  cccd?: string;
  cmnd?: string;
  phone?: string;
  maTinh: string;
  maXa: string;
  chiTiet: string;
}

interface World {
  r: Rng;
  names: NameData;
  provinces: string[];
  communesByProvince: Map<string, { code: string; name: string }[]>;
  oldProvinceCodes: string[];
  agencies: { ma: string; ten: string; maTinh: string }[];
  agenciesByProvince: Map<string, { ma: string; ten: string; maTinh: string }[]>;
  until: string;
  usedIds: Set<string>;
}

function newPerson(w: World, maTinh?: string): Person {
  const r = w.r;
  const gioiTinh = chance(r, 0.55) ? 'NAM' : 'NU';
  const surname = weighted(r, w.names.surnames);
  const given = pick(r, gioiTinh === 'NAM' ? w.names.male : w.names.female);
  const namSinh = int(r, 1945, 2004);
  const tinh = maTinh ?? pick(r, w.provinces);
  const xa = pick(r, w.communesByProvince.get(tinh)!);
  let cccd: string | undefined;
  if (chance(r, 0.7)) {
    for (let k = 0; k < 5 && (!cccd || w.usedIds.has(cccd)); k++) {
      const century = namSinh >= 2000 ? 2 : 0;
      cccd = `0${pick(r, w.oldProvinceCodes)}${century + (gioiTinh === 'NU' ? 1 : 0)}${String(namSinh % 100).padStart(2, '0')}${String(int(r, 0, 999999)).padStart(6, '0')}`;
    }
    w.usedIds.add(cccd!);
  }
  const cmnd = chance(r, 0.25) ? String(int(r, 10000000, 389999999)).padStart(9, '0') : undefined;
  return {
    surname,
    given,
    namSinh,
    gioiTinh,
    cccd,
    cmnd,
    phone: chance(r, 0.6) ? `0${pick(r, ['9', '8', '3', '7'])}${String(int(r, 0, 99999999)).padStart(8, '0')}` : undefined,
    maTinh: tinh,
    maXa: xa.code,
    chiTiet: chance(r, 0.5) ? `Thôn ${int(r, 1, 15)}` : `Số ${int(r, 1, 300)} đường ${pick(r, ['Trần Phú', 'Lê Lợi', 'Hùng Vương', 'Nguyễn Huệ', 'Quang Trung', 'Hoàng Liên'])}`,
  };
}

interface CopyNoise {
  dropMiddle?: boolean;
  swapSurname?: boolean;
  noDiacritics?: boolean;
  oldTone?: boolean;
  id: 'cccd' | 'cmnd' | 'none';
  year: 'keep' | 'missing' | 'off1';
  address: 'same' | 'noCommune' | 'moved';
  phone: boolean;
}

function toNguoi(w: World, p: Person, n: CopyNoise, daiDien: boolean): NguoiDungDon {
  let surname = p.surname;
  if (n.swapSurname && SURNAME_SWAP[surname]) surname = SURNAME_SWAP[surname]!;
  let given = p.given;
  if (n.dropMiddle) given = given.split(' ').slice(-1).join(' ');
  let hoTen = `${surname} ${given}`;
  if (n.oldTone) hoTen = oldToneStyle(hoTen);
  if (n.noDiacritics) hoTen = dropDiacritics(hoTen);
  const out: NguoiDungDon = { hoTen, diaChi: { maTinh: p.maTinh } };
  if (n.id === 'cccd' && p.cccd) out.soDinhDanh = p.cccd;
  if (n.id === 'cmnd' && p.cmnd) out.giayTo = { loai: 'CMND', so: p.cmnd };
  if (n.year === 'keep') out.namSinh = p.namSinh;
  // a ±1 birth year cannot travel with a CCCD that encodes the real one (the national side would refuse it)
  if (n.year === 'off1' && !out.soDinhDanh) out.namSinh = p.namSinh + (chance(w.r, 0.5) ? 1 : -1);
  if (out.soDinhDanh || n.year === 'keep') out.gioiTinh = p.gioiTinh;
  if (n.address === 'same') out.diaChi = { maTinh: p.maTinh, maXa: p.maXa, chiTiet: p.chiTiet };
  else if (n.address === 'moved') {
    const xa = pick(w.r, w.communesByProvince.get(p.maTinh)!);
    out.diaChi = { maTinh: p.maTinh, maXa: xa.code, chiTiet: `Tổ ${int(w.r, 1, 30)}` };
  } else out.diaChi = { maTinh: p.maTinh, chiTiet: n.noDiacritics ? dropDiacritics(p.chiTiet) : p.chiTiet };
  if (n.phone && p.phone) out.soDienThoai = p.phone;
  if (daiDien) out.laDaiDien = true;
  return out;
}

const BASE_NOISE: CopyNoise = { id: 'cccd', year: 'keep', address: 'same', phone: true };
function copyNoise(r: Rng): CopyNoise {
  return {
    dropMiddle: chance(r, 0.15),
    swapSurname: chance(r, 0.5),
    noDiacritics: chance(r, 0.2),
    oldTone: chance(r, 0.3),
    id: weighted(r, [['cccd', 0.45], ['none', 0.45], ['cmnd', 0.1]] as const),
    year: weighted(r, [['keep', 0.7], ['missing', 0.25], ['off1', 0.05]] as const),
    address: weighted(r, [['same', 0.6], ['noCommune', 0.3], ['moved', 0.1]] as const),
    phone: chance(r, 0.5),
  };
}

// ---------- dates ----------
const DAY = 86_400_000;
const addDays = (d: string, n: number): string => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
function randomDate(w: World): string {
  const start = Date.parse('2024-01-01T00:00:00Z');
  const end = Date.parse(`${w.until}T00:00:00Z`) - 220 * DAY;
  return new Date(start + Math.floor(w.r() * ((end - start) / DAY)) * DAY).toISOString().slice(0, 10);
}

// ---------- records ----------
interface Matter {
  t: MatterTemplate;
  s: MatterSlots;
  loaiDon: string;
}
function newMatter(w: World, maTinh: string, t?: MatterTemplate): Matter {
  const tt = t ?? pick(w.r, TEMPLATES);
  const xa = pick(w.r, w.communesByProvince.get(maTinh)!);
  const official = () => {
    const male = chance(w.r, 0.6);
    return `${weighted(w.r, w.names.surnames)} ${pick(w.r, male ? w.names.male : w.names.female)}`;
  };
  return { t: tt, s: matterSlots(w.r, xa.name, official), loaiDon: pick(w.r, tt.loaiDon) };
}

let seq = 0;
function agencyFor(w: World, maTinh: string, avoid?: string): { ma: string; ten: string; maTinh: string } {
  const local = w.agenciesByProvince.get(maTinh) ?? [];
  for (let k = 0; k < 4; k++) {
    const a = local.length && chance(w.r, 0.7) ? pick(w.r, local) : pick(w.r, w.agencies);
    if (a.ma !== avoid) return a;
  }
  return pick(w.r, w.agencies);
}

interface MakeOpts {
  matter: Matter;
  people: Person[];
  noise: CopyNoise[];
  soNguoi: number;
  date: string;
  agency: { ma: string; ten: string; maTinh: string };
  variant: boolean;
  anonymous?: boolean;
  forwardedFrom?: { ma: string; ten: string };
  loaiDon?: string;
  linhVuc?: string;
  dropAccused?: boolean;
}
function makeRecord(w: World, o: MakeOpts): LabelledRecord {
  const localId = `GEN-${String(++seq).padStart(7, '0')}`;
  const loaiDon = o.loaiDon ?? o.matter.loaiDon;
  const toCao = loaiDon === 'TO_CAO';
  const anDanh = !!o.anonymous;
  const daiDien = o.soNguoi >= 5;
  const nguoi = anDanh ? [] : o.people.map((p, i) => toNguoi(w, p, o.noise[i] ?? BASE_NOISE, daiDien));
  const first = nguoi[0];
  const addressedAs = first ? `${o.people[0]!.gioiTinh === 'NAM' ? 'ông' : 'bà'} ${first.hoTen}` : undefined;
  let text = renderMatter(w.r, o.matter.t, o.matter.s, {
    variant: o.variant,
    forwardedBy: o.forwardedFrom?.ten,
    addressedAs: o.forwardedFrom && !toCao ? addressedAs : undefined,
  });
  if (o.noise[0]?.noDiacritics) text = dropDiacritics(text);
  else if (o.noise[0]?.oldTone) text = oldToneStyle(text);
  const bi = o.matter.t.bi?.(o.matter.s);
  const needsAccused = loaiDon === 'KHIEU_NAI' || loaiDon === 'TO_CAO';
  const body: HoSoDon = {
    maDonVi: o.agency.ma,
    maHoSoNguon: localId,
    phienBanNguon: 1,
    ngayNhanDon: o.date,
    nguonDon: o.forwardedFrom ? 'CQ_CHUYEN' : pick(w.r, ['TRUC_TIEP', 'BUU_CHINH', 'TRUC_TUYEN', 'HOM_THU']),
    ...(o.forwardedFrom ? { coQuanChuyenDen: { ten: o.forwardedFrom.ten, maDonVi: o.forwardedFrom.ma, ngayChuyen: o.date } } : {}),
    loaiDon,
    linhVuc: o.linhVuc ?? o.matter.t.linhVuc,
    noiDungTomTat: text.slice(0, 4000),
    anDanh,
    baoMatDanhTinh: toCao || anDanh,
    soNguoi: Math.max(o.soNguoi, nguoi.length, 1),
    nguoiDungDon: nguoi,
    dieuKienXuLy: 'DU_DIEU_KIEN',
    dacTrungLienKet: NO_LINKAGE,
  };
  if (bi && (needsAccused || !o.dropAccused)) {
    body.doiTuongBiKNTC = { loai: bi.loai, ten: o.noise[0]?.noDiacritics ? dropDiacritics(bi.ten) : bi.ten };
  } else if (needsAccused) {
    body.doiTuongBiKNTC = { loai: 'CO_QUAN_TO_CHUC', ten: `Ủy ban nhân dân xã ${o.matter.s.xa}` };
  }
  return { source: 'gen', agency: o.agency.ma, localId, body };
}

const SIBLING_FIELD: Record<string, string> = { 'HC.DD': 'HC.NO', 'HC.NO': 'HC.DD', 'HC.MT': 'HC.DTXD', 'HC.DTXD': 'HC.MT', 'HC.CS': 'HC.LD', 'HC.LD': 'HC.CS' };
const COMPAT_TYPE: Record<string, string> = { KHIEU_NAI: 'KIEN_NGHI_PHAN_ANH', KIEN_NGHI_PHAN_ANH: 'KHIEU_NAI' };

/** Build the labelled set. */
export function generateLabelledHoSoDon(opts: LabelledOptions): LabelledData {
  seq = 0;
  const ref = opts.reference ?? loadReferenceData();
  const r = rng(opts.seed);
  const communesByProvince = new Map<string, { code: string; name: string }[]>();
  for (const c of ref.units2025.communes) {
    let l = communesByProvince.get(c.provinceCode);
    if (!l) communesByProvince.set(c.provinceCode, (l = []));
    l.push({ code: c.code, name: c.name });
  }
  const provinces = [...communesByProvince.keys()];
  let agencies = opts.agencies ?? ref.donVi.map((d) => ({ ma: d.ma, ten: d.ten, maTinh: d.maTinh }));
  if (!opts.agencies && (opts.synthAgencies ?? 0) > 0) {
    const extra: typeof agencies = [];
    for (let k = 0; k < opts.synthAgencies!; k++) {
      const tinh = provinces[k % provinces.length]!;
      const name = ref.units2025.provinces.find((p) => p.code === tinh)?.fullName ?? `Tỉnh ${tinh}`;
      extra.push({ ma: `001.${String(Math.floor(k / 100)).padStart(2, '0')}.${String(k % 100).padStart(2, '0')}.G${tinh.slice(-2)}`, ten: `${pick(r, ['Thanh tra', 'Ban Tiếp công dân', 'Ủy ban nhân dân', 'Sở Nông nghiệp và Môi trường', 'Sở Xây dựng', 'Sở Nội vụ'])} ${name.replace(/^Tỉnh/, 'tỉnh').replace(/^Thành phố/, 'thành phố')}`, maTinh: tinh });
    }
    agencies = [...agencies, ...extra];
  }
  const agenciesByProvince = new Map<string, typeof agencies>();
  for (const a of agencies) {
    let l = agenciesByProvince.get(a.maTinh);
    if (!l) agenciesByProvince.set(a.maTinh, (l = []));
    l.push(a);
  }
  const oldProvinceCodes = ref.unitsBefore.provinces.map((p) => p.code);
  const w: World = { r, names: loadNames(), provinces, communesByProvince, oldProvinceCodes, agencies, agenciesByProvince, until: opts.until ?? '2026-06-30', usedIds: new Set() };

  const records: LabelledRecord[] = [];
  const groups: string[][] = [];
  const hardNegatives: [string, string][] = [];
  const dupTarget = Math.floor(opts.count * (opts.duplicateShare ?? 0.25));
  let dupCount = 0;

  while (records.length < opts.count) {
    const roll = r();
    const tinh = pick(r, provinces);
    if (dupCount < dupTarget && roll < 0.3) {
      // ---- a duplicate group: one đơn, 2–4 copies at other agencies / times
      const size = weighted(r, [[2, 0.65], [3, 0.25], [4, 0.1]] as const);
      const matter = newMatter(w, tinh);
      const crowd = chance(r, 0.08);
      const anonymous = matter.loaiDon === 'TO_CAO' && chance(r, 0.3);
      const people = crowd ? [newPerson(w, tinh), newPerson(w, tinh)] : [newPerson(w, tinh)];
      const soNguoi = crowd ? int(r, 5, 40) : 1;
      const date0 = randomDate(w);
      const a0 = agencyFor(w, tinh);
      const first = makeRecord(w, { matter, people, noise: people.map(() => BASE_NOISE), soNguoi, date: date0, agency: a0, variant: false, anonymous });
      const group = [first.localId];
      records.push(first);
      let date = date0;
      for (let k = 1; k < size; k++) {
        date = addDays(date, weighted(r, [[int(r, 1, 30), 0.5], [int(r, 31, 120), 0.4], [int(r, 121, 200), 0.1]] as const));
        if (date > w.until) date = w.until;
        const forwarded = chance(r, 0.25);
        const sameAgency = chance(r, 0.1);
        const agency = sameAgency ? a0 : agencyFor(w, tinh, a0.ma);
        const noise = people.map(() => copyNoise(r));
        // đơn đông người: the other agency may list only one signatory (G4)
        const ppl = crowd && chance(r, 0.5) ? people.slice(0, 1) : people;
        const rec = makeRecord(w, {
          matter,
          people: ppl,
          noise,
          soNguoi: ppl.length === 1 && crowd ? 1 : soNguoi,
          date,
          agency,
          variant: true,
          anonymous,
          forwardedFrom: forwarded ? a0 : undefined,
          loaiDon: matter.loaiDon !== 'TO_CAO' && chance(r, 0.2) ? (COMPAT_TYPE[matter.loaiDon] ?? matter.loaiDon) : matter.loaiDon,
          linhVuc: chance(r, 0.1) ? (SIBLING_FIELD[matter.t.linhVuc] ?? matter.t.linhVuc) : undefined,
          dropAccused: chance(r, 0.4),
        });
        records.push(rec);
        group.push(rec.localId);
      }
      groups.push(group);
      dupCount += size;
    } else if (roll < 0.36) {
      // ---- hard negative: the same person, another matter
      const p = newPerson(w, tinh);
      const m1 = newMatter(w, tinh);
      let m2 = newMatter(w, tinh);
      if (chance(r, 0.5)) m2 = newMatter(w, tinh, m1.t); // same kind of matter, other facts
      const d1 = randomDate(w);
      const a = makeRecord(w, { matter: m1, people: [p], noise: [BASE_NOISE], soNguoi: 1, date: d1, agency: agencyFor(w, tinh), variant: false });
      const b = makeRecord(w, { matter: m2, people: [p], noise: [copyNoise(r)], soNguoi: 1, date: addDays(d1, int(r, 5, 200)), agency: agencyFor(w, tinh), variant: true });
      records.push(a, b);
      hardNegatives.push([a.localId, b.localId]);
    } else if (roll < 0.4) {
      // ---- hard negative: one matter, several households (each its own đơn)
      const matter = newMatter(w, tinh);
      const n = int(r, 2, 4);
      const d1 = randomDate(w);
      const made: LabelledRecord[] = [];
      for (let k = 0; k < n; k++) {
        const p = newPerson(w, tinh);
        made.push(makeRecord(w, { matter: { ...matter, loaiDon: matter.loaiDon === 'TO_CAO' ? 'TO_CAO' : matter.loaiDon }, people: [p], noise: [copyNoise(r)], soNguoi: 1, date: addDays(d1, int(r, 0, 40)), agency: agencyFor(w, tinh), variant: true }));
      }
      records.push(...made);
      for (let i = 0; i < made.length; i++) for (let j = i + 1; j < made.length; j++) hardNegatives.push([made[i]!.localId, made[j]!.localId]);
    } else if (roll < 0.43) {
      // ---- hard negative: a namesake in the same province (like LC25-000368 vs G4)
      const p = newPerson(w, tinh);
      const q = { ...newPerson(w, tinh), surname: p.surname, given: p.given };
      const d1 = randomDate(w);
      const a = makeRecord(w, { matter: newMatter(w, tinh), people: [p], noise: [BASE_NOISE], soNguoi: 1, date: d1, agency: agencyFor(w, tinh), variant: false });
      const b = makeRecord(w, { matter: newMatter(w, tinh), people: [q], noise: [copyNoise(r)], soNguoi: 1, date: addDays(d1, int(r, 0, 90)), agency: agencyFor(w, tinh), variant: true });
      records.push(a, b);
      hardNegatives.push([a.localId, b.localId]);
    } else {
      // ---- a single đơn
      const matter = newMatter(w, tinh);
      const anonymous = matter.loaiDon === 'TO_CAO' && chance(r, 0.3);
      records.push(makeRecord(w, { matter, people: [newPerson(w, tinh)], noise: [BASE_NOISE], soNguoi: 1, date: randomDate(w), agency: agencyFor(w, tinh), variant: chance(r, 0.5), anonymous }));
    }
  }
  return { records, groups, hardNegatives, agencies };
}

/** All unordered duplicate pairs of the groups, as "a|b" with a < b. */
export function groupPairs(groups: string[][]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) out.add(pairKey(g[i]!, g[j]!));
  return out;
}
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);
