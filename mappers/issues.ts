/**
 * The catalogue of every issue a mapper can raise: stable code, default severity,
 * Vietnamese message template for the data officer and the English meaning for
 * engineers. Templates take only *non-personal* parameters ({truong} = a field label
 * or pointer, {nhan} = which catalogue, {ma} = a catalogue code): a name, ID number,
 * phone, address or petition text never goes into a message or a hint.
 *
 * National detail codes (contract §4 chiTiet[].ma) are reused as-is, so an issue found
 * locally and the same problem found by a national 422 carry the same code.
 */
import type { Issue, Severity } from './types.js';
import type { RecordKind } from '../src/contract/schemas.js';

export interface IssueDef {
  severity: Severity;
  /** Vietnamese, for officers. Placeholders: {truong}, {nhan}, {ma}, {chiTiet}. */
  vi: string;
  /** English meaning, for engineers and the docs. */
  en: string;
}

export const ISSUE_CATALOGUE = {
  // --- national detail codes (contract §4), as found by the local pre-check
  THIEU_TRUONG: { severity: 'error', vi: 'Thiếu thông tin bắt buộc: {truong}.', en: 'Required field missing.' },
  SAI_KIEU: { severity: 'error', vi: 'Sai kiểu dữ liệu: {truong}.', en: 'Wrong type (null is a wrong type, never "absent").' },
  SAI_DINH_DANG: { severity: 'error', vi: 'Sai định dạng: {truong}.', en: 'Wrong format (pattern, NFC, enumeration).' },
  QUA_DO_DAI: { severity: 'error', vi: 'Vượt quá độ dài hoặc số lượng cho phép: {truong}.', en: 'Too long / too many items.' },
  MA_KHONG_TON_TAI: { severity: 'error', vi: 'Mã không có trong danh mục quốc gia: {truong}.', en: 'Code not in the national catalogue.' },
  MA_HET_HIEU_LUC: { severity: 'error', vi: 'Mã đã hết hiệu lực (mã đơn vị hành chính trước 01/7/2025 dùng sau ngày sắp xếp): {truong}.', en: 'Code no longer valid for the record date (pre-2025 unit code used in the new era).' },
  DINH_DANH_KHONG_HOP_LE: { severity: 'error', vi: 'Số định danh/CMND không hợp lệ hoặc không khớp năm sinh, giới tính: {truong}. Không tự sửa số.', en: 'ID number invalid or inconsistent with birth year/sex; never padded or fixed.' },
  NGAY_KHONG_HOP_LE: { severity: 'error', vi: 'Ngày không hợp lệ (không có thật, ở tương lai hoặc sai thứ tự): {truong}. Ngày không được tự sửa.', en: 'Impossible, future or out-of-order date; never corrected.' },
  KHONG_NHAT_QUAN: { severity: 'error', vi: 'Thông tin không nhất quán: {truong}. {chiTiet}', en: 'Cross-field rule of contract §5.1/§8 violated.' },
  TRUONG_KHONG_DUOC_PHEP: { severity: 'error', vi: 'Trường không được phép: {truong}.', en: 'Unknown field in the national body.' },
  // --- mapper codes
  LOI_ANH_XA: { severity: 'error', vi: 'Lỗi hệ thống khi chuyển đổi bản ghi; bản ghi được lưu để kiểm tra, chưa gửi.', en: 'Unexpected exception inside a mapper (a bug); the record is kept for review, nothing is sent.' },
  KHONG_DOC_DUOC: { severity: 'error', vi: 'Không đọc được bản ghi (dòng {truong}): {chiTiet}', en: 'Unreadable line/record in the source file.' },
  NHAN_KHONG_XAC_DINH: { severity: 'error', vi: 'Nhãn không khớp mục nào của danh mục {nhan}; không tự gán "Khác": {truong}.', en: 'Local label matches no catalogue entry; never defaulted to KHAC.' },
  DON_VI_KHONG_XAC_DINH: { severity: 'error', vi: 'Không xác định được mã đơn vị từ tên cơ quan: {truong}. Cần chọn mã đúng trong danh mục đơn vị.', en: 'Agency name matches no don-vi catalogue entry.' },
  DON_VI_MO_HO: { severity: 'error', vi: 'Tên cơ quan khớp với nhiều đơn vị, không tự chọn: {truong}. Cần chọn mã đúng.', en: 'Agency name is ambiguous; candidates in hint (codes only).' },
  SO_DIEN_THOAI_KHONG_HOP_LE: { severity: 'warning', vi: 'Số điện thoại không hợp lệ, không gửi số điện thoại: {truong}.', en: 'Phone number unparseable; optional field omitted, record still sent.' },
  XA_BI_CHIA_TACH: { severity: 'warning', vi: 'Xã cũ đã bị chia tách, không xác định được xã mới; chỉ gửi mã tỉnh và địa chỉ chi tiết: {truong}.', en: 'Old commune was split (MOT_PHAN): province + text sent, no maXa.' },
  XA_KHONG_XAC_DINH: { severity: 'warning', vi: 'Không xác định được xã (tên không khớp hoặc khớp nhiều xã); chỉ gửi mã tỉnh và địa chỉ chi tiết: {truong}.', en: 'Commune not identified (unknown or ambiguous); province + text sent.' },
  THIEU_XA: { severity: 'warning', vi: 'Địa chỉ không có xã/phường; chỉ gửi mã tỉnh: {truong}.', en: 'Address names no commune; province only.' },
  TINH_KHONG_XAC_DINH: { severity: 'error', vi: 'Không xác định được tỉnh của địa chỉ: {truong}. Không tự lấy tỉnh của cơ quan.', en: 'Province of the address not identified; the agency province is not assumed.' },
  LINH_VUC_CHUA_PHAN_LOAI: { severity: 'warning', vi: 'Sổ tiếp công dân không có cột lĩnh vực; hồ sơ gửi với lĩnh vực "Khác" — đề nghị phân loại lại trên phần mềm xử lý đơn: {truong}.', en: 'so-tiep form has no field column: sent as KHAC.KHAC (explicitly unclassified) with a warning.' },
  XU_LY_MAU_THUAN: { severity: 'error', vi: 'Sổ tiếp đánh dấu nhiều hướng xử lý cùng lúc: {truong}. Cần giữ lại một hướng.', en: 'Several handling columns filled in one so-tiep row.' },
  CONG_DAN_KHONG_KHOP: { severity: 'error', vi: 'Số định danh và họ tên công dân không khớp theo vị trí: {truong}.', en: 'so-tiep positional ID column has more entries than citizens.' },
  THIEU_PHIEN_BAN_XUAT: { severity: 'error', vi: 'Không xác định được thời điểm xuất sổ (dòng "# xuat-luc:" hoặc tên tệp) để làm phiên bản: {truong}.', en: 'so-tiep export timestamp (version) missing.' },
  DON_VI_NHAN_KHONG_XAC_DINH: { severity: 'warning', vi: 'Không xác định được mã cơ quan nhận chuyển; lượt tiếp gửi không có mã cơ quan nhận: {truong}.', en: 'luot-tiep: receiving body unresolved or absent; sent without maDonViNhan (allowed by §8).' },
} as const satisfies Record<string, IssueDef>;

