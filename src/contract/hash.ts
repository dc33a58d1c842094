import { createHash } from 'node:crypto';

/**
 * RFC 8785 (JCS) canonical JSON, byte for byte what `canonicalize` (the reference implementation by
 * the RFC's author) returns — test/contract/hash.test.ts checks it against that package on arbitrary
 * values — written as plain loops: it runs for every record several times (raw fingerprint,
 * bamNoiDung, idempotency keys), and the reference's reduce/template-literal form cost ~2× the time
 * and most of its allocations in intermediate strings.
 */
export function canonicalJson(value: unknown): string {
  const out = jcs(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalized');
  return out;
}

/** Object keys as JSON strings (the same few dozen field names come back for every record). */
const keyJson = new Map<string, string>();
function quotedKey(k: string): string {
  let q = keyJson.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (k.length <= 64 && keyJson.size < 4096) keyJson.set(k, q);
  }
  return q;
}

// Mirrors canonicalize's serialize(), quirks included: undefined/symbol members are skipped and array
// entries become null; array holes are skipped (reduce does not visit them); a function gives the text
// "undefined" (its template literal), and JSON.stringify's own errors (BigInt) pass through.
function jcs(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (Number.isNaN(v)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(v)) throw new Error('Infinity is not allowed');
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      return JSON.stringify(v);
  }
  const o = v as Record<string, unknown> & { toJSON?: unknown };
  if (o.toJSON instanceof Function) return jcs((o.toJSON as () => unknown)());
  if (Array.isArray(o)) {
    const a = o as unknown[];
    let s = '';
    for (let i = 0, n = a.length; i < n; i++) {
      if (!(i in a)) continue;
      const x = a[i];
      s += `${i === 0 ? '' : ','}${x === undefined || typeof x === 'symbol' ? 'null' : jcs(x)}`;
    }
    return `[${s}]`;
  }
  const keys = Object.keys(o).sort();
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = o[k];
    if (x === undefined || typeof x === 'symbol') continue;
    s += `${s.length === 0 ? '' : ','}${quotedKey(k)}:${jcs(x)}`;
  }
  return `{${s}}`;
}

/** `bamNoiDung` (contract §5.2): lowercase hex SHA-256 of the JCS form of the body as accepted. */
export function bamNoiDung(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}
