/**
 * The national validator (contract v1 §1 text rules, §5.1, §8), shared by the
 * simulator (which answers 422 with it) and the mappers (local pre-check, so that a
 * national 422 is the exception). Pure: no I/O, no clock (ctx.today is given).
 * `validateRequestBody` applies the same §1 text rules and detail codes to the other
 * bodies the national side takes (lien-ket-trung, tim-trung, huy).
 *
 * Every failure is one ChiTietLoi {truong: RFC 6901 pointer into the body, ma, thongDiep}
 * and all of them are reported at once. A field that failed a structural check
 * (type, format, length) is not checked again by the semantic rules, so one wrong
 * value yields one entry, not a cascade.
 *
 * Catalogues: when a catalogue is empty in ctx (a partial catalogue set), the small v1
 * catalogues fall back to V1_CATALOGUES and the large ones (don-vi, tinh, xa) are not
 * checked — the national side always has them.
 */
import type { ChiTietLoi, CatalogueName, DetailCode } from './schemas.js';
import { MA_DON_VI_RE, MA_NGUON_RE, LINK_KEY_RE, DATE_RE, V1_CATALOGUES } from './schemas.js';
import type { Catalogues } from '../../mappers/types.js';

export interface ValidationContext {
  catalogues: Catalogues;
  /** YYYY-MM-DD, Vietnam local date. */
  today: string;
}

/** Every rule the validator enforces, with the detail code it reports. */
export const VALIDATION_RULES = {
  'unknown-field': { ma: 'TRUONG_KHONG_DUOC_PHEP', doc: 'field not in the contract' },
  required: { ma: 'THIEU_TRUONG', doc: 'required field missing' },
  type: { ma: 'SAI_KIEU', doc: 'wrong JSON type (null included)' },
  'text-nfc': { ma: 'SAI_DINH_DANG', doc: 'text not in Unicode NFC' },
  'text-control': { ma: 'SAI_DINH_DANG', doc: 'control character (\\n allowed only in long-text fields)' },
  'text-trim': { ma: 'SAI_DINH_DANG', doc: 'leading/trailing white space' },
  length: { ma: 'QUA_DO_DAI', doc: 'text length in code points outside bounds (default max 500)' },
  'array-size': { ma: 'QUA_DO_DAI', doc: 'list length outside bounds' },
  size: { ma: 'QUA_DO_DAI', doc: 'size limit (dacTrung 8 KiB, attachment 50 MiB)' },
  pattern: { ma: 'SAI_DINH_DANG', doc: 'value does not match its pattern (codes, phone, sha256, keys, dates)' },
  enum: { ma: 'SAI_DINH_DANG', doc: 'value outside a small fixed enumeration' },
  'number-range': { ma: 'SAI_DINH_DANG', doc: 'integer outside its range' },
  'date-invalid': { ma: 'NGAY_KHONG_HOP_LE', doc: 'impossible calendar date (e.g. 2025-02-31)' },
  'date-range': { ma: 'NGAY_KHONG_HOP_LE', doc: 'date before 2000-01-01 or after today; birth year outside 1900…this year' },
  'date-order': { ma: 'NGAY_KHONG_HOP_LE', doc: 'ngayXuLy/ngayThuLy before ngayNhanDon, ngayKetThuc before ngayThuLy' },
  catalogue: { ma: 'MA_KHONG_TON_TAI', doc: 'code not in its catalogue' },
  'linh-vuc-leaf': { ma: 'MA_KHONG_TON_TAI', doc: 'linhVuc is a group, not a leaf code' },
  'province-expired': { ma: 'MA_HET_HIEU_LUC', doc: 'pre-2025 province code' },
  'commune-expired': { ma: 'MA_HET_HIEU_LUC', doc: 'maXa is not a current commune of maTinh but a pre-2025 commune code' },
  'commune-province': { ma: 'KHONG_NHAT_QUAN', doc: 'maXa is a current commune of another province' },
  'cccd-format': { ma: 'DINH_DANH_KHONG_HOP_LE', doc: 'soDinhDanh is not 12 digits' },
  'cccd-province': { ma: 'DINH_DANH_KHONG_HOP_LE', doc: 'digits 1–3 are not 0 + a pre-2025 province code' },
  'cccd-century': { ma: 'DINH_DANH_KHONG_HOP_LE', doc: 'digit 4 is not a century/sex digit 0–3, or implies a future birth year' },
  'cccd-year': { ma: 'DINH_DANH_KHONG_HOP_LE', doc: 'century digit or digits 5–6 disagree with namSinh' },
  'cccd-sex': { ma: 'DINH_DANH_KHONG_HOP_LE', doc: 'digit 4 disagrees with gioiTinh' },
  'xf-an-danh-requires-petitioner': { ma: 'KHONG_NHAT_QUAN', doc: 'anDanh=false ⇒ at least one petitioner' },
  'xf-an-danh-no-petitioner': { ma: 'KHONG_NHAT_QUAN', doc: 'anDanh=true ⇒ no petitioner' },
  'xf-so-nguoi': { ma: 'KHONG_NHAT_QUAN', doc: 'soNguoi ≥ number of listed people' },
  'xf-dai-dien': { ma: 'KHONG_NHAT_QUAN', doc: 'soNguoi ≥ 5 ⇒ every listed person has laDaiDien: true' },
  'xf-to-cao-bao-mat': { ma: 'KHONG_NHAT_QUAN', doc: 'TO_CAO ⇒ baoMatDanhTinh' },
  'xf-co-quan-chuyen-den': { ma: 'KHONG_NHAT_QUAN', doc: 'CQ_CHUYEN/DBQH_HDND ⇒ coQuanChuyenDen' },
  'xf-chuyen-don-nhan': { ma: 'KHONG_NHAT_QUAN', doc: 'xuLy.huong=CHUYEN_DON ⇒ maDonViNhan present and ≠ maDonVi' },
  'xf-giai-quyet-thu-ly': { ma: 'KHONG_NHAT_QUAN', doc: 'giaiQuyet present ⇒ xuLy.huong=THU_LY' },
  'xf-khong-du-huong': { ma: 'KHONG_NHAT_QUAN', doc: 'KHONG_DU_DIEU_KIEN ⇒ xuLy.huong ∈ {TRA_LAI, LUU_DON, HUONG_DAN}' },
  'xf-khong-du-ly-do': { ma: 'KHONG_NHAT_QUAN', doc: 'KHONG_DU_DIEU_KIEN ⇒ lyDoKhongDu' },
  'xf-doi-tuong': { ma: 'KHONG_NHAT_QUAN', doc: 'KHIEU_NAI/TO_CAO with DU_DIEU_KIEN ⇒ doiTuongBiKNTC' },
  'xf-don-vi-nhan-khac': { ma: 'KHONG_NHAT_QUAN', doc: 'luot-tiep ketQua.maDonViNhan ≠ maDonVi' },
} as const satisfies Record<string, { ma: DetailCode; doc: string }>;

