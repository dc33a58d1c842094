import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** RFC 8785 (JCS) canonical JSON. `canonicalize` is the reference implementation by the RFC's author. */
export function canonicalJson(value: unknown): string {
  const out = (canonicalize as unknown as (v: unknown) => string | undefined)(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalized');
  return out;
}

/** `bamNoiDung` (contract §5.2): lowercase hex SHA-256 of the JCS form of the body as accepted. */
export function bamNoiDung(body: unknown): string {
  return createHash('sha256').update(canonicalJsonCached(body, undefined, 3), 'utf8').digest('hex');
}

/**
 * canonicalJson, remembering the canonical form of every object it serialises in `cache`, so a
 * value that is serialised again — on its own or inside a larger one — costs a lookup. Only the
 * outer `depth` levels are composed here (with `canonicalize`'s rules: sorted keys, undefined and
 * symbol members left out, in arrays written as null); deeper ones are `canonicalize`'s own output.
 * For values that are not changed between calls (a parsed request body while it is handled).
 * Without a cache it is canonicalJson with fewer intermediate strings in the outer levels
 * (`canonicalize` concatenates member by member).
 */
export function canonicalJsonCached(value: unknown, cache: WeakMap<object, string> | undefined, depth = 3): string {
  if (value === null || typeof value !== 'object') return canonicalJson(value);
  const hit = cache?.get(value);
  if (hit !== undefined) return hit;
  let out: string;
  if (depth <= 0 || typeof (value as { toJSON?: unknown }).toJSON === 'function') out = canonicalJson(value);
  else if (Array.isArray(value)) {
    out = `[${value.map((v: unknown) => (v === undefined || typeof v === 'symbol' ? 'null' : canonicalJsonCached(v, cache, depth - 1))).join(',')}]`;
  } else {
    const o = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(o).sort()) {
      const v = o[k];
      if (v === undefined || typeof v === 'symbol') continue;
      parts.push(`${JSON.stringify(k)}:${canonicalJsonCached(v, cache, depth - 1)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  cache?.set(value, out);
  return out;
}

/** lowercase hex SHA-256 of a canonical JSON string (bamNoiDung of the value it came from). */
export function sha256Hex(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The linkage features a mapper leaves for the pipeline to fill (mappers/README.md). */
export const LINKAGE_PLACEHOLDER = Object.freeze({ thuatToan: 'none', khoa: Object.freeze([]) as readonly string[], dacTrung: Object.freeze({}) });

/** Is `lk` exactly the placeholder? Then a mapped body's bamNoiDung is contentDigest's base hash. */
export function isLinkagePlaceholder(lk: unknown): boolean {
  if (lk === undefined) return false;
  const l = lk as { thuatToan?: unknown; khoa?: unknown; dacTrung?: unknown };
  return typeof l === 'object' && l !== null && Object.keys(l).length === 3 && l.thuatToan === 'none'
    && Array.isArray(l.khoa) && l.khoa.length === 0 && typeof l.dacTrung === 'object' && l.dacTrung !== null && Object.keys(l.dacTrung).length === 0;
}
