/**
 * Synthetic local exports for the three source kinds (qldt JSON Lines, so-tiep CSV,
 * pakn JSON), realistic and deterministic for a seed, with labelled problems:
 *  - broken records (the kinds of ../shared/samples/README.md: impossible or future date,
 *    unknown label, 11-digit ID, CCCD/year mismatch, so_nguoi < petitioners, chuyển đơn
 *    with no body, unknown agency name, old codes after the merger, khiếu nại without
 *    đối tượng, …), each listed in `labels.broken`;
 *  - duplicate groups (the same petition sent again to another agency or source, re-typed,
 *    without diacritics, with another tone placement, without the middle name, with or
 *    without the ID, old vs new address, weeks apart), listed in `labels.duplicateGroups`.
 *
 * Addresses are real units of the reference data (loadReferenceData: ../shared/data or
 * the simulator's built-in sample), agencies come from its don-vi list, names from the
 * shared name list when present (else a built-in one). All people are invented.
 */
import type { ReferenceData, DonViRow } from '../reference/dvhc.js';
import { loadReferenceData } from '../reference/dvhc.js';
import { todayLocal, MERGER_DATE } from '../vn/dates.js';
import { type Rng, childRng, int, chance, pick, weighted } from './rng.js';
import { loadNames, makeName, type NameLists } from './names.js';
import { buildPlaces, oldAddressText, newAddressText, lowerType, type Places, type Home } from './places.js';
import { makePerson, formatPhone, dropDiacritics, oldToneStyle, type Person } from './people.js';
import { TEMPLATES, FIELDS, makeSlots, render, type Loai, type Slots, type Template } from './content.js';
import { SO_TIEP_HEADER, soTiepCsv } from './csv.js';

export { SO_TIEP_HEADER, soTiepCsv } from './csv.js';

export type SourceName = 'qldt' | 'so-tiep' | 'pakn';
export const GENERATOR_SOURCES: readonly SourceName[] = ['qldt', 'so-tiep', 'pakn'];

export interface GenerateOptions {
  seed: number;
  /** number of local records (distinct local ids) across the chosen sources */
  count: number;
  sources?: readonly SourceName[];
  /** share of records with a deliberate problem (default 0.08) */
  brokenRate?: number;
  /** share of records that repeat an earlier petition (default 0.1) */
  duplicateRate?: number;
  /** "now" of the export (default: the current time); every date is before it */
  now?: Date;
  reference?: ReferenceData;
  /** name list JSON (default ../shared/data/names/vietnamese-names.json when present, else built-in) */
  namesPath?: string;
  /** receiving agencies per source (default: the sample agencies of Lai Châu, Kon Tum, Lào Cai) */
  agencies?: Partial<Record<SourceName, string[]>>;
}

export interface BrokenLabel { source: SourceName; localId: string; problem: string }
export interface DuplicateGroup { groupId: string; members: { source: SourceName; agency: string; localId: string }[] }
export interface Labels { broken: BrokenLabel[]; duplicateGroups: DuplicateGroup[] }

export interface SoTiepExport {
  /** RFC 3339 with +07:00: the export time (`# xuat-luc:` line, the rows' version) */
  exportedAt: string;
  header: string[];
  rows: string[][];
  /** The file exactly as the Sổ tiếp software writes it: BOM, `# xuat-luc:` line, CRLF, every cell quoted. */
  toCsv(): string;
}

export interface GeneratedData {
  qldt: Record<string, unknown>[];
  soTiep: SoTiepExport;
  pakn: Record<string, unknown>[];
  labels: Labels;
  /** what was generated, for printing */
  stats: { records: Record<SourceName, number>; qldtLines: number; broken: number; duplicateGroups: number; duplicateRecords: number; names: string; reference: string };
}

/** Receivers that the demo ingest keys cover (src/ingest/keys.ts DEMO_KEYS). */
export const DEFAULT_AGENCIES: Record<SourceName, string[]> = {
  qldt: ['000.00.00.H29', '000.00.01.H29', '000.00.09.H29'],
  'so-tiep': ['000.00.00.H34'],
  pakn: ['000.00.00.H37', '000.00.09.H37', '000.00.11.H37'],
};
/** Old provinces where each source's petitioners mostly live (Lai Châu; Kon Tum; Lào Cai + Yên Bái). */
const HOME_PROVINCES: Record<SourceName, string[]> = { qldt: ['12'], 'so-tiep': ['62'], pakn: ['10', '15'] };
const ID_PREFIX: Record<SourceName, string> = { qldt: 'LC', 'so-tiep': 'KT', pakn: 'LCI' };
const SOURCE_WEIGHT: Record<SourceName, number> = { qldt: 0.45, 'so-tiep': 0.25, pakn: 0.3 };

// ------------------------------------------------------------------ dates (Vietnam local)
const DAY = 86400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
export const addDays = (iso: string, n: number): string => isoDay(dayMs(iso) + n * DAY);
const minDay = (a: string, b: string) => (a < b ? a : b);
/** dd/mm/yyyy */
export const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
/** d/m/yy */
export const dmyShort = (iso: string) => `${Number(iso.slice(8, 10))}/${Number(iso.slice(5, 7))}/${iso.slice(2, 4)}`;
function localDate(r: Rng, iso: string, style?: 'dmy' | 'short' | 'iso'): string {
  const s = style ?? weighted<'dmy' | 'short' | 'iso'>(r, [['dmy', 0.82], ['short', 0.1], ['iso', 0.08]]);
  return s === 'dmy' ? dmy(iso) : s === 'short' ? dmyShort(iso) : iso;
}
const hhmmss = (r: Rng) => `${String(int(r, 7, 21)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}`;

