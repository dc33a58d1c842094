/**
 * Identity numbers and phone numbers. Values are classified and checked, never "fixed":
 * an 11-digit number (Excel dropped the leading 0) is invalid, not padded.
 * Reasons never contain the value itself.
 */

export type IdNumber =
  | { kind: 'CCCD'; value: string }
  | { kind: 'CMND'; value: string }
  | { kind: 'INVALID'; reason: string };

/**
 * The 63 pre-2025 province codes (Quyết định 124/2004/QĐ-TTg list, valid until 30 June 2025).
 * A CCCD's digits 2–3 are the birth-registration province among these (digit 1 is `0`).
 * Public knowledge; kept here so the check needs no catalogue.
 */
export const OLD_PROVINCE_CODES: ReadonlySet<string> = new Set([
  '01', '02', '04', '06', '08', '10', '11', '12', '14', '15', '17', '19', '20', '22', '24', '25', '26', '27', '30', '31',
  '33', '34', '35', '36', '37', '38', '40', '42', '44', '45', '46', '48', '49', '51', '52', '54', '56', '58', '60', '62',
  '64', '66', '67', '68', '70', '72', '74', '75', '77', '79', '80', '82', '83', '84', '86', '87', '89', '91', '92', '93',
  '94', '95', '96',
]);

function asDigitsText(s: unknown): string | undefined {
  if (typeof s === 'string') return s;
  if (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0) return String(s);
  return undefined;
}

/** 12 digits → CCCD, 9 digits → CMND, anything else INVALID. Only surrounding/inner spaces are removed. */
export function classifyIdNumber(s: unknown): IdNumber {
  const raw = asDigitsText(s);
  if (raw === undefined) return { kind: 'INVALID', reason: 'Số giấy tờ phải là chuỗi chữ số' };
  // all ASCII digits (the usual case): nothing to remove, NFC already
  const t = /^\d+$/.test(raw) ? raw : raw.replace(/[ \u00A0]+/g, '').normalize('NFC');
  if (!t) return { kind: 'INVALID', reason: 'Số giấy tờ bị bỏ trống' };
  if (!/^\d+$/.test(t)) return { kind: 'INVALID', reason: 'Số giấy tờ chỉ được gồm chữ số' };
  if (t.length === 12) return { kind: 'CCCD', value: t };
  if (t.length === 9) return { kind: 'CMND', value: t };
  return {
    kind: 'INVALID',
    reason: `Số giấy tờ có ${t.length} chữ số; số định danh (CCCD) phải có 12 chữ số, CMND 9 chữ số`,
  };
}

/**
 * Contract §5.1 rule 2: digits 1–3 = `0` + a pre-2025 province code; digit 4 = century and sex
 * (0 male / 1 female born 1900–1999, 2 / 3 born 2000–2099); digits 5–6 = last two digits of the
 * birth year; when `namSinh` / `gioiTinh` are given they must agree.
 */
export function checkCccd(
  cccd: string,
  p: { namSinh?: number; gioiTinh?: 'NAM' | 'NU' } = {},
): { ok: true } | { ok: false; reason: string } {
  if (typeof cccd !== 'string' || !/^\d{12}$/.test(cccd)) return { ok: false, reason: 'Số định danh phải gồm đúng 12 chữ số' };
  if (cccd[0] !== '0' || !OLD_PROVINCE_CODES.has(cccd.slice(1, 3))) {
    return { ok: false, reason: 'Ba chữ số đầu của số định danh không phải mã tỉnh nơi đăng ký khai sinh' };
  }
  const c = Number(cccd[3]);
  if (c > 3) return { ok: false, reason: 'Chữ số thứ 4 của số định danh (thế kỷ và giới tính) không hợp lệ' };
  const year = (c < 2 ? 1900 : 2000) + Number(cccd.slice(4, 6));
  const sex: 'NAM' | 'NU' = c % 2 === 0 ? 'NAM' : 'NU';
  if (p && p.namSinh !== undefined && p.namSinh !== null && p.namSinh !== year) {
    return { ok: false, reason: 'Năm sinh mã hóa trong số định danh không khớp với năm sinh đã ghi' };
  }
  if (p && p.gioiTinh !== undefined && p.gioiTinh !== null && p.gioiTinh !== sex) {
    return { ok: false, reason: 'Giới tính mã hóa trong số định danh không khớp với giới tính đã ghi' };
  }
  return { ok: true };
}

/**
 * A Vietnamese mobile/landline number in the contract's form `^0\d{9}$`:
 * `+84 912 345 678`, `0912.345.678`, `84912345678`, `0912 345 678`, `(+84) 912-345-678` → `0912345678`.
 * Separators allowed: spaces, dots, dashes, parentheses. Anything else is not a phone number.
 */
export function normalizePhone(s: unknown): { ok: true; value: string } | { ok: false; reason: string } {
  const raw = asDigitsText(s);
  if (raw === undefined) return { ok: false, reason: 'Số điện thoại phải là chuỗi chữ số' };
  const t = (/^[\x00-\x7f]*$/.test(raw) ? raw : raw.normalize('NFC')).trim(); // ASCII is NFC as it stands
  if (!t) return { ok: false, reason: 'Số điện thoại bị bỏ trống' };
  if (!/^\(?\+?[\d\s.\-()]+$/.test(t)) {
    return { ok: false, reason: 'Số điện thoại chứa ký tự không hợp lệ (hoặc ghi nhiều số)' };
  }
  const plus = /^\(?\+/.test(t);
  let d = t.replace(/\D/g, '');
  if (plus) {
    if (!d.startsWith('84')) return { ok: false, reason: 'Số điện thoại không phải số Việt Nam (+84)' };
    d = '0' + d.slice(2).replace(/^0/, ''); // "+84 0912…" is common
  } else if (d.startsWith('0084')) d = '0' + d.slice(4).replace(/^0/, '');
  else if (d.startsWith('84') && d.length === 11) d = '0' + d.slice(2);
  if (!/^0\d{9}$/.test(d)) return { ok: false, reason: 'Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0' };
  return { ok: true, value: d };
}