export type RuleId = keyof typeof VALIDATION_RULES;
export interface RuleFailure extends ChiTietLoi {
  rule: RuleId;
}

/** Rule ids, so tests can show that every rule has a failing case. */
export function listRuleIds(): RuleId[] {
  return Object.keys(VALIDATION_RULES) as RuleId[];
}

// ---------------------------------------------------------------- specs
type Base = { opt?: boolean };
type StrSpec = Base & {
  t: 'str';
  min?: number;
  max?: number;
  multiline?: boolean;
  re?: RegExp;
  reMsg?: string;
  enum?: readonly string[];
  cat?: CatalogueName;
  date?: boolean;
  /** Checked by a semantic rule instead of the generic pattern/catalogue check. */
  custom?: boolean;
};
type Spec =
  | StrSpec
  | (Base & { t: 'int'; min?: number; max?: number; values?: readonly number[] })
  | (Base & { t: 'num' })
  | (Base & { t: 'bool' })
  | (Base & { t: 'obj'; f: Record<string, Spec> })
  | (Base & { t: 'arr'; of: Spec; min?: number; max?: number })
  | (Base & { t: 'rec'; maxBytes: number });

const opt = <T extends Spec>(s: T): T => ({ ...s, opt: true });
const str = (o: Omit<StrSpec, 't'> = {}): StrSpec => ({ t: 'str', ...o });
const date = (): StrSpec => str({ date: true });
const maDonViSpec = (): StrSpec => str({ re: MA_DON_VI_RE, reMsg: 'Mã đơn vị phải có dạng 000.00.00.A00', cat: 'don-vi' });
const maNguonSpec = (): StrSpec => str({ re: MA_NGUON_RE, reMsg: 'Mã nguồn chỉ gồm 1–64 ký tự chữ, số, dấu chấm, gạch dưới, gạch ngang' });

const DIA_CHI: Spec = {
  t: 'obj',
  f: {
    maTinh: str({ re: /^\d{2}$/, reMsg: 'Mã tỉnh phải gồm 2 chữ số', custom: true }),
    maXa: opt(str({ re: /^\d{5}$/, reMsg: 'Mã xã phải gồm 5 chữ số', custom: true })),
    chiTiet: opt(str({ max: 500 })),
  },
};
const NGUOI: Spec = {
  t: 'obj',
  f: {
    hoTen: str({ min: 2, max: 100 }),
    soDinhDanh: opt(str({ custom: true })),
    giayTo: opt({ t: 'obj', f: { loai: str({ enum: ['CMND', 'HO_CHIEU'] }), so: str({ min: 1 }) } }),
    namSinh: opt({ t: 'int' }),
    gioiTinh: opt(str({ enum: ['NAM', 'NU'] })),
    diaChi: DIA_CHI,
    soDienThoai: opt(str({ re: /^0\d{9}$/, reMsg: 'Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0' })),
    laDaiDien: opt({ t: 'bool' }),
  },
};
const DAC_TRUNG: Spec = {
  t: 'obj',
  f: {
    thuatToan: str({ min: 1, max: 32 }),
    khoa: { t: 'arr', max: 64, of: str({ re: LINK_KEY_RE, reMsg: 'Khóa liên kết chỉ gồm tối đa 128 ký tự [A-Za-z0-9:_+/=.-]' }) },
    dacTrung: { t: 'rec', maxBytes: 8192 },
  },
};

const HO_SO_DON: Spec = {
  t: 'obj',
  f: {
    maDonVi: maDonViSpec(),
    maHoSoNguon: maNguonSpec(),
    phienBanNguon: { t: 'int', min: 1 },
    ngayNhanDon: date(),
    nguonDon: str({ cat: 'nguon-don' }),
    coQuanChuyenDen: opt({
      t: 'obj',
      f: { ten: str({ min: 1, max: 500 }), maDonVi: opt(maDonViSpec()), soVanBan: opt(str({ max: 500 })), ngayChuyen: opt(date()) },
    }),
    loaiDon: str({ cat: 'loai-don' }),
    linhVuc: str({ cat: 'linh-vuc', custom: true }),
    noiDungTomTat: str({ min: 10, max: 4000, multiline: true }),
    anDanh: { t: 'bool' },
    baoMatDanhTinh: { t: 'bool' },
    soNguoi: { t: 'int', min: 1 },
    nguoiDungDon: { t: 'arr', max: 5, of: NGUOI },
    doiTuongBiKNTC: opt({
      t: 'obj',
      f: { loai: str({ enum: ['CA_NHAN', 'CO_QUAN_TO_CHUC'] }), ten: str({ min: 1, max: 500 }), chucVu: opt(str({ max: 500 })), coQuan: opt(str({ max: 500 })) },
    }),
    dieuKienXuLy: str({ enum: ['DU_DIEU_KIEN', 'KHONG_DU_DIEU_KIEN'] }),
    lyDoKhongDu: opt(str({ multiline: true })), // long text, no stated maximum → 500 (§1)
    xuLy: opt({
      t: 'obj',
      f: { huong: str({ cat: 'huong-xu-ly' }), ngayXuLy: date(), maDonViNhan: opt(maDonViSpec()), soVanBan: opt(str({ max: 500 })) },
    }),
    giaiQuyet: opt({
      t: 'obj',
      f: {
        trangThai: str({ cat: 'trang-thai-giai-quyet' }),
        lan: opt({ t: 'int', values: [1, 2] }),
        ngayThuLy: opt(date()),
        hanGiaiQuyet: opt(date()),
        ngayKetThuc: opt(date()),
        soQuyetDinh: opt(str({ max: 500 })),
        ketQua: opt(str({ cat: 'ket-qua' })),
      },
    }),
    tepDinhKem: opt({
      t: 'arr',
      max: 20,
      of: {
        t: 'obj',
        f: {
          ten: str({ min: 1, max: 500 }),
          sha256: str({ re: /^[0-9a-f]{64}$/, reMsg: 'sha256 phải gồm 64 ký tự hex thường' }),
          kichThuoc: { t: 'int', min: 0 },
        },
      },
    }),
    dacTrungLienKet: DAC_TRUNG,
  },
};