// ------------------------------------------------------------------ the source-independent case
type Huong = 'THU_LY' | 'CHUYEN_DON' | 'HUONG_DAN' | 'TRA_LAI' | 'LUU_DON' | 'DON_DOC';
interface Case {
  source: SourceName;
  agency: string;
  localId: string;
  received: string; // YYYY-MM-DD (Vietnam)
  loai: Loai;
  tpl: Template;
  variant: number;
  slots: Slots;
  people: Person[];
  soNguoi: number;
  anonymous: boolean;
  /** noise of a duplicate copy */
  noise: { nameStyle: 'asis' | 'ascii' | 'oldTone' | 'noMiddle'; id: 'cccd' | 'cmnd' | 'none'; phoneStyle: number; asciiContent: boolean; addressStyle: 'old' | 'new' | 'auto' };
  dupGroup?: number;
}

interface Ctx {
  r: Rng;
  names: NameLists;
  places: Places;
  ref: ReferenceData;
  today: string;
  donVi: Map<string, DonViRow>;
}

function officialOf(c: Ctx): { name: string; sex: 'NAM' | 'NU' } {
  const sex: 'NAM' | 'NU' = chance(c.r, 0.7) ? 'NAM' : 'NU';
  return { name: makeName(c.r, c.names, 'north', sex).full, sex };
}

function slotsFor(c: Ctx, home: Home, received: string): Slots {
  const old = received < MERGER_DATE;
  const where = old
    ? { village: home.village, xa: lowerType(home.old.xa), huyen: lowerType(home.old.huyen), tinh: lowerType(home.old.tinh) }
    : { village: home.village, xa: lowerType(home.cur.xa), huyen: '', tinh: lowerType(home.cur.tinh) };
  return makeSlots(c.r, where, received, officialOf(c));
}

function personName(p: Person, style: Case['noise']['nameStyle']): string {
  switch (style) {
    case 'ascii': return dropDiacritics(p.name.full);
    case 'oldTone': return oldToneStyle(p.name.full);
    case 'noMiddle': return [p.name.ho, p.name.ten].join(' ');
    default: return p.name.full;
  }
}
function personId(p: Person, style: Case['noise']['id']): string {
  return style === 'cccd' ? p.cccd : style === 'cmnd' ? p.cmnd : '';
}
/** Address text in the era of the receipt date (old text is still common after the merger). */
function addressText(c: Ctx, p: Person, received: string, style: Case['noise']['addressStyle']): string {
  if (received < MERGER_DATE) return oldAddressText(p.home);
  if (style === 'old') return oldAddressText(p.home);
  if (style === 'new') return newAddressText(p.home);
  return chance(c.r, 0.65) ? newAddressText(p.home) : oldAddressText(p.home);
}
function content(cs: Case): string {
  const t = render(cs.tpl, cs.slots, cs.variant);
  return cs.noise.asciiContent ? dropDiacritics(t) : t;
}

