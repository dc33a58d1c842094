/**
 * Petitioner (nguoiDungDon[i] / congDan[i], contract §5.1) from the pieces local
 * systems hold: name, ID number, birth year, sex, address (text or codes), phone.
 *
 *  - name: sent as written (cleanText: NFC, trimmed, spaces collapsed) — a name is a
 *    legal identity and is never "corrected";
 *  - 12 digits → soDinhDanh, checked against birth year and sex; 9 digits (CMND) →
 *    giayTo {loai: CMND}; anything else → DINH_DANH_KHONG_HOP_LE (never padded);
 *  - phone: optional, so an unparseable phone is a warning and is left out;
 *  - address: resolved in the era of the receipt date (codes mean nothing without it).
 */
import type { Catalogues } from '../types.js';
import { classifyIdNumber, checkCccd, normalizePhone } from '../../src/vn/identity.js';
import type { Draft } from './draft.js';
import { readText } from './fields.js';
import { GIOI_TINH_LABELS, lookupFixed } from './labels.js';
import { resolveAddress, type AddressInput, type Era } from './address.js';
import { blank, int } from './values.js';

export interface PersonInput {
  hoTen: unknown;
  hoTenSource: string;
  idNumber?: unknown;
  idSource?: string;
  namSinh?: unknown;
  namSinhSource?: string;
  gioiTinh?: unknown;
  gioiTinhSource?: string;
  phone?: unknown;
  phoneSource?: string;
  address?: AddressInput;
  laDaiDien?: boolean;
}

export interface PersonContext {
  catalogues: Catalogues;
  /** Era of the receipt date; null when the receipt date is unusable (addresses are then not resolved). */
  era: Era | null;
  /** This year (for the birth-year upper bound). */
  year: number;
}

/** Build one petitioner at national pointer `base` (e.g. '/nguoiDungDon/0'). */
export function buildPerson(d: Draft, base: string, p: PersonInput, ctx: PersonContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  d.from(base, p.hoTenSource);
  const hoTen = readText(d, `${base}/hoTen`, p.hoTen, p.hoTenSource, { required: true });
  if (hoTen !== undefined) out.hoTen = hoTen;

  // birth year and sex first: the CCCD check needs them
  let namSinh: number | undefined;
  if (!blank(p.namSinh)) {
    const src = p.namSinhSource ?? p.hoTenSource;
    d.from(`${base}/namSinh`, src);
    const y = int(p.namSinh);
    if (y === undefined) d.add('SAI_KIEU', { national: `${base}/namSinh`, source: src });
    else if (y < 1900 || y > ctx.year) d.add('NGAY_KHONG_HOP_LE', { national: `${base}/namSinh`, source: src });
    else namSinh = out.namSinh = y;
  }
  let gioiTinh: 'NAM' | 'NU' | undefined;
  if (!blank(p.gioiTinh)) {
    const src = p.gioiTinhSource ?? p.hoTenSource;
    d.from(`${base}/gioiTinh`, src);
    const g = typeof p.gioiTinh === 'string' ? lookupFixed(p.gioiTinh, GIOI_TINH_LABELS) : undefined;
    if (g === 'NAM' || g === 'NU') gioiTinh = out.gioiTinh = g;
    else d.add('NHAN_KHONG_XAC_DINH', { national: `${base}/gioiTinh`, source: src, nhan: 'giới tính' });
  }

  if (!blank(p.idNumber)) {
    const src = p.idSource ?? p.hoTenSource;
    const national = `${base}/soDinhDanh`;
    d.from(national, src).from(`${base}/giayTo`, src);
    const raw = typeof p.idNumber === 'string' ? p.idNumber.trim() : p.idNumber;
    const id = classifyIdNumber(raw);
    if (id.kind === 'CCCD') {
      const chk = checkCccd(id.value, { namSinh, gioiTinh }); // checkCccd skips an undefined one
      if (chk.ok) out.soDinhDanh = id.value;
      else d.add('DINH_DANH_KHONG_HOP_LE', { national, source: src, hint: chk.reason });
    } else if (id.kind === 'CMND') {
      out.giayTo = { loai: 'CMND', so: id.value };
    } else {
      d.add('DINH_DANH_KHONG_HOP_LE', { national, source: src, hint: id.reason });
    }
  }

  if (p.address) {
    const diaChi = resolveAddress(d, `${base}/diaChi`, p.address, ctx.era, ctx.catalogues);
    if (diaChi) out.diaChi = diaChi;
  } else {
    d.from(`${base}/diaChi`, p.hoTenSource);
  }

  if (!blank(p.phone)) {
    const src = p.phoneSource ?? p.hoTenSource;
    d.from(`${base}/soDienThoai`, src);
    const ph = normalizePhone(p.phone);
    if (ph.ok) out.soDienThoai = ph.value;
    else d.add('SO_DIEN_THOAI_KHONG_HOP_LE', { national: `${base}/soDienThoai`, source: src, hint: ph.reason });
  }

  if (p.laDaiDien) out.laDaiDien = true;
  return out;
}

/** 'A; B' (older exports, Sổ tiếp) → ['A', 'B']; empty parts dropped. */
export function splitPeople(s: string): string[] {
  return s.split(';').map((x) => x.trim()).filter((x) => x !== '');
}