const LUOT_TIEP: Spec = {
  t: 'obj',
  f: {
    maDonVi: maDonViSpec(),
    maLuotTiepNguon: maNguonSpec(),
    phienBanNguon: { t: 'int', min: 1 },
    ngayTiep: date(),
    hinhThuc: str({ enum: ['TRUC_TIEP', 'TRUC_TUYEN'] }),
    congDan: { t: 'arr', min: 1, max: 5, of: NGUOI },
    soNguoi: { t: 'int', min: 1 },
    noiDung: str({ min: 10, max: 4000, multiline: true }),
    phanLoai: str({ cat: 'loai-don' }),
    coQuanDaGiaiQuyet: opt(str({ max: 500, multiline: true })),
    ketQua: {
      t: 'obj',
      f: {
        huong: str({ enum: ['NHAN_DON', 'HUONG_DAN', 'CHUYEN_DON', 'GIAI_THICH'] }),
        maDonViNhan: opt(maDonViSpec()),
        maHoSoNguon: opt(maNguonSpec()),
      },
    },
    ghiChu: opt(str({ max: 1000, multiline: true })),
  },
};

/** §6 `POST /ho-so-don/{maHoSo}/lien-ket-trung` body. */
const LIEN_KET: Spec = {
  t: 'obj',
  f: {
    maHoSoKhac: str({ min: 1 }),
    mucDo: str({ enum: ['TRUNG', 'NGHI_TRUNG'] }),
    diem: { t: 'num' },
    lyDo: opt(str({ max: 1000, multiline: true })),
    xacNhanBoi: opt(str({ max: 64 })),
  },
};
/** §6 `POST /ho-so-don/tim-trung` body. */
const TIM_TRUNG: Spec = {
  t: 'obj',
  f: {
    khoa: { t: 'arr', min: 1, max: 64, of: str({ re: LINK_KEY_RE, reMsg: 'Khóa liên kết chỉ gồm tối đa 128 ký tự [A-Za-z0-9:_+/=.-]' }) },
    loaiTru: opt({ t: 'arr', of: str({ min: 1 }) }),
    tuNgay: opt(date()),
    denNgay: opt(date()),
    gioiHan: opt({ t: 'int', min: 1, max: 200 }),
  },
};
/** §5.2 `POST /{kind}/{id}/huy` body: `lyDo` is a long-text field (\n allowed) with no stated maximum → 1–500. */
const HUY: Spec = { t: 'obj', f: { lyDo: str({ min: 1, multiline: true }) } };

// ---------------------------------------------------------------- helpers
const esc = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
const join = (p: string, k: string | number) => `${p}/${esc(k)}`;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A spec in one object shape. The spec literals come in a dozen shapes, so walk's reads of
 * them were megamorphic; every Node has the same fields. An object's fields come with their
 * pointer token escaped once (the tables are static: escaping every key of every body again
 * was two regex replaces per field).
 */
class Node {
  readonly t: Spec['t'];
  readonly opt: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly multiline: boolean;
  readonly re: RegExp | undefined;
  readonly reMsg: string | undefined;
  readonly enumValues: readonly string[] | undefined;
  readonly cat: CatalogueName | undefined;
  readonly date: boolean;
  readonly custom: boolean;
  readonly values: readonly number[] | undefined;
  readonly maxBytes: number;
  readonly of: Node | undefined;
  /** The spec's own field table, for the unknown-field test `k in f` (kept as it was). */
  readonly f: Record<string, Spec> | undefined;
  readonly fields: readonly { key: string; tok: string; node: Node }[];
  /** A pattern (the date pattern for dates) that only accepts printable ASCII: see checkString. */
  readonly plainRe: RegExp | undefined;
  /** Every value of the enumeration is printable ASCII. */
  readonly plainEnum: boolean;
  constructor(spec: Spec) {
    const x = spec as Partial<StrSpec & { values: readonly number[]; maxBytes: number; of: Spec; f: Record<string, Spec> }>;
    this.t = spec.t;
    this.opt = spec.opt === true;
    this.min = x.min;
    this.max = x.max;
    this.multiline = x.multiline === true;
    this.re = x.re;
    this.reMsg = x.reMsg;
    this.enumValues = x.enum;
    this.cat = x.cat;
    this.date = x.date === true;
    this.custom = x.custom === true;
    this.values = x.values;
    this.maxBytes = x.maxBytes ?? 0;
    this.of = x.of ? nodeOf(x.of) : undefined;
    this.f = x.f;
    this.fields = x.f ? Object.entries(x.f).map(([key, s]) => ({ key, tok: `/${esc(key)}`, node: nodeOf(s) })) : [];
    const re = this.date ? DATE_RE : this.re;
    this.plainRe = re && printableOnly(re) ? re : undefined;
    this.plainEnum = this.enumValues !== undefined && this.enumValues.every((e) => /^[\x21-\x7e]*$/.test(e));
  }
}
/**
 * True when every string `re` accepts is printable ASCII without spaces (U+0021–U+007E): the
 * pattern is anchored at both ends and has no flag (g/y would make test() stateful), no wildcard, group
 * or alternation, no negated class, no escape but \d and escaped punctuation, and only
 * printable literals. Such a string is NFC, has no control character or edge space and one
 * code point per unit — so for codes, dates and phones their own pattern stands for those checks.
 */
