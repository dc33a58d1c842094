/**
 * Addresses: free text (qldt, so-tiep) or administrative codes (pakn), always read in
 * the era of the record's receipt date — since 1 July 2025 codes were reused for other
 * units, so a code means nothing without its era. Resolution itself is src/vn/address.ts;
 * here its warnings become warning issues (the record is still sent with what is
 * certain: province, plus the text in chiTiet) and its failures become errors.
 */
import type { Catalogues } from '../types.js';
import type { AddressResult } from '../../src/vn/address.js';
import { addressText, addressCodes } from './memo.js';
import { cleanText } from '../../src/vn/text.js';
import type { Draft } from './draft.js';
import { blank } from './values.js';

export type Era = 'truoc-2025' | 'hien-hanh';

export type AddressInput =
  | { text: unknown; source: string }
  | { codes: { maTinh: unknown; maXa?: unknown; chiTiet?: unknown }; source: string; maTinhSource?: string; maXaSource?: string; chiTietSource?: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

export function resolveAddress(d: Draft, national: string, a: AddressInput, era: Era | null, cat: Catalogues): Record<string, unknown> | undefined {
  d.from(national, a.source);
  if (era === null) {
    // the receipt date is unusable, so the era is unknown: do not resolve, do not pile up consequences
    d.skip(national);
    return undefined;
  }
  let r: AddressResult;
  if ('text' in a) {
    if (blank(a.text)) return undefined; // reported by the validator as THIEU_TRUONG at …/diaChi
    if (typeof a.text !== 'string') {
      d.add('SAI_KIEU', { national, source: a.source });
      return undefined;
    }
    r = addressText(cleanText(a.text), era, cat);
  } else {
    const maTinh = str(a.codes.maTinh);
    if (a.maTinhSource) d.from(`${national}/maTinh`, a.maTinhSource);
    if (a.maXaSource) d.from(`${national}/maXa`, a.maXaSource);
    if (a.chiTietSource) d.from(`${national}/chiTiet`, a.chiTietSource);
    if (!maTinh) {
      d.add('THIEU_TRUONG', { national: `${national}/maTinh`, source: a.maTinhSource ?? a.source });
      return undefined;
    }
    const maXa = str(a.codes.maXa);
    const chiTiet = typeof a.codes.chiTiet === 'string' && a.codes.chiTiet.trim() !== '' ? cleanText(a.codes.chiTiet) : undefined;
    const codes: { maTinh: string; maXa?: string; chiTiet?: string } = { maTinh };
    if (maXa) codes.maXa = maXa;
    if (chiTiet) codes.chiTiet = chiTiet;
    r = addressCodes(codes, era, cat);
  }
  if (!r.ok) {
    d.add(r.code, { national, source: a.source, severity: 'error', hint: r.reason });
    return undefined;
  }
  for (const w of r.warnings) d.add(w.code, { national, source: a.source, severity: 'warning', hint: w.reason });
  const out: Record<string, unknown> = { maTinh: r.diaChi.maTinh };
  if (r.diaChi.maXa !== undefined) out.maXa = r.diaChi.maXa;
  if (r.diaChi.chiTiet !== undefined) out.chiTiet = r.diaChi.chiTiet;
  return out;
}
