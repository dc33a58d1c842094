/**
 * Local Vietnamese labels → national catalogue codes, matched on the folded key
 * (foldKey: tone style, đ→d, case, spacing and Telex leftovers do not matter).
 * Each table lists the labels local systems are known to use; a label is also
 * accepted when it equals the catalogue's own `ten` (or the code itself). Anything
 * else is NHAN_KHONG_XAC_DINH — never a default to KHAC.
 */
import type { CatalogueName } from '../../src/contract/schemas.js';
import type { Catalogues } from '../types.js';
import { foldKey } from '../../src/vn/text.js';

export type LabelTable = Readonly<Record<string, string>>;

/** Labels shared by every source (qldt labels of local-sources.md, Sổ tiếp abbreviations). */
export const NGUON_DON_LABELS: LabelTable = {
  'Trực tiếp': 'TRUC_TIEP',
  'Qua tiếp công dân': 'TRUC_TIEP',
  'Bưu điện': 'BUU_CHINH',
  'Bưu chính': 'BUU_CHINH',
  'Hòm thư': 'HOM_THU',
  'Hộp thư': 'HOM_THU',
  'Cổng thông tin': 'TRUC_TUYEN',
  'Trực tuyến': 'TRUC_TUYEN',
  'Thư điện tử': 'TRUC_TUYEN',
  'Cơ quan khác chuyển đến': 'CQ_CHUYEN',
  'Đại biểu QH, HĐND chuyển': 'DBQH_HDND',
  'Đại biểu Quốc hội, HĐND chuyển': 'DBQH_HDND',
  'Báo chí': 'BAO_CHI',
  'Khác': 'KHAC',
};

export const LOAI_DON_LABELS: LabelTable = {
  'Khiếu nại': 'KHIEU_NAI',
  KN: 'KHIEU_NAI',
  'Tố cáo': 'TO_CAO',
  TC: 'TO_CAO',
  'Kiến nghị': 'KIEN_NGHI_PHAN_ANH',
  'Phản ánh': 'KIEN_NGHI_PHAN_ANH',
  'Kiến nghị, phản ánh': 'KIEN_NGHI_PHAN_ANH',
  'Kiến nghị phản ánh': 'KIEN_NGHI_PHAN_ANH',
  'Phản ánh, kiến nghị': 'KIEN_NGHI_PHAN_ANH',
  'KN,PA': 'KIEN_NGHI_PHAN_ANH',
  'KN, PA': 'KIEN_NGHI_PHAN_ANH',
  'PA,KN': 'KIEN_NGHI_PHAN_ANH',
  PA: 'KIEN_NGHI_PHAN_ANH',
  'Nhiều nội dung': 'NHIEU_NOI_DUNG',
  'Đơn có nhiều nội dung': 'NHIEU_NOI_DUNG',
};

/** Leaf codes of `linh-vuc` (contract §7). Parent codes (HC, TP, …) are never produced. */
export const LINH_VUC_LABELS: LabelTable = {
  'Đất đai': 'HC.DD',
  'Nhà ở': 'HC.NO',
  'Môi trường': 'HC.MT',
  'Tài nguyên môi trường': 'HC.MT',
  'Chế độ chính sách': 'HC.CS',
  'Chế độ, chính sách': 'HC.CS',
  'Chính sách': 'HC.CS',
  'Lao động': 'HC.LD',
  'Bảo hiểm xã hội': 'HC.LD',
  'Lao động, bảo hiểm xã hội': 'HC.LD',
  'Đầu tư, xây dựng': 'HC.DTXD',
  'Xây dựng': 'HC.DTXD',
  'Tài chính': 'HC.TC',
  'Y tế': 'HC.YT',
  'Giáo dục': 'HC.GD',
  'Dân tộc, tôn giáo': 'HC.DTTG',
  'Tôn giáo': 'HC.DTTG',
  'Hộ tịch': 'HC.HT',
  'Tư pháp hành chính': 'HC.HT',
  'Tố tụng': 'TP.TT',
  'Thi hành án': 'TP.THA',
  'Đảng': 'DANG.DV',
  'Đảng viên': 'DANG.DV',
  'Tham nhũng': 'TN.TN',
  'Tham nhũng, lãng phí, tiêu cực': 'TN.TN',
  'Khác': 'KHAC.KHAC',
};

export const HUONG_XU_LY_LABELS: LabelTable = {
  'Thụ lý giải quyết': 'THU_LY',
  'Thụ lý': 'THU_LY',
  'Chuyển đơn': 'CHUYEN_DON',
  'Hướng dẫn': 'HUONG_DAN',
  'Trả lại đơn': 'TRA_LAI',
  'Lưu đơn': 'LUU_DON',
  'Đôn đốc': 'DON_DOC',
};

