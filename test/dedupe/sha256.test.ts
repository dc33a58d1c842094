import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { HmacSha256, Sha256Prefix } from '../../src/dedupe/sha256.js';

describe('plain-JS SHA-256 / HMAC-SHA256 (lk1 hashing) = node:crypto', () => {
  it('SHA-256(prefix + message) for prefixes and messages of any length and content', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 300 }), (prefix, msg) => {
      const want = createHash('sha256').update(prefix).update(msg, 'utf8').digest('hex');
      expect(new Sha256Prefix(prefix).digest(msg).toString('hex')).toBe(want);
    }), { numRuns: 2000 });
  });
  it('at every padding boundary (message lengths 0..200 after a 65-byte prefix, as lk1 uses it)', () => {
    const prefix = Buffer.from(`${'ab12'.repeat(16)}|`);
    const p = new Sha256Prefix(prefix);
    for (let n = 0; n <= 200; n++) {
      const msg = 'x'.repeat(n);
      expect(p.digest(msg).toString('hex')).toBe(createHash('sha256').update(prefix).update(msg).digest('hex'));
      expect(p.digest(Buffer.from(msg)).toString('hex')).toBe(createHash('sha256').update(prefix).update(msg).digest('hex'));
    }
  });
  it('HMAC-SHA256 for keys short, 64-byte and longer than a block', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 150 }), fc.string({ unit: 'binary', maxLength: 200 }), (key, msg) => {
      expect(new HmacSha256(key).digest(msg).toString('base64url')).toBe(createHmac('sha256', key).update(msg, 'utf8').digest('base64url'));
    }), { numRuns: 2000 });
    const k64 = 'k'.repeat(64);
    expect(new HmacSha256(k64).digest('lk1|so|12').toString('hex')).toBe(createHmac('sha256', k64).update('lk1|so|12').digest('hex'));
  });
});
