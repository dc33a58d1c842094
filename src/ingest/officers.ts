/**
 * Officer accounts for the duplicate endpoints (/duplicates…): who is asking, with which
 * role, for which agencies. The role and the officer id come from the account the
 * presented token belongs to — never from a header or the request body — and the id is
 * what gets recorded as `by` when the officer confirms or rejects a pair.
 *
 * Accounts live in the JSON file named by OFFICERS_FILE:
 *   [{"id": "canbo-lc-01", "hash": "sha256:<hex>", "role": "can-bo" | "can-bo-to-cao", "agencies": ["000.00.00.H29"]}]
 * Tokens are random secrets stored hashed exactly like the ingest API keys (src/ingest/keys.ts:
 * `hashKey`, `kntc serve --hash-key` / `--new-officer`) and compared in constant time.
 *
 * Roles: `can-bo` sees duplicate pairs of its agencies with confidential identities masked;
 * `can-bo-to-cao` (handles tố cáo, Luật Tố cáo Đ56) may also see a người tố cáo's name.
 * The operator token (KNTC_ADMIN_TOKEN) is accepted too, as role `operator`: every
 * agency, masked, read-only (it names no person, so it cannot record who decided).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { MA_DON_VI_RE } from '../contract/schemas.js';
import type { ViewerRole } from '../dedupe/view.js';
import { IngestError } from './errors.js';
import { DEMO_KEYS, KEY_HASH_RE, hashKey } from './keys.js';

export const OFFICER_ROLES = ['can-bo', 'can-bo-to-cao'] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];

export const OfficerEntry = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  hash: z.string().regex(KEY_HASH_RE, 'must be "sha256:<64 hex>" (kntc serve --hash-key <token>)'),
  role: z.enum(OFFICER_ROLES),
  agencies: z.array(z.string().regex(MA_DON_VI_RE, 'agency code like 000.00.00.H29')).min(1),
});
export type OfficerEntry = z.infer<typeof OfficerEntry>;
export const OfficerFile = z.array(OfficerEntry);

/** Who is calling an officer endpoint. `agencies` undefined = every agency (operator). */
export interface Viewer {
  id: string;
  role: ViewerRole;
  agencies?: ReadonlySet<string>;
  /** may confirm / reject (officer accounts only) */
  canDecide: boolean;
}

export const OPERATOR_ID = 'operator';

/** Every agency of the demo key set (DEMO_KEYS). */
const DEMO_AGENCIES = [...new Set(DEMO_KEYS.flatMap((k) => k.agencies))];

/**
 * The demo officers, used when OFFICERS_FILE is empty. The tokens are PUBLIC (printed by
 * `kntc serve --help`): never run a real deployment on them.
 */
export const DEMO_OFFICERS: readonly { plaintext: string; id: string; role: OfficerRole; agencies: string[] }[] = Object.freeze([
  { plaintext: 'demo-can-bo-token', id: 'demo-can-bo', role: 'can-bo', agencies: DEMO_AGENCIES },
  { plaintext: 'demo-to-cao-token', id: 'demo-can-bo-to-cao', role: 'can-bo-to-cao', agencies: DEMO_AGENCIES },
]);

export function demoOfficerEntries(): OfficerEntry[] {
  return DEMO_OFFICERS.map((o) => ({ id: o.id, hash: hashKey(o.plaintext), role: o.role, agencies: [...o.agencies] }));
}

export class OfficerFileError extends Error {
  readonly code = 'KNTC_ERR_OFFICERS_FILE';
}

/** Read and check an officers file. Unknown fields, duplicate ids and reused hashes are errors. */
export function loadOfficerFile(path: string): OfficerEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new OfficerFileError(`OFFICERS_FILE ${path}: cannot read JSON (${(e as Error).message})`);
  }
  return checkOfficerEntries(json, path);
}

export function checkOfficerEntries(json: unknown, where = 'officers'): OfficerEntry[] {
  const r = OfficerFile.safeParse(json);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`).join('; ');
    throw new OfficerFileError(`OFFICERS_FILE ${where}: ${msg}`);
  }
  const ids = new Set<string>();
  const hashes = new Set<string>();
  for (const o of r.data) {
    if (ids.has(o.id) || o.id === OPERATOR_ID) throw new OfficerFileError(`OFFICERS_FILE ${where}: duplicate or reserved id ${o.id}`);
    if (hashes.has(o.hash)) throw new OfficerFileError(`OFFICERS_FILE ${where}: officer ${o.id} reuses another officer's hash`);
    ids.add(o.id);
    hashes.add(o.hash);
  }
  return r.data;
}

/** In-memory officer accounts; `find` is constant-time in the presented token (every hash compared, no early exit). */
export class OfficerStore {
  readonly #entries: { digest: Buffer; viewer: Viewer }[];
  constructor(entries: readonly OfficerEntry[]) {
    this.#entries = entries.map((e) => ({
      digest: Buffer.from(e.hash.slice('sha256:'.length), 'hex'),
      viewer: Object.freeze({ id: e.id, role: e.role, agencies: new Set(e.agencies), canDecide: true }),
    }));
  }
  get size(): number {
    return this.#entries.length;
  }
  find(presented: string): Viewer | undefined {
    const d = Buffer.from(hashKey(presented).slice('sha256:'.length), 'hex');
    let found: Viewer | undefined;
    for (const e of this.#entries) if (timingSafeEqual(d, e.digest) && !found) found = e.viewer;
    return found;
  }
}

/** Resolve officers: explicit > OFFICERS_FILE > demo set. */
export function resolveOfficers(cfg: Pick<Config, 'OFFICERS_FILE'>, given?: readonly OfficerEntry[] | OfficerStore): { store: OfficerStore; demo: boolean } {
  if (given instanceof OfficerStore) return { store: given, demo: false };
  if (given) return { store: new OfficerStore(checkOfficerEntries(given)), demo: false };
  if (cfg.OFFICERS_FILE) return { store: new OfficerStore(loadOfficerFile(cfg.OFFICERS_FILE)), demo: false };
  return { store: new OfficerStore(demoOfficerEntries()), demo: true };
}

/** A fresh random officer token (URL-safe, 256 bits). */
export function newOfficerToken(): string {
  return `kntc_cb_${randomBytes(32).toString('base64url')}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: Viewer;
  }
}

/**
 * onRequest guard of the officer endpoints: `Authorization: Bearer <token>` where the token
 * is an officer's (OFFICERS_FILE) or the operator token. Anything else → 401
 * KNTC_ERR_OFFICER_AUTH before the body is read. Sets `req.viewer`.
 */
export function officerGuard(officers: OfficerStore, adminToken: string, onRefused?: (code: string) => void) {
  const admin = adminToken ? createHash('sha256').update(adminToken, 'utf8').digest() : undefined;
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    let viewer: Viewer | undefined;
    if (m) {
      const token = m[1]!;
      const got = createHash('sha256').update(token, 'utf8').digest();
      const isAdmin = admin ? timingSafeEqual(admin, got) : false;
      const officer = officers.find(token);
      viewer = officer ?? (isAdmin ? { id: OPERATOR_ID, role: 'operator', canDecide: false } : undefined);
    }
    if (!viewer) {
      req.log.info({ code: 'KNTC_ERR_OFFICER_AUTH' }, 'officer request refused');
      onRefused?.('KNTC_ERR_OFFICER_AUTH');
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="kntc-officer", charset="UTF-8"')
        .type('application/json; charset=utf-8')
        .send(new IngestError('KNTC_ERR_OFFICER_AUTH').toBody(req.id));
    }
    req.viewer = viewer;
  };
}
