/**
 * Field converters shared by every mapper. Each one reads a raw value, writes the
 * converted value into the draft body (or leaves it out) and records an Issue at the
 * national pointer with the source pointer. None of them ever guesses: a value that
 * cannot be converted is reported, not replaced.
 */
import type { CatalogueName } from '../../src/contract/schemas.js';
import type { Catalogues } from '../types.js';
import { parseLocalDate, localDateOf } from '../../src/vn/dates.js';
import { cleanText } from '../../src/vn/text.js';
import { agency } from './memo.js';
import type { Draft } from './draft.js';
import { lookupLabel, type LabelTable } from './labels.js';
import { blank } from './values.js';

export interface DateOpts {
  today: string;
  /** Past events (receipt, handling, transfer): a date after today is NGAY_KHONG_HOP_LE, never corrected. */
  notFuture?: boolean;
  required?: boolean;
}

/** Put `value` at a top-level or nested key of an object path inside the draft body. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A local date (dd/mm/yyyy, d/m/yy, ISO) → YYYY-MM-DD. */
export function readDate(d: Draft, national: string, raw: unknown, source: string, o: DateOpts): string | undefined {
  d.from(national, source);
  if (blank(raw)) {
    if (o.required) d.add('THIEU_TRUONG', { national, source });
    return undefined;
  }
  const r = parseLocalDate(raw);
  if (!r.ok) {
    d.add(r.code, { national, source, hint: r.reason });
    return undefined;
  }
  if (o.notFuture && r.date > o.today) {
    d.add('NGAY_KHONG_HOP_LE', { national, source, hint: 'Ngày ở tương lai' });
    return undefined;
  }
  return r.date;
}

/** An RFC 3339 instant → Vietnam local date. */
export function readInstantDate(d: Draft, national: string, raw: unknown, source: string, o: DateOpts): string | undefined {
  d.from(national, source);
  if (blank(raw)) {
    if (o.required) d.add('THIEU_TRUONG', { national, source });
    return undefined;
  }
  if (typeof raw !== 'string') {
    d.add('SAI_KIEU', { national, source });
    return undefined;
  }
  const r = localDateOf(raw);
  if (!r.ok) {
    d.add(r.code, { national, source, hint: r.reason });
    return undefined;
  }
  if (o.notFuture && r.date > o.today) {
    d.add('NGAY_KHONG_HOP_LE', { national, source, hint: 'Ngày ở tương lai' });
    return undefined;
  }
  return r.date;
}

/** Text as written: NFC, control characters removed, trimmed, runs of spaces collapsed. */
export function readText(d: Draft, national: string, raw: unknown, source: string, o: { multiline?: boolean; required?: boolean } = {}): string | undefined {
  d.from(national, source);
  if (blank(raw)) {
    if (o.required) d.add('THIEU_TRUONG', { national, source });
    return undefined;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    d.add('SAI_KIEU', { national, source });
    return undefined;
  }
  const s = cleanText(String(raw), o.multiline ? { multiline: true } : undefined);
  if (s === '') {
    if (o.required) d.add('THIEU_TRUONG', { national, source });
    return undefined;
  }
  return s;
}

/** A local label → catalogue code; unknown → NHAN_KHONG_XAC_DINH (error), never KHAC. */
export function readLabel(
  d: Draft, national: string, raw: unknown, source: string,
  table: LabelTable, catalogue: CatalogueName, cat: Catalogues, o: { required?: boolean } = {},
): string | undefined {
  d.from(national, source);
  if (blank(raw)) {
    if (o.required) d.add('THIEU_TRUONG', { national, source });
    return undefined;
  }
  if (typeof raw !== 'string') {
    d.add('SAI_KIEU', { national, source });
    return undefined;
  }
  const r = lookupLabel(raw, table, catalogue, cat);
  if (!r.ok) {
    d.add('NHAN_KHONG_XAC_DINH', { national, source, nhan: catalogue });
    return undefined;
  }
  return r.code;
}

/**
 * An agency *name* → `don-vi` code via matchAgency. Unknown or ambiguous → an issue
 * (error by default) whose hint lists the closest candidate codes, codes only.
 */
export function readAgencyName(
  d: Draft, national: string, raw: unknown, source: string, cat: Catalogues,
  o: { severity?: 'error' | 'warning'; warningCode?: string } = {},
): string | undefined {
  d.from(national, source);
  if (blank(raw) || typeof raw !== 'string') return undefined;
  const name = cleanText(raw);
  const r = agency(name, cat);
  if (r.ok) return r.ma;
  const codes = [...r.candidates].sort((a, b) => b.score - a.score).slice(0, 3).map((c) => c.ma);
  const hint = codes.length ? `Mã gần nhất: ${codes.join(', ')}` : undefined;
  if (o.severity === 'warning') {
    d.add(o.warningCode ?? r.code, { national, source, severity: 'warning', ...(hint ? { hint } : {}) });
  } else {
    d.add(r.code, { national, source, ...(hint ? { hint } : {}) });
  }
  return undefined;
}
