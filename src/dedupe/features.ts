/**
 * Linkage features `lk1` (contract §6; full specification in docs/linkage-lk1.md).
 *
 * Every connector computes the same keys from the same record with the same national
 * linkage secret, so a record sent by one agency is findable by another without raw
 * identity travelling: keys and features hold keyed hashes (HMAC-SHA256), never a
 * name, ID number, address or text. `dacTrung` carries what the scorer needs.
 */
import { createHmac } from 'node:crypto';
import { HmacSha256, Sha256Prefix } from './sha256.js';
import type { HoSoDon, DacTrungLienKet, Candidate } from '../contract/schemas.js';
import { LINK_KEY_RE } from '../contract/schemas.js';
import { contentFeatures, lk1Fold, nameParts } from './normalize.js';

export const LK1 = 'lk1';
/**
 * MinHash: 128 permutations (similarity estimate). LSH: the first 120 positions in 40
 * bands × 3 rows — a pair at J = 0.3 shares a band with p ≈ 0.67, at J = 0.5 p ≈ 0.99,
 * at J = 0.1 p ≈ 0.04 (re-typed copies of one đơn measure J ≈ 0.2–0.5 on the samples).
 */
export const MH_PERMS = 128;
export const MH_BANDS = 40;
export const MH_ROWS = 3;
/** base64url characters kept: 16 in keys (96 bits), 12 in dacTrung (72 bits). */
export const KEY_HASH_LEN = 16;
export const FEAT_HASH_LEN = 12;
const MAX_KEYS = 64;

/** HMAC-SHA256(secret, "lk1|<label>|<value>") as base64url, truncated. */
export function lk1Hash(secret: string, label: string, value: string, len: number = KEY_HASH_LEN): string {
  return hmacOf(secret).digest(`lk1|${label}|${value}`).toString('base64url').slice(0, len);
}
const hmacCache = new Map<string, HmacSha256>();
function hmacOf(secret: string): HmacSha256 {
  let h = hmacCache.get(secret);
  if (!h) {
    h = new HmacSha256(secret);
    if (hmacCache.size > 16) hmacCache.clear();
    hmacCache.set(secret, h);
  }
  return h;
}

/** One petitioner as keyed features. */
export interface PersonFeatures {
  /** surname as written (folded) */
  ho?: string;
  /** surname class (Hoàng/Huỳnh, Vũ/Võ merged) */
  hc?: string;
  /** middle names (folded, joined) — absent when none */
  dem?: string;
  /** given name */
  ten: string;
  /** birth year y-1, y, y+1 (hashed), from namSinh or else the CCCD */
  ns?: [string, string, string];
  /** province of residence */
  t?: string;
  /** province/commune of residence */
  x?: string;
  /** phone (0xxxxxxxxx) */
  dt?: string;
  /** ID numbers: l = C (CCCD) | M (CMND) | P (passport) */
  id?: { l: 'C' | 'M' | 'P'; h: string }[];
}

/** The lk1 `dacTrung` object (≤ 8 KiB). Record-level fields are non-identifying codes and dates. */
export interface Lk1Features {
  v: 1;
  /** loaiDon, linhVuc, ngayNhanDon, soNguoi */
  ld: string;
  lv: string;
  nn: string;
  sn: number;
  /** anDanh / baoMatDanhTinh flags (drive masking in views) */
  an: boolean;
  bm: boolean;
  /** at least one ID number present */
  hasId: boolean;
  /** MinHash signature: 128 × uint32 big-endian, base64url; absent when the text has no meaning-bearing words */
  mh?: string;
  /** numbers in the text (hashed, at most 24) */
  so?: string[];
  /** accused party (doiTuongBiKNTC.ten, folded) */
  bi?: string;
  ng: PersonFeatures[];
}

/** Birth year from namSinh, else from a CCCD (digit 4 = century/sex, digits 5–6 = year). */
export function birthYear(p: { namSinh?: number; soDinhDanh?: string }): number | undefined {
  if (p.namSinh) return p.namSinh;
  const c = p.soDinhDanh;
  if (!c || !/^\d{12}$/.test(c)) return undefined;
  const century = 1900 + Math.floor(Number(c[3]) / 2) * 100;
  return century + Number(c.slice(4, 6));
}

/** Canonical ID value: letters/digits only, upper-case. */
const idValue = (s: string): string => s.normalize('NFKC').replace(/[^0-9A-Za-z]/g, '').toUpperCase();