function printableOnly(re: RegExp): boolean {
  const src = re.source;
  if (re.flags !== '' || !src.startsWith('^') || !src.endsWith('$') || src.endsWith('\\$')) return false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (next !== 'd' && !'.-/\\^$*+?()[]{}|'.includes(next)) return false;
      i++;
      continue;
    }
    const u = ch.charCodeAt(0);
    if (u < 0x21 || u > 0x7e) return false;
    if (inClass) {
      if (ch === ']') inClass = false;
      else if (ch === '^' && src[i - 1] === '[') return false;
    } else if (ch === '[') inClass = true;
    else if (ch === '.' || ch === '|' || ch === '(') return false;
  }
  return !inClass;
}

const NODES = new WeakMap<Spec, Node>();
function nodeOf(spec: Spec): Node {
  let n = NODES.get(spec);
  if (!n) {
    n = new Node(spec);
    NODES.set(spec, n);
  }
  return n;
}

/**
 * Year-month-day of a DATE_RE string is a real calendar date — the same answer as the
 * Date.UTC round trip it replaces (years 0–99 included, which Date.UTC maps to 19xx and
 * so never round-trip), without a Date object per field.
 */
function realDate(s: string): boolean {
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

const TYPE_NAME: Record<Spec['t'], string> = {
  str: 'chuỗi', int: 'số nguyên', num: 'số', bool: 'true/false', obj: 'đối tượng', arr: 'danh sách', rec: 'đối tượng',
};

/** Code sets per catalogue set (catalogues are immutable once built). */
const CODE_SETS = new WeakMap<Catalogues, Map<CatalogueName, Set<string> | undefined>>();

class Collector {
  readonly out: RuleFailure[] = [];
  /** Pointers whose value failed a structural check (semantic rules skip them). */
  readonly bad = new Set<string>();
  constructor(readonly ctx: ValidationContext) {}
  add(rule: RuleId, truong: string, thongDiep: string, structural = false): void {
    this.out.push({ truong, ma: VALIDATION_RULES[rule].ma, thongDiep, rule });
    if (structural) this.bad.add(truong);
  }
  ok(p: string): boolean {
    // valid bodies have no bad pointer: skip hashing the (often freshly concatenated) pointer
    return this.bad.size === 0 || !this.bad.has(p);
  }
  /** Codes of a catalogue, or undefined when it is not available in this context. */
  items(name: CatalogueName): Set<string> | undefined {
    let perCat = CODE_SETS.get(this.ctx.catalogues);
    if (!perCat) CODE_SETS.set(this.ctx.catalogues, (perCat = new Map()));
    if (perCat.has(name)) return perCat.get(name);
    const got = this.ctx.catalogues.get(name);
    const small = (V1_CATALOGUES as Record<string, readonly (readonly string[])[]>)[name];
    const set = got.length ? new Set(got.map((i) => i.ma)) : small ? new Set(small.map((r) => r[0] as string)) : undefined;
    perCat.set(name, set);
    return set;
  }
}

function typeErr(c: Collector, spec: Node, v: unknown, p: string): void {
  c.add('type', p, v === null ? `Giá trị null không hợp lệ, cần ${TYPE_NAME[spec.t]}` : `Sai kiểu dữ liệu, cần ${TYPE_NAME[spec.t]}`, true);
}

// No closures in here: this runs for every field of every body (and under tsx each closure also costs a __name call).
// The pointer of a value is `at + tok` (its parent's pointer and its own token), concatenated only when
// needed — for a finding, or as the parent of nested values — not for every valid leaf.
function walk(c: Collector, spec: Node, v: unknown, at: string, tok: string): void {
  if (v === undefined) {
    if (!spec.opt) c.add('required', at + tok, 'Thiếu trường bắt buộc', true);
    return;
  }
  switch (spec.t) {
    case 'str': {
      if (typeof v !== 'string') return typeErr(c, spec, v, at + tok);
      return checkString(c, spec, v, at, tok);
    }
    case 'int': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return typeErr(c, spec, v, at + tok);
      if (spec.values && !spec.values.includes(v)) return c.add('number-range', at + tok, `Giá trị phải là một trong ${spec.values.join(', ')}`, true);
      if (spec.min !== undefined && v < spec.min) return c.add('number-range', at + tok, `Giá trị phải ≥ ${spec.min}`, true);
      if (spec.max !== undefined && v > spec.max) return c.add('number-range', at + tok, `Giá trị phải ≤ ${spec.max}`, true);
      return;
    }
    case 'num':
      if (typeof v !== 'number' || !Number.isFinite(v)) return typeErr(c, spec, v, at + tok);
      return;
    case 'bool':
      if (typeof v !== 'boolean') return typeErr(c, spec, v, at + tok);
      return;
    case 'rec': {
      if (!isObj(v)) return typeErr(c, spec, v, at + tok);
      // an empty object (the usual dacTrung before the pipeline fills it) is `{}`, 2 bytes: no need to serialise it
      const empty = Object.keys(v).length === 0 && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
      const bytes = empty ? 2 : Buffer.byteLength(JSON.stringify(v), 'utf8');
      if (bytes > spec.maxBytes) c.add('size', at + tok, `Dữ liệu vượt quá ${spec.maxBytes} byte`, true);
      return;
    }
    case 'arr': {
      if (!Array.isArray(v)) return typeErr(c, spec, v, at + tok);
      const p = at + tok;
      if ((spec.min !== undefined && v.length < spec.min) || (spec.max !== undefined && v.length > spec.max)) {
        c.add('array-size', p, `Danh sách phải có từ ${spec.min ?? 0} đến ${spec.max} phần tử`, true);
      }
      // holes are skipped, as forEach did
      for (let i = 0, n = v.length; i < n; i++) if (i in v) walk(c, spec.of!, v[i], p, `/${i}`);
      return;
    }
    case 'obj': {
      if (!isObj(v)) return typeErr(c, spec, v, at + tok);
      const p = at + tok;
      // Bodies list their fields in spec order: a key is first looked for ahead of the last one
      // matched (comparing interned names), and only when not found there tested with `in`.
      const fields = spec.fields;
      let next = 0;
      for (const k of Object.keys(v)) {
        let j = next;
        while (j < fields.length && fields[j]!.key !== k) j++;
        if (j < fields.length) next = j + 1;
        else if (!(k in spec.f!)) c.add('unknown-field', join(p, k), 'Trường không có trong đặc tả', true);
      }
      for (const f of fields) walk(c, f.node, v[f.key], p, f.tok);
      return;
    }
  }
}

