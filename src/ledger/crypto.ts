/**
 * Encryption at rest for the ledger's personal content (raw records, mapped bodies).
 * AES-256-GCM, a fresh 96-bit IV per value, the ledger key + field name bound as
 * additional authenticated data (a value copied to another record or field does not
 * decrypt). Stored form: `keyId:iv:tag:ciphertext` (base64 parts). The key id is
 * stored with every value so keys can be rotated: new values use the current key,
 * old values still decrypt while their key is listed in `oldKeys`.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';

export interface LedgerKeys {
  keyId: string;
  key: Buffer;
  /** Earlier keys, by id, still accepted for decryption. */
  oldKeys?: Record<string, Buffer>;
}

export class LedgerCryptoError extends Error {
  readonly code = 'KNTC_ERR_LEDGER_CRYPTO';
}

/** Parse a base64 32-byte key (LEDGER_ENCRYPTION_KEY). */
export function parseKey(b64: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new LedgerCryptoError(`LEDGER_ENCRYPTION_KEY must be base64 of 32 bytes (got ${key.length})`);
  return key;
}

/**
 * Extra decryption keys from `id=base64,id2=base64` (setting LEDGER_OLD_KEYS, a secret): during a
 * rotation, values written under an earlier key id stay readable while new ones use the new key.
 */
export function parseOldKeys(spec: string | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new LedgerCryptoError('LEDGER_OLD_KEYS must be id=base64[,id=base64…]');
    out[part.slice(0, i)] = parseKey(part.slice(i + 1));
  }
  return out;
}

/**
 * Fresh 96-bit IVs from the CSPRNG, drawn 4 KiB at a time: randomBytes(12) per value cost ~3–6 µs,
 * most of it per-call overhead. Every IV is bytes of the pool used once (the pool is refilled, never
 * reused), so IVs stay random and independent exactly as with one randomBytes call each.
 */
const IV_POOL = Buffer.alloc(12 * 340);
let ivOffset = IV_POOL.length;
function freshIv(): Buffer {
  if (ivOffset + 12 > IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  const iv = IV_POOL.subarray(ivOffset, ivOffset + 12); // used at once (createCipheriv copies it), before any refill
  ivOffset += 12;
  return iv;
}

export class LedgerCipher {
  private readonly keys: Map<string, KeyObject>;
  private readonly current: KeyObject;
  private readonly hmacKey: Buffer;
  constructor(private readonly cfg: LedgerKeys) {
    if (!/^[A-Za-z0-9._-]{1,32}$/.test(cfg.keyId)) throw new LedgerCryptoError('LEDGER_KEY_ID must be 1–32 of [A-Za-z0-9._-]');
    if (cfg.key.length !== 32) throw new LedgerCryptoError('ledger key must be 32 bytes');
    // KeyObjects: the key material is imported once, not on every cipher
    this.keys = new Map(Object.entries(cfg.oldKeys ?? {}).map(([id, k]) => [id, createSecretKey(k)]));
    this.current = createSecretKey(cfg.key);
    this.keys.set(cfg.keyId, this.current);
    // Content fingerprints are keyed, so a stored hash cannot be matched against guessed personal data.
    this.hmacKey = createHmac('sha256', cfg.key).update('kntc-ledger-fingerprint-v1').digest();
  }

  get keyId(): string {
    return this.cfg.keyId;
  }

  encrypt(plain: string, aad: string): string {
    const iv = freshIv();
    const c = createCipheriv('aes-256-gcm', this.current, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${this.cfg.keyId}:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  decrypt(stored: string, aad: string): string {
    const parts = stored.split(':');
    if (parts.length !== 4) throw new LedgerCryptoError('malformed encrypted value');
    const [keyId, iv, tag, ct] = parts as [string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new LedgerCryptoError(`no ledger key with id ${keyId} (rotation: list it in LEDGER_OLD_KEYS)`);
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAAD(Buffer.from(aad, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
    } catch {
      throw new LedgerCryptoError('encrypted value failed authentication (wrong key, record or field)');
    }
  }

  /** Keyed content fingerprint (hex), for "same content?" checks without keeping content in clear. */
  fingerprint(text: string): string {
    return createHmac('sha256', this.hmacKey).update(text, 'utf8').digest('hex');
  }
}
