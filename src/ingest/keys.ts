/**
 * API keys of the local systems. A key belongs to ONE source kind and a fixed list of
 * agency codes: a system may only submit and read records of its own agencies.
 *
 * Keys are stored hashed (`sha256:<hex>`), never in clear. API keys are random tokens
 * (`kntc serve --new-key`), so a plain SHA-256 is the right tool (as for GitHub tokens):
 * a slow hash buys nothing against a 256-bit secret and would cost ~50 ms of CPU on
 * every request. Presented keys are compared against every stored hash with
 * timingSafeEqual and no early exit.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MA_DON_VI_RE } from '../contract/schemas.js';

export const KEY_HASH_RE = /^sha256:[0-9a-f]{64}$/;

export const KeyEntry = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  hash: z.string().regex(KEY_HASH_RE, 'must be "sha256:<64 hex>" (kntc serve --hash-key <key>)'),
  source: z.string().regex(/^[a-z0-9-]{1,32}$/),
  agencies: z.array(z.string().regex(MA_DON_VI_RE, 'agency code like 000.00.00.H29')).min(1),
});
export type KeyEntry = z.infer<typeof KeyEntry>;
export const KeyFile = z.array(KeyEntry);

/** What a request is allowed to do once its key is known. */
export interface ApiKey {
  id: string;
  source: string;
  agencies: ReadonlySet<string>;
}

export function hashKey(plaintext: string): string {
  return 'sha256:' + createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** A fresh random key (URL-safe, 256 bits). */
export function newKey(prefix = 'kntc'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * The demo key set, used when INGEST_KEYS_FILE is empty. Plaintexts are public (printed by
 * `kntc serve --help`): never run a real deployment on them.
 */
export const DEMO_KEYS: readonly { plaintext: string; id: string; source: string; agencies: string[] }[] = Object.freeze([
  { plaintext: 'demo-qldt-key', id: 'demo-qldt', source: 'qldt', agencies: ['000.00.00.H29', '000.00.01.H29', '000.00.09.H29'] },
  { plaintext: 'demo-so-tiep-key', id: 'demo-so-tiep', source: 'so-tiep', agencies: ['000.00.00.H34'] },
  { plaintext: 'demo-pakn-key', id: 'demo-pakn', source: 'pakn', agencies: ['000.00.00.H37', '000.00.09.H37', '000.00.11.H37'] },
]);

export function demoKeyEntries(): KeyEntry[] {
  return DEMO_KEYS.map((k) => ({ id: k.id, hash: hashKey(k.plaintext), source: k.source, agencies: [...k.agencies] }));
}

export class KeyFileError extends Error {
  readonly code = 'KNTC_ERR_KEYS_FILE';
}

/** Read and check a key file. Unknown fields, duplicate ids/hashes and unknown sources are errors. */
export function loadKeyFile(path: string, knownSources?: readonly string[]): KeyEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new KeyFileError(`INGEST_KEYS_FILE ${path}: cannot read JSON (${(e as Error).message})`);
  }
  return checkKeyEntries(json, path, knownSources);
}

export function checkKeyEntries(json: unknown, where = 'keys', knownSources?: readonly string[]): KeyEntry[] {
  const r = KeyFile.safeParse(json);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ');
    throw new KeyFileError(`INGEST_KEYS_FILE ${where}: ${msg}`);
  }
  const ids = new Set<string>();
  const hashes = new Set<string>();
  for (const k of r.data) {
    if (ids.has(k.id)) throw new KeyFileError(`INGEST_KEYS_FILE ${where}: duplicate id ${k.id}`);
    if (hashes.has(k.hash)) throw new KeyFileError(`INGEST_KEYS_FILE ${where}: key ${k.id} reuses another key's hash`);
    if (knownSources && !knownSources.includes(k.source)) throw new KeyFileError(`INGEST_KEYS_FILE ${where}: key ${k.id} has unknown source ${k.source} (known: ${knownSources.join(', ')})`);
    ids.add(k.id);
    hashes.add(k.hash);
  }
  return r.data;
}

/** In-memory key store; `find` is constant-time in the presented key. */
export class KeyStore {
  readonly #entries: { digest: Buffer; key: ApiKey }[];
  constructor(entries: readonly KeyEntry[]) {
    this.#entries = entries.map((e) => ({
      digest: Buffer.from(e.hash.slice('sha256:'.length), 'hex'),
      key: Object.freeze({ id: e.id, source: e.source, agencies: new Set(e.agencies) }),
    }));
  }
  get size(): number {
    return this.#entries.length;
  }
  find(presented: string): ApiKey | undefined {
    const d = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKey | undefined;
    for (const e of this.#entries) if (timingSafeEqual(d, e.digest) && !found) found = e.key;
    return found;
  }
}

/** Key from `Authorization: Bearer <key>` or `X-Api-Key: <key>` (undefined when neither is present). */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim();
  return undefined;
}