// ---------- MinHash ----------
const mhKeyCache = new Map<string, Sha256Prefix>();
/** SHA-256 state after `K_mh + "|"`, K_mh = lower-case hex of HMAC-SHA256(secret, "lk1|mh-key"). */
function mhPrefix(secret: string): Sha256Prefix {
  let k = mhKeyCache.get(secret);
  if (!k) {
    k = new Sha256Prefix(Buffer.from(`${createHmac('sha256', secret).update('lk1|mh-key', 'utf8').digest('hex')}|`, 'utf8'));
    if (mhKeyCache.size > 16) mhKeyCache.clear();
    mhKeyCache.set(secret, k);
  }
  return k;
}

/** MurmurHash3's 32-bit finalizer: breaks the linear relation between permutations i and i+1. */
export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * MinHash signature over the shingles: d = SHA-256(utf8(K_mh + "|" + shingle)),
 * h1 = uint32 BE of d[0..4], h2 = uint32 BE of d[4..8] | 1, and permutation i gives
 * fmix32((h1 + i·h2) mod 2^32); signature[i] = min over shingles.
 */
export function minhash(shingles: readonly string[], secret: string): Uint32Array | undefined {
  if (shingles.length === 0) return undefined;
  const sig = new Uint32Array(MH_PERMS).fill(0xffffffff);
  const prefix = mhPrefix(secret);
  const d = new Int32Array(8);
  for (const s of shingles) {
    prefix.digestInto(s, d); // d = SHA-256(K_mh + "|" + s) as big-endian words
    const h1 = d[0]! >>> 0;
    const h2 = (d[1]! | 1) >>> 0;
    for (let i = 0; i < MH_PERMS; i++) {
      const v = fmix32((h1 + Math.imul(i, h2)) >>> 0);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

export function encodeSignature(sig: Uint32Array): string {
  const b = Buffer.alloc(sig.length * 4);
  for (let i = 0; i < sig.length; i++) b.writeUInt32BE(sig[i]!, i * 4);
  return b.toString('base64url');
}

let sigCache = new Map<string, Uint32Array>();
/** Decode a signature (memoised: the same candidate is scored against many records). */
export function decodeSignature(s: string | undefined): Uint32Array | undefined {
  if (!s) return undefined;
  const hit = sigCache.get(s);
  if (hit) return hit;
  const sig = decodeSignatureRaw(s);
  if (sig) {
    if (sigCache.size >= 50_000) sigCache = new Map();
    sigCache.set(s, sig);
  }
  return sig;
}

const B64URL = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64URL['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
/** Unpadded base64url of 128 × uint32 BE is 683 characters. */
const SIG_CHARS = Math.ceil((MH_PERMS * 4 * 4) / 3);
/**
 * 683 base64url characters → 128 uint32 (big-endian), straight from the string: 4 characters = 3 bytes,
 * shifted into the words. Anything else (padding, other characters, another length) goes through
 * Buffer.from, which decides as before.
 */
function decodeSignatureRaw(s: string): Uint32Array | undefined {
  return decodeSignatureFast(s) ?? decodeSignatureBuffer(s);
}
function decodeSignatureBuffer(s: string): Uint32Array | undefined {
  const b = Buffer.from(s, 'base64url');
  if (b.length !== MH_PERMS * 4) return undefined;
  const sig = new Uint32Array(MH_PERMS);
  for (let i = 0; i < MH_PERMS; i++) sig[i] = b.readUInt32BE(i * 4);
  return sig;
}
function decodeSignatureFast(s: string): Uint32Array | undefined {
  if (s.length !== SIG_CHARS) return undefined;
  const sig = new Uint32Array(MH_PERMS);
  let word = 0;
  let nb = 0; // bytes in `word`
  let w = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < SIG_CHARS; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64URL[c]! : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      word = (word << 8) | ((acc >>> bits) & 0xff);
      acc &= (1 << bits) - 1;
      if (++nb === 4) {
        sig[w++] = word >>> 0;
        word = 0;
        nb = 0;
      }
    }
  }
  if (w !== MH_PERMS) return undefined;
  return sig;
}

interface Prepared {
  sig: Uint32Array | null;
  /** Date.parse(`${nn}T00:00:00Z`) */
  day: number;
}
const prepared = new WeakMap<object, Prepared>();
/**
 * What the scorer derives from a features object, kept with the object: the decoded signature and
 * the day of ngayNhanDon (an index scores the same stored candidate against many records; a
 * string-keyed cache hashes 683 characters per lookup and, past its size, misses on every
 * candidate of a large index).
 */
export function preparedOf(f: Lk1Features): Prepared {
  let p = prepared.get(f);
  if (!p) {
    p = { sig: (f.mh ? decodeSignatureRaw(f.mh) : undefined) ?? null, day: Date.parse(`${f.nn}T00:00:00Z`) };
    prepared.set(f, p);
  }
  return p;
}
/** The decoded signature of a features object (see preparedOf). */
export function signatureOf(f: Lk1Features): Uint32Array | undefined {
  return preparedOf(f).sig ?? undefined;
}

/** Estimated Jaccard similarity: share of equal signature positions. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < MH_PERMS; i++) if (a[i] === b[i]) eq++;
  return eq / MH_PERMS;
}

/**
 * LSH band keys `mh:<band>:<rows>`: band b = signature rows 3b..3b+2 as 12 bytes
 * (uint32 big-endian each) in base64url (16 characters). The rows are already keyed
 * hash values (and travel in dacTrung anyway), so they are not hashed again.
 */
export function bandKeys(sig: Uint32Array): string[] {
  const out: string[] = [];
  const buf = Buffer.alloc(MH_ROWS * 4);
  for (let b = 0; b < MH_BANDS; b++) {
    for (let r = 0; r < MH_ROWS; r++) buf.writeUInt32BE(sig[b * MH_ROWS + r]!, r * 4);
    out.push(`mh:${b}:${buf.toString('base64url')}`);
  }
  return out;
}

/**
 * bandKeys from the signature's base64url (encodeSignature): a band is 12 bytes starting at a multiple
 * of 3, so its base64url is exactly characters 16b..16b+16 of the whole — no re-encoding.
 */
function bandKeysOfEncoded(enc: string): string[] {
  const out: string[] = new Array(MH_BANDS);
  for (let b = 0; b < MH_BANDS; b++) out[b] = `mh:${b}:${enc.slice(b * 16, b * 16 + 16)}`;
  return out;
}

// ---------- the record ----------
interface PersonInput {
  hoTen: string;
  namSinh?: number;
  soDinhDanh?: string;
  giayTo?: { loai: string; so: string };
  diaChi?: { maTinh: string; maXa?: string };
  soDienThoai?: string;
}
interface RecordInput {
  loaiDon: string;
  linhVuc: string;
  ngayNhanDon: string;
  soNguoi: number;
  anDanh: boolean;
  baoMatDanhTinh: boolean;
  noiDungTomTat: string;
  nguoiDungDon: PersonInput[];
  doiTuongBiKNTC?: { ten: string };
}

function personFeatures(p: PersonInput, secret: string): { f: PersonFeatures; keys: string[] } | undefined {
  const n = nameParts(p.hoTen);
  if (!n) return undefined;
  const H = (label: string, v: string) => lk1Hash(secret, label, v, FEAT_HASH_LEN);
  const f: PersonFeatures = { ten: H('given', n.given) };
  const keys: string[] = [];
  if (n.surname) {
    f.ho = H('sur', n.surname);
    f.hc = H('surc', n.surnameClass);
  }
  if (n.middle) f.dem = H('mid', n.middle);
  const y = birthYear(p);
  if (y) f.ns = [H('ns', String(y - 1)), H('ns', String(y)), H('ns', String(y + 1))];
  const tinh = p.diaChi?.maTinh;
  if (tinh) {
    f.t = H('tinh', tinh);
    if (p.diaChi?.maXa) f.x = H('xa', `${tinh}/${p.diaChi.maXa}`);
    const full = [n.surnameClass, n.middle, n.given].filter(Boolean).join(' ');
    keys.push(`ten:${lk1Hash(secret, 'ten', `${full}|${tinh}`)}`);
    keys.push(`tg:${lk1Hash(secret, 'tg', `${[n.surnameClass, n.given].filter(Boolean).join(' ')}|${tinh}`)}`);
  }
  if (p.soDienThoai && /^0\d{9}$/.test(p.soDienThoai)) f.dt = H('dt', p.soDienThoai);
  const ids: { l: 'C' | 'M' | 'P'; v: string }[] = [];
  if (p.soDinhDanh) ids.push({ l: 'C', v: idValue(p.soDinhDanh) });
  if (p.giayTo?.so) ids.push({ l: p.giayTo.loai === 'HO_CHIEU' ? 'P' : 'M', v: idValue(p.giayTo.so) });
  const idf = ids.filter((i) => i.v.length > 0);
  if (idf.length) {
    f.id = idf.map((i) => ({ l: i.l, h: H('idf', i.v) }));
    for (const i of idf) keys.push(`id:${lk1Hash(secret, 'id', i.v)}`);
  }
  return { f, keys };
}

function buildLk1(r: RecordInput, secret: string): DacTrungLienKet {
  const idKeys: string[] = [];
  const nameKeys: string[] = [];
  const ng: PersonFeatures[] = [];
  for (const p of r.nguoiDungDon.slice(0, 5)) {
    const pf = personFeatures(p, secret);
    if (!pf) continue;
    ng.push(pf.f);
    for (const k of pf.keys) (k.startsWith('id:') ? idKeys : nameKeys).push(k);
  }
  const f: Lk1Features = {
    v: 1,
    ld: r.loaiDon,
    lv: r.linhVuc,
    nn: r.ngayNhanDon,
    sn: r.soNguoi,
    an: r.anDanh,
    bm: r.baoMatDanhTinh,
    hasId: ng.some((p) => (p.id?.length ?? 0) > 0),
    ng,
  };
  const otherKeys: string[] = [];
  const bi = r.doiTuongBiKNTC ? lk1Fold(r.doiTuongBiKNTC.ten) : '';
  if (bi) {
    f.bi = lk1Hash(secret, 'bif', bi, FEAT_HASH_LEN);
    otherKeys.push(`bi:${lk1Hash(secret, 'bi', bi)}`);
  }
  const content = contentFeatures(r.noiDungTomTat);
  const nums = content.numbers.slice(0, 24);
  if (nums.length) f.so = nums.map((n) => lk1Hash(secret, 'so', n, 8));
  const sig = minhash(content.shingles, secret);
  if (sig) f.mh = encodeSignature(sig);
  const mhKeys = f.mh ? bandKeysOfEncoded(f.mh) : [];
  // Priority when trimming to 64: IDs, names, accused party, then content bands.
  const khoa = [...new Set([...idKeys, ...nameKeys, ...otherKeys, ...mhKeys])].filter((k) => LINK_KEY_RE.test(k)).slice(0, MAX_KEYS);
  return { thuatToan: LK1, khoa, dacTrung: f as unknown as Record<string, unknown> };
}

/** lk1 linkage features of a national ho-so-don body (what the pipeline puts in `dacTrungLienKet`). */
export function computeLinkage(body: HoSoDon, secret: string): DacTrungLienKet {
  return buildLk1(body, secret);
}

/**
 * Features of a tim-trung candidate: its own lk1 `dacTrung` when it carries one, else
 * recomputed from the masked fields the candidate exposes (no IDs; names only when not
 * confidential). Used for records sent by connectors that did not compute lk1.
 */
export function candidateFeatures(c: Candidate, secret: string): Lk1Features {
  const d = c.dacTrungLienKet?.dacTrung;
  if (c.dacTrungLienKet?.thuatToan === LK1 && isLk1Features(d)) return d;
  const built = buildLk1(
    {
      loaiDon: c.loaiDon,
      linhVuc: c.linhVuc,
      ngayNhanDon: c.ngayNhanDon,
      soNguoi: c.soNguoi,
      anDanh: c.nguoiDungDon.length === 0,
      baoMatDanhTinh: c.nguoiDungDon.length === 0,
      noiDungTomTat: c.noiDungTomTat,
      nguoiDungDon: c.nguoiDungDon.map((p) => ({ hoTen: p.hoTen, namSinh: p.namSinh, diaChi: p.diaChi })),
      doiTuongBiKNTC: c.doiTuongBiKNTC,
    },
    secret,
  );
  return built.dacTrung as unknown as Lk1Features;
}

export function isLk1Features(d: unknown): d is Lk1Features {
  if (!d || typeof d !== 'object') return false;
  const o = d as Record<string, unknown>;
  return o.v === 1 && typeof o.ld === 'string' && typeof o.nn === 'string' && Array.isArray(o.ng);
}

/**
 * The keys split into the two tim-trung queries the processor makes: identity keys
 * (id:, ten:, tg:, bi:) and content keys (mh:). tim-trung orders candidates by the number
 * of shared keys, so in one query the 40 content bands of look-alike petitions would
 * crowd out a candidate that shares only the person's name and ID. Empty lists are left out.
 */
export function splitKeys(khoa: readonly string[]): string[][] {
  const ident = khoa.filter((k) => !k.startsWith('mh:'));
  const content = khoa.filter((k) => k.startsWith('mh:'));
  return [ident, content].filter((l) => l.length > 0);
}