/**
 * UTF-16 units that are NFC whatever surrounds them: U+0000–U+02FF (Basic Latin to Spacing
 * Modifiers) and U+1E00–U+1EFF (Latin Extended Additional, the precomposed Vietnamese
 * letters). None is a combining mark, none composes with a neighbour and none changes under
 * NFC (checked exhaustively over every pair), so a text made only of them — nearly every
 * Vietnamese text — is NFC without running normalize().
 */
const nfcStable = (u: number): boolean => u < 0x300 || (u >= 0x1e00 && u < 0x1f00);
/**
 * Any unit that is not printable NFC-stable text (with \n in multiline fields): when none is
 * found — the usual case — the text is NFC, has no control character and no surrogate, and
 * the per-unit loop below is skipped (a regex scan is ~3× faster than charCodeAt in JS).
 */
const NOT_PLAIN = /[^\u0020-\u007e\u00a0-\u02ff\u1e00-\u1eff]/;
const NOT_PLAIN_MULTILINE = /[^\n\u0020-\u007e\u00a0-\u02ff\u1e00-\u1eff]/;

function checkString(c: Collector, spec: Node, v: string, at: string, tok: string): void {
  // A code that its own printable-ASCII pattern (or the date pattern, or its enumeration) accepts
  // passes the text checks by construction: straight to the value checks, the pattern not run twice.
  if (spec.plainRe !== undefined && spec.plainRe.test(v)) return checkValue(c, spec, v, v.length, at, tok, true, false);
  if (spec.plainEnum && spec.enumValues!.includes(v)) return checkValue(c, spec, v, v.length, at, tok, false, true);
  // One pass for the three character-level facts, instead of normalize + a regex + a code-point iterator.
  let stable = true; // every unit NFC-stable (so the text is NFC)
  let control = false; // a Unicode Cc (C0, DEL, C1), \n excepted in multiline fields
  let pairs = 0; // surrogate pairs: the length in code points is v.length - pairs
  const n = v.length;
  if ((spec.multiline ? NOT_PLAIN_MULTILINE : NOT_PLAIN).test(v)) {
    for (let i = 0; i < n; i++) {
      const u = v.charCodeAt(i);
      if (u < 0x20) {
        if (u !== 0x0a || !spec.multiline) control = true;
      } else if (u >= 0x7f && u <= 0x9f) control = true;
      else if (!nfcStable(u)) {
        stable = false;
        if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
          const next = v.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) {
            pairs++;
            i++;
          }
        }
      }
    }
  }
  if (!stable && v.normalize('NFC') !== v) return c.add('text-nfc', at + tok, 'Văn bản phải ở dạng chuẩn Unicode NFC', true);
  if (control) {
    return c.add('text-control', at + tok, spec.multiline ? 'Văn bản chứa ký tự điều khiển (chỉ cho phép xuống dòng)' : 'Văn bản chứa ký tự điều khiển', true);
  }
  if (v.trim() !== v) return c.add('text-trim', at + tok, 'Văn bản có khoảng trắng thừa ở đầu hoặc cuối', true);
  return checkValue(c, spec, v, n - pairs, at, tok, false, false);
}

/** Length (in code points), date, pattern, enumeration, catalogue — in that order; `reOk`/`enumOk`: known to pass. */
function checkValue(c: Collector, spec: Node, v: string, len: number, at: string, tok: string, reOk: boolean, enumOk: boolean): void {
  const max = spec.max ?? 500;
  if (len > max || (spec.min !== undefined && len < spec.min)) {
    return c.add('length', at + tok, spec.min !== undefined ? `Độ dài phải từ ${spec.min} đến ${max} ký tự` : `Độ dài tối đa ${max} ký tự`, true);
  }
  if (spec.date) {
    if (!reOk && !DATE_RE.test(v)) return c.add('pattern', at + tok, 'Ngày phải có dạng YYYY-MM-DD', true);
    if (!realDate(v)) return c.add('date-invalid', at + tok, 'Ngày không tồn tại trong lịch', true);
    return;
  }
  if (spec.re && !reOk && !spec.re.test(v)) return c.add('pattern', at + tok, spec.reMsg ?? 'Sai định dạng', true);
  if (spec.enumValues && !enumOk && !spec.enumValues.includes(v)) return c.add('enum', at + tok, `Giá trị phải là một trong: ${spec.enumValues.join(', ')}`, true);
  if (spec.cat && !spec.custom) {
    const items = c.items(spec.cat);
    if (items && !items.has(v)) c.add('catalogue', at + tok, `Mã không có trong danh mục ${spec.cat}`, true);
  }
}

// ---------------------------------------------------------------- semantic rules
const get = (o: unknown, k: string): unknown => (isObj(o) ? o[k] : undefined);