// ------------------------------------------------------------------ agency helpers
function agencyName(c: Ctx, ma: string, abbreviate = chance(c.r, 0.3)): string {
  const ten = c.donVi.get(ma)?.ten ?? ma;
  return abbreviate ? ten.replace(/^Ủy ban nhân dân/u, 'UBND') : ten;
}
function transferTargets(c: Ctx, from: string): string[] {
  const me = c.donVi.get(from);
  const same = c.ref.donVi.filter((d) => d.ma !== from && me && d.maTinh === me.maTinh && d.cap !== 'XA');
  return same.length ? same.map((d) => d.ma) : c.ref.donVi.filter((d) => d.ma !== from).map((d) => d.ma).slice(0, 5);
}
const UNKNOWN_BODIES = (s: Slots) => [
  `Phòng Tài nguyên và Môi trường ${s.huyen || 'huyện Tam Đường'}`,
  `Chi nhánh Văn phòng đăng ký đất đai khu vực ${s.village.replace(/^(Bản|Thôn|Làng|Tổ dân phố số|Tổ)\s/u, '')}`,
  `Ban Quản lý dự án đầu tư xây dựng ${s.huyen || s.xa}`,
  `Đội Quản lý trật tự đô thị ${s.huyen || s.xa}`,
];
const FORWARDERS = ['Đoàn đại biểu Quốc hội tỉnh', 'Ban Tiếp công dân trung ương', 'Thanh tra Chính phủ', 'Ban Dân nguyện thuộc Ủy ban Thường vụ Quốc hội', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh'];

// ------------------------------------------------------------------ broken kinds per source
/** Problem names (labels.broken[].problem) and where they apply. */
export const PROBLEMS: Record<SourceName, string[]> = {
  qldt: ['ngay-khong-ton-tai', 'ngay-tuong-lai', 'nhan-khong-xac-dinh', 'dinh-danh-11-so', 'cccd-lech-nam-sinh', 'so-nguoi-it-hon-nguoi-dung-don',
    'chuyen-don-khong-noi-nhan', 'don-vi-nhan-khong-xac-dinh', 'khieu-nai-khong-doi-tuong', 'co-quan-chuyen-den-thieu', 'mau-cu-khong-dia-chi'],
  'so-tiep': ['ngay-khong-ton-tai', 'dinh-danh-11-so', 'don-vi-nhan-khong-xac-dinh', 'chuyen-don-khong-noi-nhan', 'nhan-khong-xac-dinh', 'khieu-nai-khong-doi-tuong'],
  pakn: ['ma-cu-sau-sap-nhap', 'nhan-khong-xac-dinh', 'ngay-tuong-lai', 'dinh-danh-11-so', 'ngay-tra-loi-khong-ton-tai'],
};

// ------------------------------------------------------------------ qldt
const NGUON_QLDT: [string, number][] = [['Trực tiếp', 4], ['Bưu điện', 2.5], ['Hòm thư', 0.7], ['Cổng thông tin', 1], ['Cơ quan khác chuyển đến', 1.2], ['Đại biểu QH, HĐND chuyển', 0.4], ['Báo chí', 0.2]];
const LOAI_LABEL: Record<Loai, string[]> = { KHIEU_NAI: ['Khiếu nại'], TO_CAO: ['Tố cáo'], KIEN_NGHI: ['Kiến nghị', 'Kiến nghị, phản ánh'], PHAN_ANH: ['Phản ánh', 'Kiến nghị, phản ánh'] };
const KHONG_DU_LY_DO = ['Đơn đã được cơ quan có thẩm quyền giải quyết, không có tình tiết mới', 'Đơn nặc danh, không rõ họ tên, địa chỉ người viết đơn', 'Nội dung không thuộc thẩm quyền giải quyết; đã hướng dẫn công dân gửi đến cơ quan có thẩm quyền', 'Đơn khiếu nại quá thời hiệu theo quy định của Luật Khiếu nại'];

function qldtLines(c: Ctx, cs: Case, problem: string | undefined): Record<string, unknown>[] {
  const r = c.r;
  const targets = transferTargets(c, cs.agency);
  const nguon = cs.dupGroup !== undefined && chance(r, 0.5) ? 'Cơ quan khác chuyển đến' : weighted(r, NGUON_QLDT);
  const kn = cs.loai === 'KHIEU_NAI' || cs.loai === 'TO_CAO';
  // handling
  let dieuKien: 'Đủ điều kiện' | 'Không đủ điều kiện' = cs.anonymous || chance(r, 0.1) ? 'Không đủ điều kiện' : 'Đủ điều kiện';
  let huong: Huong;
  if (dieuKien === 'Không đủ điều kiện') huong = cs.anonymous ? 'LUU_DON' : pick(r, ['TRA_LAI', 'LUU_DON', 'HUONG_DAN'] as const);
  else huong = weighted<Huong>(r, [['THU_LY', kn ? 3 : 1.5], ['CHUYEN_DON', 3], ['HUONG_DAN', 2], ['DON_DOC', 0.3]]);
  const ngayXuLy = minDay(addDays(cs.received, int(r, 2, 15)), c.today);
  const target = huong === 'CHUYEN_DON' ? pick(r, targets) : undefined;
  const line: Record<string, unknown> = {
    id_don: cs.localId,
    phien_ban: 1,
    ma_don_vi: cs.agency,
    ngay_nhan: localDate(r, cs.received),
    nguon,
    co_quan_chuyen: null,
    so_cv_chuyen: null,
    ngay_chuyen: null,
    loai_don: pick(r, LOAI_LABEL[cs.loai]),
    linh_vuc: FIELDS[cs.tpl.field].label,
    noi_dung: content(cs),
    nguoi_dung_don: cs.anonymous ? [] : cs.people.map((p, i) => ({
      ho_ten: personName(p, i === 0 ? cs.noise.nameStyle : 'asis'),
      cmnd_cccd: i === 0 ? personId(p, cs.noise.id) : chance(r, 0.7) ? p.cccd : '',
      nam_sinh: p.birthYear,
      gioi_tinh: p.sex === 'NAM' ? 'Nam' : 'Nữ',
      dia_chi: addressText(c, p, cs.received, cs.noise.addressStyle),
      dien_thoai: i === 0 ? formatPhone(r, p.phone, cs.noise.phoneStyle) : chance(r, 0.5) ? formatPhone(r, p.phone) : '',
    })),
    so_nguoi: cs.soNguoi,
    nac_danh: cs.anonymous ? 1 : 0,
    doi_tuong: kn && cs.tpl.doiTuong ? cs.tpl.doiTuong(cs.slots) : null,
    du_dieu_kien: dieuKien,
    ly_do_khong_du: dieuKien === 'Không đủ điều kiện' ? (cs.anonymous ? KHONG_DU_LY_DO[1] : pick(r, [KHONG_DU_LY_DO[0], KHONG_DU_LY_DO[2], KHONG_DU_LY_DO[3]])) : null,
    huong_xu_ly: null,
    ngay_xu_ly: null,
    noi_nhan_chuyen: null,
    ket_qua_giai_quyet: null,
  };
  if (nguon === 'Cơ quan khác chuyển đến' || nguon === 'Đại biểu QH, HĐND chuyển') {
    const tinh = c.donVi.get(cs.agency) ? cs.slots.tinh : '';
    let ten = pick(r, FORWARDERS);
    if (/tỉnh$/u.test(ten)) ten = `${ten} ${(tinh || 'tỉnh Lai Châu').replace(/^tỉnh\s/u, '')}`;
    if (nguon === 'Đại biểu QH, HĐND chuyển') ten = `Đoàn đại biểu Quốc hội ${tinh || 'tỉnh Lai Châu'}`;
    line.co_quan_chuyen = ten;
    line.so_cv_chuyen = `${int(r, 10, 999)}/${pick(r, ['ĐĐBQH-VP', 'BTCDTW', 'TTCP-VP', 'MTTQ-BTT'])}`;
    line.ngay_chuyen = localDate(r, addDays(cs.received, -int(r, 3, 20)), 'dmy');
  }
  if (dieuKien === 'Đủ điều kiện' && kn && !line.doi_tuong) line.doi_tuong = `${pick(r, ['Quyết định', 'Thông báo'])} số ${int(r, 10, 999)}/QĐ-UBND của UBND ${cs.slots.xa}`;
  // versions: v1 received, v2 handled, v3 resolved
  const handled = { ...line, huong_xu_ly: HUONG_LABEL[huong], ngay_xu_ly: localDate(r, ngayXuLy), noi_nhan_chuyen: target ? agencyName(c, target) : null };
  const lines: Record<string, unknown>[] = [];
  const multi = dieuKien === 'Đủ điều kiện' && chance(r, 0.35);
  if (multi) lines.push(line);
  lines.push(handled);
  if (huong === 'THU_LY' && (multi || chance(r, 0.5))) {
    const thuLy = ngayXuLy;
    const han = addDays(thuLy, pick(r, [30, 45, 60]));
    const ketThuc = addDays(thuLy, int(r, 20, 75));
    const done = ketThuc <= c.today && chance(r, 0.7);
    lines.push({
      ...handled,
      ket_qua_giai_quyet: {
        trang_thai: done ? 'Đã giải quyết' : 'Đang giải quyết',
        lan: cs.loai === 'KHIEU_NAI' ? (chance(r, 0.8) ? 1 : 2) : null,
        ngay_thu_ly: localDate(r, thuLy, 'dmy'),
        han_giai_quyet: localDate(r, han, 'dmy'),
        ngay_ket_thuc: done ? localDate(r, ketThuc, 'dmy') : null,
        so_qd: `${int(r, 10, 999)}/QĐ-${pick(r, ['UBND', 'TTr', 'STNMT'])}`,
        ket_luan: done ? pick(r, ['Đúng', 'Sai', 'Đúng một phần']) : null,
      },
    });
  }
  lines.forEach((l, i) => (l.phien_ban = i + 1));
  if (problem) breakQldt(c, cs, lines, problem);
  return lines;
}
const HUONG_LABEL: Record<Huong, string> = { THU_LY: 'Thụ lý giải quyết', CHUYEN_DON: 'Chuyển đơn', HUONG_DAN: 'Hướng dẫn', TRA_LAI: 'Trả lại đơn', LUU_DON: 'Lưu đơn', DON_DOC: 'Đôn đốc' };

/** A typo year in the future: digits swapped (2025 → 2052) when that is later than today, else a few years ahead. */
function futureYear(c: Ctx, received: string): string {
  const y = received.slice(0, 4);
  const swapped = y.slice(0, 2) + y[3] + y[2];
  return Number(swapped) > Number(c.today.slice(0, 4)) ? swapped : String(Number(c.today.slice(0, 4)) + int(c.r, 1, 9));
}

/** Apply one deliberate problem to every version of a qldt record (the final state must carry it). */
function breakQldt(c: Ctx, cs: Case, lines: Record<string, unknown>[], problem: string): void {
  const r = c.r;
  for (const l of lines) {
    const people = l.nguoi_dung_don as Record<string, unknown>[];
    switch (problem) {
      case 'ngay-khong-ton-tai': l.ngay_nhan = `${pick(r, ['30', '31'])}/02/${cs.received.slice(0, 4)}`; break;
      case 'ngay-tuong-lai': l.ngay_nhan = dmy(`${futureYear(c, cs.received)}${cs.received.slice(4)}`); break;
      case 'nhan-khong-xac-dinh': l.linh_vuc = pick(r, ['An ninh trật tự', 'Quốc phòng', 'Văn hóa thể thao']); break;
      case 'dinh-danh-11-so': if (people[0]) people[0].cmnd_cccd = cs.people[0]!.cccd.slice(1); break;
      case 'cccd-lech-nam-sinh': if (people[0]) { people[0].cmnd_cccd = cs.people[0]!.cccd; people[0].nam_sinh = cs.people[0]!.birthYear - int(r, 1, 3); } break;
      case 'so-nguoi-it-hon-nguoi-dung-don': l.so_nguoi = 1; break;
      case 'chuyen-don-khong-noi-nhan': l.huong_xu_ly = 'Chuyển đơn'; l.noi_nhan_chuyen = pick(r, ['', null]); l.ket_qua_giai_quyet = null; l.ngay_xu_ly ??= dmy(minDay(addDays(cs.received, 5), c.today)); break;
      case 'don-vi-nhan-khong-xac-dinh': l.huong_xu_ly = 'Chuyển đơn'; l.noi_nhan_chuyen = pick(r, UNKNOWN_BODIES(cs.slots)); l.ket_qua_giai_quyet = null; l.ngay_xu_ly ??= dmy(minDay(addDays(cs.received, 5), c.today)); break;
      case 'khieu-nai-khong-doi-tuong': l.loai_don = 'Khiếu nại'; l.du_dieu_kien = 'Đủ điều kiện'; l.ly_do_khong_du = null; l.doi_tuong = null; break;
      case 'co-quan-chuyen-den-thieu': l.nguon = 'Cơ quan khác chuyển đến'; l.co_quan_chuyen = null; l.so_cv_chuyen = `${int(r, 10, 999)}/CV-VP`; break;
      case 'mau-cu-khong-dia-chi': {
        // older export: petitioners as one string, no forwarding / result keys
        l.nguoi_dung_don = cs.people.map((p) => p.name.full).join('; ');
        delete l.co_quan_chuyen; delete l.so_cv_chuyen; delete l.ngay_chuyen; delete l.ket_qua_giai_quyet;
        break;
      }
    }
  }
}

// ------------------------------------------------------------------ so-tiep
function soTiepRow(c: Ctx, cs: Case, stt: number, problem: string | undefined): string[] {
  const r = c.r;
  const kn = cs.loai === 'KHIEU_NAI' || cs.loai === 'TO_CAO';
  const label = cs.loai === 'KHIEU_NAI' ? pick(r, ['Khiếu nại', 'KN']) : cs.loai === 'TO_CAO' ? pick(r, ['Tố cáo', 'TC']) : pick(r, ['KN,PA', 'KN,PA', 'Kiến nghị, phản ánh', cs.loai === 'KIEN_NGHI' ? 'Kiến nghị' : 'Phản ánh']);
  let thuLy = '', traLai = '', chuyen = '', theoDoi = '', coQuanDaGq = '';
  // clean rows: KN/TC are returned with guidance or only guided (the form has no đối tượng column)
  const mode = kn
    ? (cs.dupGroup !== undefined ? 'traLai' : weighted(r, [['traLai', 2], ['none', 1]] as const))
    : weighted(r, [['thuLy', 2], ['traLai', 1], ['chuyen', 2], ['none', 1.5]] as const);
  const phieu = () => `Phiếu chuyển số ${int(r, 10, 299)}/PC-BTCD ngày ${dmy(minDay(addDays(cs.received, int(r, 1, 6)), c.today))}`;
  if (mode === 'thuLy') { thuLy = 'x'; theoDoi = pick(r, ['Đang giải quyết', 'Giao phòng nghiệp vụ tham mưu', '']); }
  else if (mode === 'traLai') { traLai = 'x'; theoDoi = pick(r, ['Hướng dẫn gửi đơn đến UBND cấp xã nơi cư trú', 'Trả lại đơn, hướng dẫn gửi cơ quan có thẩm quyền', 'Đơn đã được giải quyết, trả lại đơn']); }
  else if (mode === 'chuyen') { chuyen = agencyName(c, pick(r, transferTargets(c, cs.agency))); theoDoi = phieu(); }
  else theoDoi = '';
  if (cs.loai === 'KHIEU_NAI' && chance(r, 0.3)) coQuanDaGq = `${cs.slots.huyen ? `Chủ tịch UBND ${cs.slots.huyen}` : `Chủ tịch UBND ${cs.slots.xa}`} (Quyết định số ${cs.slots.n}/QĐ-UBND ngày ${cs.slots.date})`;
  const who = cs.people.map((p, i) => `${personName(p, i === 0 ? cs.noise.nameStyle : 'asis')} - ${addressText(c, p, cs.received, cs.noise.addressStyle)}`).join('; ');
  const ids = cs.people.map((p, i) => (i === 0 ? personId(p, cs.noise.id) : chance(r, 0.6) ? p.cccd : '')).join('; ');
  let text = content(cs);
  if (cs.soNguoi >= 5) text = `Đại diện ${cs.soNguoi} hộ dân ${cs.slots.village} kiến nghị:\n1. ${text}\n2. Đề nghị trả lời bằng văn bản cho các hộ dân.`;
  let ngay = chance(r, 0.9) ? dmy(cs.received) : `${Number(cs.received.slice(8, 10))}/${Number(cs.received.slice(5, 7))}/${cs.received.slice(0, 4)}`;
  let phanLoai = `${label}/${cs.soNguoi}`;
  let idCell = ids;
  const ghiChu = cs.soNguoi >= 5 ? `Đoàn ${cs.soNguoi} người, cử ${cs.people.length} đại diện trình bày` : cs.loai === 'TO_CAO' && chance(r, 0.6) ? 'Người tố cáo đề nghị giữ bí mật họ tên' : pick(r, ['', '', 'Công dân chấp hành tốt nội quy', 'Có đơn kèm theo']);
  switch (problem) {
    case 'ngay-khong-ton-tai': ngay = `${pick(r, ['30', '31'])}/02/${cs.received.slice(0, 4)}`; break;
    case 'dinh-danh-11-so': idCell = [cs.people[0]!.cccd.slice(1), ...ids.split('; ').slice(1)].join('; '); break;
    case 'don-vi-nhan-khong-xac-dinh': thuLy = ''; traLai = ''; chuyen = pick(r, UNKNOWN_BODIES(cs.slots)); theoDoi = phieu(); break;
    case 'chuyen-don-khong-noi-nhan': thuLy = ''; traLai = ''; chuyen = 'x'; theoDoi = phieu(); break;
    case 'nhan-khong-xac-dinh': phanLoai = `${pick(r, ['Đề nghị', 'Khác', 'KN-TC'])}/${cs.soNguoi}`; break;
    case 'khieu-nai-khong-doi-tuong': phanLoai = `${pick(r, ['Khiếu nại', 'KN', 'TC'])}/${cs.soNguoi}`; thuLy = 'x'; traLai = ''; chuyen = ''; break;
  }
  return [cs.localId, cs.agency, String(stt), ngay, who, idCell, text, phanLoai, coQuanDaGq, thuLy, traLai, chuyen, theoDoi, ghiChu];
}

// ------------------------------------------------------------------ pakn
const PAKN_ANSWERS = [
  'Cơ quan chuyên môn đã kiểm tra thực tế, làm việc với các bên liên quan và có văn bản trả lời công dân.',
  'Đã chuyển UBND cấp xã kiểm tra, xử lý; kết quả được thông báo đến công dân.',
  'Đã kiểm tra, yêu cầu đơn vị liên quan khắc phục trong tháng; sẽ tiếp tục giám sát.',
  'Nội dung phản ánh đúng một phần; đã chỉ đạo khắc phục và trả lời công dân.',
];
const PAKN_REJECT = ['Nội dung không thuộc phạm vi tiếp nhận của Cổng; đã hướng dẫn công dân gửi đến cơ quan có thẩm quyền.', 'Phản ánh trùng nội dung đã được trả lời trước đó.'];

function paknRecord(c: Ctx, cs: Case, problem: string | undefined): Record<string, unknown> {
  const r = c.r;
  const p = cs.people[0];
  const old = cs.received < MERGER_DATE;
  const instant = `${cs.received}T${hhmmss(r)}+07:00`;
  const submittedAt = chance(r, 0.1) ? new Date(instant).toISOString().replace(/\.000Z$/, 'Z') : instant;
  const status = weighted(r, [['received', 1], ['processing', 2], ['answered', 5], ['rejected', 0.6]] as const);
  const answered = minDay(addDays(cs.received, int(r, 3, 30)), c.today);
  const rec: Record<string, unknown> = {
    feedbackId: cs.localId,
    revision: status === 'received' ? 1 : status === 'processing' ? 2 : int(r, 2, 4),
    agencyCode: cs.agency,
    submittedAt,
    channel: weighted(r, [['web', 5], ['mobile', 3], ['hotline', 1]] as const),
    title: cs.noise.asciiContent ? dropDiacritics(cs.tpl.title(cs.slots)) : cs.tpl.title(cs.slots),
    content: content(cs),
    category: FIELDS[cs.tpl.field].slug,
    citizen: cs.anonymous || !p ? null : {
      fullName: personName(p, cs.noise.nameStyle),
      idNumber: personId(p, cs.noise.id) || null,
      phone: formatPhone(r, p.phone, cs.noise.phoneStyle),
      email: chance(r, 0.4) ? `${dropDiacritics(p.name.full).toLowerCase().replace(/\s+/g, '')}${p.birthYear % 100}@example.com` : null,
      address: old
        ? { provinceCode: p.home.old.maTinh, wardCode: p.home.old.maXa, street: p.home.village }
        : { provinceCode: p.home.cur.maTinh, wardCode: p.home.cur.maXa, street: p.home.village },
    },
    isAnonymous: cs.anonymous,
    status,
    answer: status === 'answered' || status === 'rejected'
      ? { answeredAt: `${answered}T${hhmmss(r)}+07:00`, summary: pick(r, status === 'answered' ? PAKN_ANSWERS : PAKN_REJECT) }
      : null,
  };
  const citizen = rec.citizen as Record<string, unknown> | null;
  switch (problem) {
    case 'ma-cu-sau-sap-nhap':
      // submitted after the merger but still carrying the pre-merger codes
      if (citizen) citizen.address = { provinceCode: p!.home.old.maTinh, wardCode: p!.home.old.maXa, street: p!.home.village };
      break;
    case 'nhan-khong-xac-dinh': rec.category = pick(r, ['dien-nuoc', 'an-ninh', 'van-hoa']); break;
    case 'ngay-tuong-lai': rec.submittedAt = `${Number(c.today.slice(0, 4)) + int(r, 1, 3)}${cs.received.slice(4)}T${hhmmss(r)}+07:00`; rec.status = 'received'; rec.answer = null; break;
    case 'dinh-danh-11-so': if (citizen && p) citizen.idNumber = p.cccd.slice(1); break;
    case 'ngay-tra-loi-khong-ton-tai': rec.status = 'answered'; rec.answer = { answeredAt: `${cs.received.slice(0, 4)}-02-30T09:00:00+07:00`, summary: pick(r, PAKN_ANSWERS) }; break;
  }
  return rec;
}

// ------------------------------------------------------------------ main
function resolveAgencies(ref: ReferenceData, opt: GenerateOptions['agencies']): Record<SourceName, string[]> {
  const known = new Set(ref.donVi.map((d) => d.ma));
  const out = {} as Record<SourceName, string[]>;
  for (const s of GENERATOR_SOURCES) {
    const want = opt?.[s] ?? DEFAULT_AGENCIES[s];
    const ok = want.filter((a) => known.has(a));
    if (ok.length === 0) throw new Error(`generator: none of the agencies ${want.join(', ')} for ${s} is in the don-vi reference list (${ref.origin})`);
    out[s] = ok;
  }
  return out;
}

function homeProvinces(places: Places, source: SourceName): string[] {
  const have = HOME_PROVINCES[source].filter((p) => (places.byOldProvince.get(p)?.length ?? 0) > 0);
  if (have.length) return have;
  const any = [...places.byOldProvince.keys()];
  if (!any.length) throw new Error('generator: the reference data has no usable communes');
  return any.slice(0, 2);
}

/**
 * Generate local exports. Deterministic for (seed, count, options, now, reference data).
 */
export function generateLocalRecords(opts: GenerateOptions): GeneratedData {
  const seed = opts.seed;
  const count = Math.max(0, Math.floor(opts.count));
  const sources = (opts.sources?.length ? opts.sources : GENERATOR_SOURCES).filter((s, i, a) => a.indexOf(s) === i);
  for (const s of sources) if (!GENERATOR_SOURCES.includes(s)) throw new Error(`generator: unknown source ${s} (known: ${GENERATOR_SOURCES.join(', ')})`);
  const brokenRate = opts.brokenRate ?? 0.08;
  const duplicateRate = opts.duplicateRate ?? 0.1;
  const now = opts.now ?? new Date();
  const ref = opts.reference ?? loadReferenceData();
  const names = loadNames(opts.namesPath);
  const places = buildPlaces(ref);
  const agencies = resolveAgencies(ref, opts.agencies);
  const today = todayLocal(now);
  const r = childRng(seed, 'main');
  const c: Ctx = { r, names, places, ref, today, donVi: new Map(ref.donVi.map((d) => [d.ma, d])) };

  // receipt dates: from 2024-10-01 (both sides of the 1 July 2025 merger) up to 2 days ago
  const end = addDays(today, -2);
  let start = '2024-10-01';
  if (dayMs(end) - dayMs(start) < 120 * DAY) start = addDays(end, -540);
  const span = Math.max(1, (dayMs(end) - dayMs(start)) / DAY);
  const randomDay = () => addDays(start, Math.floor(r.next() * span));

  const weights = sources.map((s) => [s, SOURCE_WEIGHT[s]] as const);
  const seq: Record<SourceName, number> = { qldt: 0, 'so-tiep': 0, pakn: 0 };
  const newId = (s: SourceName, received: string): string => {
    const n = ++seq[s];
    const yy = received.slice(2, 4);
    return s === 'pakn' ? `${ID_PREFIX[s]}-${received.slice(0, 4)}-${String(n).padStart(6, '0')}` : s === 'so-tiep' ? `${ID_PREFIX[s]}${yy}-${String(n).padStart(4, '0')}` : `${ID_PREFIX[s]}${yy}-${String(n).padStart(6, '0')}`;
  };

  const cases: Case[] = [];
  const groups: Case[][] = [];
  const noNoise: Case['noise'] = { nameStyle: 'asis', id: 'cccd', phoneStyle: -1, asciiContent: false, addressStyle: 'auto' };

  for (let i = 0; i < count; i++) {
    const source = weighted(r, weights);
    // a repeat of an earlier petition
    // originals: petitions with a named petitioner, not themselves a copy, in a group of < 3
    const originals = cases.filter((x) => !x.anonymous && x.people.length > 0 && (x.dupGroup === undefined || (groups[x.dupGroup]![0] === x && groups[x.dupGroup]!.length < 3)));
    if (i > 3 && chance(r, duplicateRate) && originals.length) {
      const orig = pick(r, originals.slice(-60));
      if (!(source === 'pakn' && orig.loai === 'TO_CAO')) {
        const received = minDay(addDays(orig.received, int(r, 7, 60)), end);
        const agencyChoices = agencies[source].filter((a) => a !== orig.agency || source === 'so-tiep');
        const agency = pick(r, agencyChoices.length ? agencyChoices : agencies[source]);
        const loai: Loai = source === 'pakn' ? (orig.loai === 'KHIEU_NAI' ? 'KIEN_NGHI' : orig.loai) : orig.loai === 'KHIEU_NAI' && chance(r, 0.3) ? 'KIEN_NGHI' : orig.loai;
        const first = orig.people[0]!;
        const copy: Case = {
          ...orig,
          source, agency, received, loai,
          localId: '',
          variant: orig.variant + int(r, 1, 2),
          people: source === 'pakn' ? [first] : chance(r, 0.5) ? [first] : orig.people,
          soNguoi: 1,
          noise: {
            nameStyle: weighted(r, [['asis', 2], ['ascii', 1.2], ['oldTone', 1], ['noMiddle', 0.8]] as const),
            id: weighted(r, [['cccd', 2], ['none', 1.5], ['cmnd', 0.7]] as const),
            phoneStyle: int(r, 0, 4),
            asciiContent: chance(r, 0.2),
            addressStyle: chance(r, 0.5) ? 'old' : 'new',
          },
          slots: { ...orig.slots, ...(received >= MERGER_DATE && orig.received < MERGER_DATE ? { xa: lowerType(first.home.cur.xa), huyen: '', tinh: lowerType(first.home.cur.tinh) } : {}) },
        };
        copy.soNguoi = Math.max(copy.people.length, source === 'pakn' ? 1 : orig.soNguoi >= 5 && copy.people.length > 1 ? orig.soNguoi : copy.people.length);
        if (orig.dupGroup === undefined) {
          orig.dupGroup = groups.length;
          groups.push([orig]);
        }
        copy.dupGroup = orig.dupGroup;
        groups[orig.dupGroup]!.push(copy);
        cases.push(copy);
        continue;
      }
    }
    const received = randomDay();
    const loai: Loai = source === 'pakn'
      ? weighted(r, [['KIEN_NGHI', 1], ['PHAN_ANH', 1]] as const)
      : weighted(r, [['KHIEU_NAI', 3], ['TO_CAO', 1.2], ['KIEN_NGHI', 3], ['PHAN_ANH', 2]] as const);
    const tpl = pick(r, TEMPLATES.filter((t) => t.loai.includes(loai)));
    const homeProv = homeProvinces(places, source);
    // a few petitioners live elsewhere (moved away, write home)
    // (5 % live in a commune that was split: sent with the province only and a warning)
    const home = places.home(r, chance(r, 0.08) ? [...places.byOldProvince.keys()].filter((k) => ['12', '62', '10', '15'].includes(k)) : homeProv, { allowSplit: chance(r, 0.05) });
    const crowd = source !== 'pakn' && chance(r, 0.06);
    const nListed = crowd ? int(r, 2, 3) : source !== 'pakn' && chance(r, 0.08) ? 2 : 1;
    const people: Person[] = [];
    for (let k = 0; k < nListed; k++) {
      const h = k === 0 ? home : { ...home, village: chance(r, 0.7) ? home.village : places.home(r, [home.old.maTinh]).village };
      people.push(makePerson(r, names, h));
    }
    const anonymous = source !== 'so-tiep' && loai !== 'KHIEU_NAI' && chance(r, 0.03);
    cases.push({
      source,
      agency: pick(r, agencies[source]),
      localId: '',
      received,
      loai,
      tpl,
      variant: int(r, 0, 2),
      slots: slotsFor(c, home, received),
      people: anonymous ? [] : people,
      soNguoi: anonymous ? 1 : crowd ? int(r, 6, 30) : nListed,
      anonymous,
      noise: { ...noNoise, phoneStyle: int(r, 0, 5), id: chance(r, 0.12) ? 'none' : chance(r, 0.06) ? 'cmnd' : 'cccd' },
    });
  }

  // deliberate problems: only on records outside duplicate groups (duplicates must stay sendable)
  const problemOf = new Map<Case, string>();
  for (const cs of cases) {
    if (cs.dupGroup !== undefined || !chance(r, brokenRate)) continue;
    let choices = PROBLEMS[cs.source];
    if (cs.anonymous || cs.people.length === 0) choices = choices.filter((p) => !['dinh-danh-11-so', 'cccd-lech-nam-sinh', 'so-nguoi-it-hon-nguoi-dung-don', 'mau-cu-khong-dia-chi', 'ma-cu-sau-sap-nhap'].includes(p));
    if (cs.people.length < 2) choices = choices.filter((p) => p !== 'so-nguoi-it-hon-nguoi-dung-don');
    // old codes after the merger are only detectable when the old province code itself expired
    // (old 15/04543 is also a current code of another commune: reused codes cannot be told apart)
    if (cs.source === 'pakn' && (cs.received < MERGER_DATE || cs.people[0]?.home.old.maTinh === cs.people[0]?.home.cur.maTinh)) choices = choices.filter((p) => p !== 'ma-cu-sau-sap-nhap');
    const problem = pick(r, choices);
    problemOf.set(cs, problem);
  }

  // render
  const qldt: Record<string, unknown>[] = [];
  const soTiepRows: string[][] = [];
  const pakn: Record<string, unknown>[] = [];
  const ordered = [...cases].sort((a, b) => (a.received < b.received ? -1 : a.received > b.received ? 1 : 0));
  let stt = 0;
  const late: Record<string, unknown>[] = [];
  for (const cs of ordered) cs.localId = newId(cs.source, cs.received);
  for (const cs of ordered) {
    const problem = problemOf.get(cs);
    if (cs.source === 'qldt') {
      const lines = qldtLines(c, cs, problem);
      if (lines.length >= 3 && chance(r, 0.25)) {
        // a middle version exported late: v1, v3, … v2 at the end of the file
        qldt.push(lines[0]!, ...lines.slice(2));
        late.push(lines[1]!);
      } else qldt.push(...lines);
      if (chance(r, 0.04)) qldt.push(structuredClone(lines[lines.length - 1]!)); // byte-identical repeat
    } else if (cs.source === 'so-tiep') {
      stt += int(r, 1, 4); // an excerpt: STT numbers have gaps
      soTiepRows.push(soTiepRow(c, cs, stt, problem));
    } else {
      pakn.push(paknRecord(c, cs, problem));
    }
  }
  qldt.push(...late);

  const exportLocal = `${addDays(today, -1)}T17:00:00+07:00`;
  const header = [...SO_TIEP_HEADER];
  const soTiep: SoTiepExport = {
    exportedAt: exportLocal,
    header,
    rows: soTiepRows,
    toCsv: () => soTiepCsv(exportLocal, header, soTiepRows),
  };

  const broken: BrokenLabel[] = ordered.filter((cs) => problemOf.has(cs)).map((cs) => ({ source: cs.source, localId: cs.localId, problem: problemOf.get(cs)! }));
  const duplicateGroups: DuplicateGroup[] = groups
    .filter((g) => g.length >= 2)
    .map((g, i) => ({ groupId: `G${String(i + 1).padStart(3, '0')}`, members: g.map((x) => ({ source: x.source, agency: x.agency, localId: x.localId })) }));
  const bySource = { qldt: 0, 'so-tiep': 0, pakn: 0 } as Record<SourceName, number>;
  for (const cs of cases) bySource[cs.source]++;
  return {
    qldt, soTiep, pakn,
    labels: { broken, duplicateGroups },
    stats: {
      records: bySource,
      qldtLines: qldt.length,
      broken: broken.length,
      duplicateGroups: duplicateGroups.length,
      duplicateRecords: duplicateGroups.reduce((s, g) => s + g.members.length, 0),
      names: names.origin,
      reference: ref.origin,
    },
  };
}

/** qldt export text: one JSON object per line. */
export function qldtJsonl(lines: readonly Record<string, unknown>[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : '');
}
/** pakn export text: a JSON array. */
export function paknJson(items: readonly Record<string, unknown>[]): string {
  return JSON.stringify(items, null, 2) + '\n';
}
