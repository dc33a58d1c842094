import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson, bamNoiDung } from '../../src/contract/hash.js';
import { fakeBody, raw } from '../pipeline/fixtures/fake-mapper.js';
import { computeLinkage } from '../../src/dedupe/features.js';

const reference = canonicalize as unknown as (v: unknown) => string | undefined;
/** The reference's answer, or its error message. */
const ref = (v: unknown): string => {
  try {
    const out = reference(v);
    return out === undefined ? 'THROWS value cannot be canonicalized' : out;
  } catch (e) {
    return `THROWS ${(e as Error).message}`;
  }
};
const ours = (v: unknown): string => {
  try {
    return canonicalJson(v);
  } catch (e) {
    return `THROWS ${(e as Error).message}`;
  }
};

describe('canonicalJson (RFC 8785) = the canonicalize reference implementation', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => ours(v) === ref(v)), { numRuns: 3000 });
  });
  it('on arbitrary objects with odd members (undefined, symbols, functions, holes, dates, unicode keys, -0)', () => {
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.constant(Symbol('s')), fc.constant(() => 1), fc.constant(-0), fc.date({ noInvalidDate: true }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('arr'), tie('obj')),
      arr: fc.sparseArray(tie('tree'), { maxLength: 6 }),
      obj: fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), tie('tree'), { maxKeys: 6 }),
    }));
    fc.assert(fc.property(tree, (v) => ours(v) === ref(v)), { numRuns: 3000 });
  });
  it('on national bodies with linkage features, and bamNoiDung of them', () => {
    for (let i = 0; i < 50; i++) {
      const b = fakeBody(raw(i, 1 + (i % 4)));
      const withLk = { ...b, dacTrungLienKet: computeLinkage(b, 'test-secret') };
      expect(canonicalJson(withLk)).toBe(reference(withLk));
      expect(canonicalJson(b)).toBe(reference(b));
    }
    expect(bamNoiDung({ b: 1, a: 'á', c: [1, { z: null, y: 2.5e-7 }] })).toMatch(/^[0-9a-f]{64}$/);
  });
  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow('NaN is not allowed');
    expect(() => canonicalJson({ a: Number.NEGATIVE_INFINITY })).toThrow('Infinity is not allowed');
    expect(() => canonicalJson(10n)).toThrow(TypeError);
  });
});