/** Rule 1 (address codes) and rule 2 (CCCD) for one person. */
function checkPerson(c: Collector, person: unknown, p: string): void {
  if (!isObj(person)) return;
  const diaChi = person.diaChi;
  const pd = `${p}/diaChi`;
  if (isObj(diaChi) && c.ok(pd)) {
    const maTinh = diaChi.maTinh;
    const pt = `${pd}/maTinh`;
    const tinh = c.items('tinh');
    let tinhOk = false;
    if (typeof maTinh === 'string' && c.ok(pt) && tinh) {
      if (tinh.has(maTinh)) tinhOk = true;
      else if (c.items('tinh-truoc-2025')?.has(maTinh)) c.add('province-expired', pt, 'Mã tỉnh trước 1/7/2025 đã hết hiệu lực, dùng mã tỉnh hiện hành');
      else c.add('catalogue', pt, 'Mã tỉnh không có trong danh mục tinh', true);
    }
    const maXa = diaChi.maXa;
    const px = `${pd}/maXa`;
    if (typeof maXa === 'string' && c.ok(px) && typeof maTinh === 'string' && c.ok(pt) && c.ctx.catalogues.get('xa').length) {
      const cur = c.ctx.catalogues.byCode('xa', maXa);
      const curTinh = cur?.maTinh ?? cur?.maCha;
      if (cur && curTinh === maTinh) {
        // a current commune of that province
      } else if (oldCommuneOf(c, maXa, typeof maTinh === 'string' ? maTinh : '') || (!cur && c.ctx.catalogues.byCode('xa-truoc-2025', maXa))) {
        c.add('commune-expired', px, 'Mã xã trước 1/7/2025 đã hết hiệu lực, dùng mã xã hiện hành của tỉnh', true);
      } else if (cur) {
        // when maTinh itself is wrong, its own entry says so
        if (tinhOk) c.add('commune-province', px, 'Mã xã không thuộc tỉnh đã ghi', true);
      } else {
        c.add('catalogue', px, 'Mã xã không có trong danh mục xa', true);
      }
    }
  }
  const pn = `${p}/namSinh`;
  const thisYear = Number(c.ctx.today.slice(0, 4));
  if (typeof person.namSinh === 'number' && c.ok(pn) && (person.namSinh < 1900 || person.namSinh > thisYear)) {
    c.add('date-range', pn, `Năm sinh phải từ 1900 đến ${thisYear}`, true);
  }
  const so = person.soDinhDanh;
  const ps = `${p}/soDinhDanh`;
  if (typeof so !== 'string' || !c.ok(ps)) return;
  if (!/^\d{12}$/.test(so)) return c.add('cccd-format', ps, 'Số định danh (CCCD) phải gồm đúng 12 chữ số; CMND 9 số ghi ở giayTo');
  const oldProvinces = c.items('tinh-truoc-2025') ?? PRE_2025_PROVINCES;
  if (so[0] !== '0' || !oldProvinces.has(so.slice(1, 3))) return c.add('cccd-province', ps, 'Ba chữ số đầu của số định danh không phải mã nơi đăng ký khai sinh hợp lệ');
  const g = Number(so[3]);
  const yy = Number(so.slice(4, 6));
  if (g > 3) return c.add('cccd-century', ps, 'Chữ số thứ tư của số định danh (thế kỷ, giới tính) không hợp lệ');
  const year = (g < 2 ? 1900 : 2000) + yy;
  if (year > thisYear) return c.add('cccd-century', ps, 'Số định danh ứng với năm sinh trong tương lai');
  const namSinh = person.namSinh;
  if (typeof namSinh === 'number' && c.ok(pn) && namSinh !== year) {
    c.add('cccd-year', ps, 'Số định danh không khớp năm sinh');
  }
  const gioiTinh = person.gioiTinh;
  if ((gioiTinh === 'NAM' || gioiTinh === 'NU') && c.ok(`${p}/gioiTinh`) && (g % 2 === 0 ? 'NAM' : 'NU') !== gioiTinh) {
    c.add('cccd-sex', ps, 'Số định danh không khớp giới tính');
  }
}

/** maXa is a pre-2025 commune of maTinh (as old code) or of an old province merged into maTinh. */
function oldCommuneOf(c: Collector, maXa: string, maTinh: string): boolean {
  const old = c.ctx.catalogues.byCode('xa-truoc-2025', maXa);
  if (!old) return false;
  const oldTinh = old.maTinh ?? old.maCha ?? '';
  if (oldTinh === maTinh) return true;
  return c.ctx.catalogues.byCode('tinh-truoc-2025', oldTinh)?.maMoi?.some((m) => m.ma === maTinh) ?? false;
}

/** Fallback when tinh-truoc-2025 is not in the context: the 63 pre-2025 province codes. */
const PRE_2025_PROVINCES = new Set(
  '01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 46 48 49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 94 95 96'.split(' '),
);

function checkPeopleCount(c: Collector, people: unknown, listPtr: string, soNguoi: unknown): void {
  if (!Array.isArray(people) || !c.ok(listPtr)) return;
  if (typeof soNguoi === 'number' && c.ok('/soNguoi')) {
    if (soNguoi < people.length) c.add('xf-so-nguoi', '/soNguoi', 'Số người phải không nhỏ hơn số người được liệt kê');
    if (soNguoi >= 5) {
      people.forEach((per, i) => {
        if (isObj(per) && per.laDaiDien !== true && c.ok(`${listPtr}/${i}/laDaiDien`)) {
          c.add('xf-dai-dien', `${listPtr}/${i}/laDaiDien`, 'Đơn đông người: người được liệt kê phải là người đại diện (laDaiDien: true)');
        }
      });
    }
  }
}

function dateAt(c: Collector, o: unknown, k: string, p: string): string | undefined {
  const v = get(o, k);
  return typeof v === 'string' && c.ok(p) ? v : undefined;
}

