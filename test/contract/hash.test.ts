/** canonicalJsonCached must be byte-for-byte canonicalJson (RFC 8785 via `canonicalize`), cached or not. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, canonicalJsonCached, bamNoiDung, sha256Hex } from '../../src/contract/hash.js';

describe('canonicalJsonCached', () => {
  it('equals canonicalJson on arbitrary JSON values, at every depth, first call and cached', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 5 }), (v, depth) => {
      const cache = new WeakMap<object, string>();
      const want = canonicalJson(v);
      expect(canonicalJsonCached(v, cache, depth)).toBe(want);
      expect(canonicalJsonCached(v, cache, depth)).toBe(want);
      // an inner value served from the cache inside a larger one
      expect(canonicalJsonCached({ z: v, a: [v, 1] }, cache, depth + 2)).toBe(canonicalJson({ z: v, a: [v, 1] }));
    }), { numRuns: 2000 });
  });

  it('leaves out undefined members and writes undefined array entries as null, like canonicalize', () => {
    const v = { b: undefined, a: [undefined, 'x', { d: 2, c: 'é\u2028' }], 'ä': 1e21, 'a\u0000': -0 };
    expect(canonicalJsonCached(v, new WeakMap())).toBe(canonicalJson(v));
    expect(sha256Hex(canonicalJsonCached(v, new WeakMap()))).toBe(bamNoiDung(v));
  });
});

describe('bamNoiDung', () => {
  it('is SHA-256 of canonicalize\'s output on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(bamNoiDung(v)).toBe(sha256Hex(canonicalJson(v)));
      expect(canonicalJsonCached(v, undefined, 4)).toBe(canonicalJson(v));
    }), { numRuns: 2000 });
  });
});
