/**
 * SHA-256 and HMAC-SHA256 of short messages after a fixed prefix, in plain JS (FIPS 180-4).
 *
 * lk1 hashes every shingle as SHA-256(K_mh + "|" + shingle) and every feature as
 * HMAC-SHA256(secret, "lk1|label|value"): dozens of ~60-byte inputs per record, all sharing a
 * 64-byte first block (the hex key; HMAC's ipad/opad blocks). node:crypto costs ~1.7 µs per
 * one-shot call, nearly all of it call overhead; here the shared block's state is computed once
 * and a message costs one compression (two for HMAC), ~0.5 µs. Outputs are the standard digests
 * (test/dedupe/sha256.test.ts compares them with node:crypto on arbitrary inputs).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W = new Int32Array(64);

/** One SHA-256 compression of the 64 bytes at `off` into `st`. */
function compress(st: Int32Array, blk: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const o = off + 4 * i;
    W[i] = (blk[o]! << 24) | (blk[o + 1]! << 16) | (blk[o + 2]! << 8) | blk[o + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!;
    const b = W[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = st[0]!, b = st[1]!, c = st[2]!, d = st[3]!, e = st[4]!, f = st[5]!, g = st[6]!, h = st[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  st[0] = (st[0]! + a) | 0; st[1] = (st[1]! + b) | 0; st[2] = (st[2]! + c) | 0; st[3] = (st[3]! + d) | 0;
  st[4] = (st[4]! + e) | 0; st[5] = (st[5]! + f) | 0; st[6] = (st[6]! + g) | 0; st[7] = (st[7]! + h) | 0;
}

let scratch = Buffer.alloc(256);
const work = new Int32Array(8);
const inner = Buffer.alloc(64);

/**
 * The state after the whole 64-byte blocks of a prefix, and the prefix's remaining bytes: hashing
 * prefix + message then starts from there.
 */
export class Sha256Prefix {
  private readonly state = new Int32Array(8);
  private readonly rest: Buffer;
  private readonly done: number;
  constructor(prefix: Uint8Array) {
    this.state.set(IV);
    const whole = prefix.length - (prefix.length % 64);
    for (let off = 0; off < whole; off += 64) compress(this.state, prefix, off);
    this.done = whole;
    this.rest = Buffer.from(prefix.subarray(whole));
  }

  /** SHA-256(prefix + utf8(msg)) into `out` (8 big-endian words as int32). */
  digestInto(msg: string | Uint8Array, out: Int32Array): Int32Array {
    const r = this.rest.length;
    const maxLen = r + (typeof msg === 'string' ? msg.length * 3 : msg.length) + 72;
    if (scratch.length < maxLen) scratch = Buffer.alloc(Math.max(maxLen, scratch.length * 2));
    const buf = scratch;
    this.rest.copy(buf, 0);
    const n = typeof msg === 'string' ? buf.write(msg, r, 'utf8') : (buf.set(msg, r), msg.length);
    let len = r + n;
    const bits = (this.done + len) * 8; // messages here are far below 2^32 bits
    buf[len++] = 0x80;
    const end = (len + 8 + 63) & ~63;
    buf.fill(0, len, end - 4);
    buf.writeUInt32BE(bits >>> 0, end - 4);
    out.set(this.state);
    for (let off = 0; off < end; off += 64) compress(out, buf, off);
    return out;
  }

  /** SHA-256(prefix + utf8(msg)) as a Buffer. */
  digest(msg: string | Uint8Array): Buffer {
    return wordsToBuffer(this.digestInto(msg, work));
  }
}

function wordsToBuffer(w: Int32Array, into: Buffer = Buffer.allocUnsafe(32)): Buffer {
  for (let i = 0; i < 8; i++) into.writeInt32BE(w[i]!, i * 4);
  return into;
}

/** HMAC-SHA256 under one key, with the key's ipad and opad blocks compressed once. */
export class HmacSha256 {
  private readonly ipad: Sha256Prefix;
  private readonly opad: Sha256Prefix;
  constructor(key: string | Uint8Array) {
    let k: Uint8Array = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (k.length > 64) k = new Sha256Prefix(new Uint8Array(0)).digest(k);
    const i = Buffer.alloc(64, 0x36);
    const o = Buffer.alloc(64, 0x5c);
    for (let n = 0; n < k.length; n++) {
      i[n] = i[n]! ^ k[n]!;
      o[n] = o[n]! ^ k[n]!;
    }
    this.ipad = new Sha256Prefix(i);
    this.opad = new Sha256Prefix(o);
  }

  digest(msg: string): Buffer {
    const innerDigest = wordsToBuffer(this.ipad.digestInto(msg, work), inner);
    return this.opad.digest(innerDigest.subarray(0, 32));
  }
}