/** `linh-vuc` codes and the codes that are some item's parent (groups), per catalogue snapshot. */
const LINH_VUC_TREES = new WeakMap<readonly unknown[], { codes: Set<unknown>; parents: Set<unknown> }>();
const V1_LINH_VUC_TREE = {
  codes: new Set<unknown>(V1_CATALOGUES['linh-vuc'].map((r) => r[0])),
  parents: new Set<unknown>(V1_CATALOGUES['linh-vuc'].flatMap((r) => (r.length > 2 ? [(r as readonly string[])[2]] : []))),
};
function linhVucTree(items: readonly { ma: string; maCha?: string }[]): { codes: Set<unknown>; parents: Set<unknown> } {
  if (!items.length) return V1_LINH_VUC_TREE;
  let t = LINH_VUC_TREES.get(items);
  if (!t) {
    t = { codes: new Set(items.map((i) => i.ma)), parents: new Set(items.flatMap((i) => (i.maCha !== undefined ? [i.maCha] : []))) };
    LINH_VUC_TREES.set(items, t);
  }
  return t;
}

/** Field `k` of the body is present and passed its structural checks. */
function okv(c: Collector, b: Record<string, unknown>, k: string): boolean {
  return c.ok('/' + k) && b[k] !== undefined;
}

function semanticHoSoDon(c: Collector, b: Record<string, unknown>): void {
  const today = c.ctx.today;
  // linh-vuc must be a leaf
  if (typeof b.linhVuc === 'string' && c.ok('/linhVuc')) {
    const tree = linhVucTree(c.ctx.catalogues.get('linh-vuc'));
    if (!tree.codes.has(b.linhVuc)) c.add('catalogue', '/linhVuc', 'Mã không có trong danh mục linh-vuc', true);
    else if (tree.parents.has(b.linhVuc)) c.add('linh-vuc-leaf', '/linhVuc', 'Lĩnh vực phải là mã chi tiết (mã lá), không phải nhóm', true);
  }
  // rule 1, 2
  // (a hole is not an object: checkPerson ignores it, as forEach skipped it)
  if (Array.isArray(b.nguoiDungDon)) for (let i = 0; i < b.nguoiDungDon.length; i++) checkPerson(c, b.nguoiDungDon[i], `/nguoiDungDon/${i}`);
  // rule 3
  const nhan = dateAt(c, b, 'ngayNhanDon', '/ngayNhanDon');
  if (nhan && (nhan < '2000-01-01' || nhan > today)) c.add('date-range', '/ngayNhanDon', nhan > today ? 'Ngày nhận đơn ở tương lai' : 'Ngày nhận đơn trước 01/01/2000');
  const xuLy = b.xuLy;
  const xl = dateAt(c, xuLy, 'ngayXuLy', '/xuLy/ngayXuLy');
  if (nhan && xl && c.ok('/xuLy') && xl < nhan) c.add('date-order', '/xuLy/ngayXuLy', 'Ngày xử lý trước ngày nhận đơn');
  const gq = b.giaiQuyet;
  const thuLy = c.ok('/giaiQuyet') ? dateAt(c, gq, 'ngayThuLy', '/giaiQuyet/ngayThuLy') : undefined;
  const ketThuc = c.ok('/giaiQuyet') ? dateAt(c, gq, 'ngayKetThuc', '/giaiQuyet/ngayKetThuc') : undefined;
  if (nhan && thuLy && thuLy < nhan) c.add('date-order', '/giaiQuyet/ngayThuLy', 'Ngày thụ lý trước ngày nhận đơn');
  if (thuLy && ketThuc && ketThuc < thuLy) c.add('date-order', '/giaiQuyet/ngayKetThuc', 'Ngày kết thúc trước ngày thụ lý');
  // attachment size
  if (Array.isArray(b.tepDinhKem)) {
    b.tepDinhKem.forEach((t, i) => {
      const k = get(t, 'kichThuoc');
      const p = `/tepDinhKem/${i}/kichThuoc`;
      if (typeof k === 'number' && c.ok(p) && k > 52428800) c.add('size', p, 'Tệp đính kèm vượt quá 50 MiB');
    });
  }
  // rule 4
  const people = Array.isArray(b.nguoiDungDon) && c.ok('/nguoiDungDon') ? b.nguoiDungDon : undefined;
  if (okv(c, b, 'anDanh') && people) {
    if (b.anDanh === false && people.length === 0) c.add('xf-an-danh-requires-petitioner', '/nguoiDungDon', 'Đơn không nặc danh phải có ít nhất một người đứng đơn');
    if (b.anDanh === true && people.length > 0) c.add('xf-an-danh-no-petitioner', '/nguoiDungDon', 'Đơn nặc danh không được ghi người đứng đơn');
  }
  checkPeopleCount(c, b.nguoiDungDon, '/nguoiDungDon', b.soNguoi);
  if (okv(c, b, 'loaiDon') && okv(c, b, 'baoMatDanhTinh') && b.loaiDon === 'TO_CAO' && b.baoMatDanhTinh !== true) {
    c.add('xf-to-cao-bao-mat', '/baoMatDanhTinh', 'Đơn tố cáo phải giữ bí mật danh tính người tố cáo (baoMatDanhTinh: true)');
  }
  if (okv(c, b, 'nguonDon') && (b.nguonDon === 'CQ_CHUYEN' || b.nguonDon === 'DBQH_HDND') && b.coQuanChuyenDen === undefined) {
    c.add('xf-co-quan-chuyen-den', '/coQuanChuyenDen', 'Đơn do cơ quan, đại biểu chuyển đến phải ghi cơ quan chuyển đến');
  }
  const huong = isObj(xuLy) && c.ok('/xuLy') && c.ok('/xuLy/huong') ? xuLy.huong : undefined;
  if (huong === 'CHUYEN_DON' && isObj(xuLy) && c.ok('/xuLy/maDonViNhan')) {
    if (xuLy.maDonViNhan === undefined) c.add('xf-chuyen-don-nhan', '/xuLy/maDonViNhan', 'Chuyển đơn phải ghi đơn vị nhận');
    else if (xuLy.maDonViNhan === b.maDonVi) c.add('xf-chuyen-don-nhan', '/xuLy/maDonViNhan', 'Đơn vị nhận chuyển đơn phải khác đơn vị nhận đơn');
  }
  if (gq !== undefined && c.ok('/giaiQuyet') && c.ok('/xuLy')) {
    if (xuLy === undefined) c.add('xf-giai-quyet-thu-ly', '/xuLy', 'Có thông tin giải quyết thì phải có xử lý với hướng thụ lý');
    else if (typeof huong === 'string' && huong !== 'THU_LY') c.add('xf-giai-quyet-thu-ly', '/xuLy/huong', 'Có thông tin giải quyết thì hướng xử lý phải là thụ lý (THU_LY)');
  }
  if (okv(c, b, 'dieuKienXuLy') && b.dieuKienXuLy === 'KHONG_DU_DIEU_KIEN') {
    if (c.ok('/xuLy')) {
      if (xuLy === undefined) c.add('xf-khong-du-huong', '/xuLy', 'Đơn không đủ điều kiện xử lý phải ghi hướng xử lý (trả lại, lưu đơn hoặc hướng dẫn)');
      else if (typeof huong === 'string' && !['TRA_LAI', 'LUU_DON', 'HUONG_DAN'].includes(huong)) {
        c.add('xf-khong-du-huong', '/xuLy/huong', 'Đơn không đủ điều kiện chỉ được trả lại, lưu đơn hoặc hướng dẫn');
      }
    }
    if (b.lyDoKhongDu === undefined || (b.lyDoKhongDu === '' && c.ok('/lyDoKhongDu'))) {
      c.add('xf-khong-du-ly-do', '/lyDoKhongDu', 'Đơn không đủ điều kiện xử lý phải ghi lý do');
    }
  }
  if (okv(c, b, 'loaiDon') && okv(c, b, 'dieuKienXuLy') && (b.loaiDon === 'KHIEU_NAI' || b.loaiDon === 'TO_CAO') && b.dieuKienXuLy === 'DU_DIEU_KIEN' && b.doiTuongBiKNTC === undefined) {
    c.add('xf-doi-tuong', '/doiTuongBiKNTC', 'Đơn khiếu nại, tố cáo đủ điều kiện phải ghi đối tượng bị khiếu nại, tố cáo');
  }
}