export type IssueCode = keyof typeof ISSUE_CATALOGUE;

export interface IssueParams {
  truong?: string;
  nhan?: string;
  ma?: string;
  chiTiet?: string;
}

export function formatMessage(code: string, params: IssueParams = {}): string {
  const def = (ISSUE_CATALOGUE as Record<string, IssueDef>)[code];
  const tpl = def ? def.vi : 'Lỗi {truong}.';
  return tpl
    .replace(/\{(truong|nhan|ma|chiTiet)\}/g, (_m, k: keyof IssueParams) => params[k] ?? '')
    .replace(/\s+$/, '')
    .replace(/:\s*\./g, '.');
}

/**
 * formatMessage memoised: a message depends only on the code and its non-personal parameters
 * (field pointers, catalogue names, validator reasons), which repeat from record to record,
 * and formatting costs three regex replaces. Keys are length-prefixed, so no two parameter
 * sets share one; the cache is emptied when it reaches MESSAGES_MAX.
 */
const messages = new Map<string, Map<string, Map<string, string>>>(); // code → truong → the other parameters
let messageCount = 0;
const MESSAGES_MAX = 5000;
function cachedMessage(code: string, truong: string, nhan: string | undefined, ma: string | undefined, chiTiet: string | undefined): string {
  // nested by code and field: those strings are already built (and hashed), no key to concatenate on a hit
  const rest = nhan === undefined && ma === undefined && chiTiet === undefined ? '' : `${(nhan ?? '').length}:${nhan ?? ''}${(ma ?? '').length}:${ma ?? ''}${chiTiet ?? ''}`;
  let byField = messages.get(code);
  if (!byField) messages.set(code, (byField = new Map()));
  let byRest = byField.get(truong);
  if (!byRest) byField.set(truong, (byRest = new Map()));
  let msg = byRest.get(rest);
  if (msg === undefined) {
    msg = formatMessage(code, { truong, nhan, ma, chiTiet });
    if (messageCount >= MESSAGES_MAX) {
      messages.clear();
      messageCount = 0;
    }
    byRest.set(rest, msg);
    messageCount++;
  }
  return msg;
}

export function defaultSeverity(code: string): Severity {
  return (ISSUE_CATALOGUE as Record<string, IssueDef>)[code]?.severity ?? 'error';
}

export interface IssueInput extends IssueParams {
  source: string;
  national?: string;
  recordKind?: RecordKind;
  severity?: Severity;
  hint?: string;
}

/**
 * Build an Issue. `truong` defaults to the national pointer (else the source pointer),
 * which names a field, never a value.
 */
export function makeIssue(code: IssueCode | string, i: IssueInput): Issue {
  const truong = i.truong ?? i.national ?? i.source;
  const out: Issue = {
    code,
    severity: i.severity ?? defaultSeverity(code),
    source: i.source,
    message: cachedMessage(code, truong === '' ? '(bản ghi)' : truong, i.nhan, i.ma, i.chiTiet),
  };
  if (i.national !== undefined) out.national = i.national;
  if (i.recordKind !== undefined) out.recordKind = i.recordKind;
  if (i.hint !== undefined) out.hint = i.hint;
  // a detail (e.g. the validator's own Vietnamese reason) that the template has no place for becomes the hint
  else if (i.chiTiet && !(ISSUE_CATALOGUE as Record<string, IssueDef>)[code]?.vi.includes('{chiTiet}')) out.hint = i.chiTiet;
  return out;
}

/** Drop exact repeats (same code, severity, pointers and kind), keeping the first. */
export function dedupIssues(issues: Issue[]): Issue[] {
  if (issues.length < 2) return issues.slice(); // nothing can repeat
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const i of issues) {
    const k = `${i.code}|${i.severity}|${i.source}|${i.national ?? ''}|${i.recordKind ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(i);
  }
  return out;
}
