/** Defensive readers for raw source values (anything may be null, a number, an object…). */

/** A non-empty string after trimming, else undefined. Numbers are accepted as their decimal text. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** True for null, undefined, '' and whitespace-only strings. */
export function blank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** An integer from a number or an all-digit string, else undefined. */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Truthy flags as local systems write them: 1, '1', true, 'true', 'x', 'có'. */
export function flag(v: unknown): boolean | undefined {
  if (v === true || v === 1 || v === '1') return true;
  if (v === false || v === 0 || v === '0') return false;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === '' ) return undefined;
    if (['true', 'x', 'có', 'co', 'yes'].includes(s)) return true;
    if (['false', 'không', 'khong', 'no'].includes(s)) return false;
  }
  return undefined;
}