function semanticLuotTiep(c: Collector, b: Record<string, unknown>): void {
  if (Array.isArray(b.congDan)) for (let i = 0; i < b.congDan.length; i++) checkPerson(c, b.congDan[i], `/congDan/${i}`);
  const ngay = dateAt(c, b, 'ngayTiep', '/ngayTiep');
  if (ngay && (ngay < '2000-01-01' || ngay > c.ctx.today)) c.add('date-range', '/ngayTiep', ngay > c.ctx.today ? 'Ngày tiếp ở tương lai' : 'Ngày tiếp trước 01/01/2000');
  checkPeopleCount(c, b.congDan, '/congDan', b.soNguoi);
  const nhan = get(b.ketQua, 'maDonViNhan');
  if (typeof nhan === 'string' && c.ok('/ketQua') && c.ok('/ketQua/maDonViNhan') && nhan === b.maDonVi) {
    c.add('xf-don-vi-nhan-khac', '/ketQua/maDonViNhan', 'Đơn vị được chuyển đến phải khác đơn vị tiếp');
  }
}

/** All failures with their rule ids (tests, diagnostics). */
export function validateDetailed(kind: 'ho-so-don' | 'luot-tiep', body: unknown, ctx: ValidationContext): RuleFailure[] {
  const c = new Collector(ctx);
  walk(c, nodeOf(kind === 'ho-so-don' ? HO_SO_DON : LUOT_TIEP), body, '', '');
  if (isObj(body)) (kind === 'ho-so-don' ? semanticHoSoDon : semanticLuotTiep)(c, body);
  return c.out;
}

const strip = (f: RuleFailure[]): ChiTietLoi[] => (f.length === 0 ? [] : f.map(({ truong, ma, thongDiep }) => ({ truong, ma, thongDiep })));

/** The request bodies other than records that the validator checks (§1 text rules + their field rules). */
export type RequestBodyKind = 'lien-ket-trung' | 'tim-trung' | 'huy';
const REQUEST_SPECS: Record<RequestBodyKind, Spec> = { 'lien-ket-trung': LIEN_KET, 'tim-trung': TIM_TRUNG, huy: HUY };
const NO_CATALOGUES = { get: () => [], byCode: () => undefined } as unknown as Catalogues;

/**
 * Contract §1 + §6 / §5.2 on a `lien-ket-trung`, `tim-trung` or `huy` body: same text rules (NFC, no Cc except
 * `\n` in `lyDo`, trimmed, code-point lengths, default max 500) and the same detail codes as for records. [] = valid.
 */
export function validateRequestBody(kind: RequestBodyKind, body: unknown, ctx?: Partial<ValidationContext>): ChiTietLoi[] {
  const c = new Collector({ catalogues: ctx?.catalogues ?? NO_CATALOGUES, today: ctx?.today ?? vietnamToday() });
  walk(c, nodeOf(REQUEST_SPECS[kind]), body, '', '');
  return strip(c.out);
}

/** Contract §1 + §5.1 on a `ho-so-don` body. [] = valid. */
export function validateHoSoDon(body: unknown, ctx: ValidationContext): ChiTietLoi[] {
  return strip(validateDetailed('ho-so-don', body, ctx));
}

/** Contract §1 + §8 on a `luot-tiep` body. [] = valid. */
export function validateLuotTiep(body: unknown, ctx: ValidationContext): ChiTietLoi[] {
  return strip(validateDetailed('luot-tiep', body, ctx));
}

/** Vietnam local date of an instant (contract dates are Asia/Ho_Chi_Minh, UTC+7, no DST). */
export function vietnamToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
