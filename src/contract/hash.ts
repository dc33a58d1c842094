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
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}