export const TRANG_THAI_LABELS: LabelTable = {
  'Đang giải quyết': 'DANG_GIAI_QUYET',
  'Đã giải quyết': 'DA_GIAI_QUYET',
  'Tạm đình chỉ': 'TAM_DINH_CHI',
  'Đình chỉ': 'DINH_CHI',
  'Đã rút': 'DA_RUT',
  'Rút đơn': 'DA_RUT',
};

export const KET_QUA_LABELS: LabelTable = {
  'Đúng': 'DUNG',
  'Đúng một phần': 'DUNG_MOT_PHAN',
  'Sai': 'SAI',
  'Đã trả lời': 'DA_TRA_LOI',
};

export const DIEU_KIEN_LABELS: LabelTable = {
  'Đủ điều kiện': 'DU_DIEU_KIEN',
  'Đủ điều kiện xử lý': 'DU_DIEU_KIEN',
  'Không đủ điều kiện': 'KHONG_DU_DIEU_KIEN',
  'Không đủ điều kiện xử lý': 'KHONG_DU_DIEU_KIEN',
};

export const GIOI_TINH_LABELS: LabelTable = { Nam: 'NAM', 'Nữ': 'NU' };

const folded = new WeakMap<LabelTable, Map<string, string>>();
function foldedTable(t: LabelTable): Map<string, string> {
  let m = folded.get(t);
  if (!m) {
    m = new Map(Object.entries(t).map(([k, v]) => [foldKey(k), v]));
    folded.set(t, m);
  }
  return m;
}

const catalogueKeys = new WeakMap<Catalogues, Map<CatalogueName, Map<string, string | null>>>();
/** folded `ten` → code (null when two entries share a folded name). Leaves only for linh-vuc. */
function catalogueNames(cat: Catalogues, name: CatalogueName): Map<string, string | null> {
  let per = catalogueKeys.get(cat);
  if (!per) {
    per = new Map();
    catalogueKeys.set(cat, per);
  }
  let m = per.get(name);
  if (!m) {
    m = new Map();
    for (const it of cat.get(name)) {
      if (name === 'linh-vuc' && !it.maCha) continue;
      if (it.conHieuLuc === false) continue;
      const k = foldKey(it.ten);
      m.set(k, m.has(k) && m.get(k) !== it.ma ? null : it.ma);
    }
    per.set(name, m);
  }
  return m;
}

export type LabelResult = { ok: true; code: string } | { ok: false; code?: undefined };

/**
 * Look a local label up: the source table first, then the catalogue's own names,
 * then the code itself; the code must exist (and be current, and a leaf for
 * linh-vuc) in the catalogue actually loaded.
 */
export function lookupLabel(label: string, table: LabelTable, catalogue: CatalogueName, cat: Catalogues): LabelResult {
  // Local systems use a handful of distinct labels: memoise per (catalogue snapshot, table, label).
  const items = cat.get(catalogue);
  let perItems = memo.get(items);
  if (!perItems) {
    perItems = new Map();
    memo.set(items, perItems);
  }
  let perTable = perItems.get(table);
  if (!perTable) {
    perTable = new Map();
    perItems.set(table, perTable);
  }
  let r = perTable.get(label);
  if (!r) {
    r = lookupUncached(label, table, catalogue, cat);
    if (perTable.size >= MEMO_MAX) perTable.clear();
    perTable.set(label, r);
  }
  return r;
}

const MEMO_MAX = 5000;
/** Keyed by the catalogue's item array: a refreshed catalogue is a new array, so results never go stale. */
const memo = new WeakMap<readonly unknown[], Map<LabelTable, Map<string, LabelResult>>>();

function lookupUncached(label: string, table: LabelTable, catalogue: CatalogueName, cat: Catalogues): LabelResult {
  const key = foldKey(label);
  if (!key) return { ok: false };
  let code = foldedTable(table).get(key) ?? catalogueNames(cat, catalogue).get(key) ?? undefined;
  if (!code) {
    const asCode = label.trim();
    if (cat.byCode(catalogue, asCode)) code = asCode;
  }
  if (!code) return { ok: false };
  const item = cat.byCode(catalogue, code);
  if (!item || item.conHieuLuc === false) return { ok: false };
  if (catalogue === 'linh-vuc' && !item.maCha) return { ok: false };
  return { ok: true, code };
}

/** Fixed local enumerations that are not national catalogues (sex, eligibility). */
const fixedMemo = new WeakMap<LabelTable, Map<string, string | undefined>>();
export function lookupFixed(label: string, table: LabelTable): string | undefined {
  let m = fixedMemo.get(table);
  if (!m) {
    m = new Map();
    fixedMemo.set(table, m);
  }
  if (m.has(label)) return m.get(label);
  const key = foldKey(label);
  const v = key ? foldedTable(table).get(key) : undefined;
  if (m.size >= MEMO_MAX) m.clear();
  m.set(label, v);
  return v;
}
