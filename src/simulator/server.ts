/**
 * The national simulator: contract v1 (../shared/design/national-api.md) over real HTTP
 * (node:http — socket-level faults need the raw socket). In-memory, optional snapshot.
 *
 * One request goes: request id → body (bounded) → maintenance → token / auth (401) →
 * rate + concurrency limit (429) → Idempotency-Key (400 / replay / 422 / 409) → size (413, stored) →
 * latency + "before" fault → processing (validation, scope, versions) → answer stored
 * under its key when storable → "after" fault → answer.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { IDEMPOTENCY_KEY_RE, type RecordKind, type CatalogueName, CATALOGUE_NAMES, type ChiTietLoi, type TimTrungRequest, type LienKetRequest, MA_DON_VI_RE } from '../contract/schemas.js';
import { canonicalJsonCached, sha256Hex } from '../contract/hash.js';
import { makeCatalogues } from '../contract/catalogues.js';
import { validateHoSoDon, validateLuotTiep, validateRequestBody, vietnamToday } from '../contract/validate.js';
import { buildCatalogues, loadReferenceData, type ReferenceData } from '../reference/dvhc.js';
import { logger } from '../log/logger.js';
import { Store, decodeCursor, type StoredRecord, type StoredLink } from './store.js';
import { FaultEngine, checkFaultConfig } from './faults.js';
import { Limiter, type LimitSettings } from './limits.js';
import { IdempotencyStore, fingerprint, isStorable } from './idempotency.js';
import type { FaultAction, FaultConfig, InspectReport, SimClient, SimulatorOptions } from './types.js';

export const DEFAULT_CLIENT: SimClient = { id: 'demo-connector', secret: 'demo-secret', agencies: ['*'] };
export const DEFAULT_ADMIN_TOKEN = 'demo-admin-token';
export const API_PREFIX = '/api/v1';
const RECORD_MAX = 256 * 1024;
const BATCH_MAX = 5 * 1024 * 1024;
const BATCH_ITEMS_MAX = 100;

const NATIONAL_ID: Record<RecordKind, 'maHoSo' | 'maLuotTiep'> = { 'ho-so-don': 'maHoSo', 'luot-tiep': 'maLuotTiep' };
const SOURCE_ID: Record<RecordKind, 'maHoSoNguon' | 'maLuotTiepNguon'> = { 'ho-so-don': 'maHoSoNguon', 'luot-tiep': 'maLuotTiepNguon' };

const MESSAGES: Record<string, string> = {
  YEU_CAU_KHONG_HOP_LE: 'Yêu cầu không hợp lệ',
  THIEU_KHOA_LUY_DANG: 'Thiếu hoặc sai khóa lũy đẳng (Idempotency-Key)',
  CHUA_XAC_THUC: 'Chưa xác thực hoặc mã truy cập không hợp lệ',
  KHONG_CO_QUYEN: 'Không có quyền với đơn vị này',
  KHONG_TIM_THAY: 'Không tìm thấy',
  DA_TON_TAI: 'Hồ sơ đã tồn tại',
  PHIEN_BAN_CU: 'Phiên bản cũ hơn phiên bản đã lưu',
  XUNG_DOT_PHIEN_BAN: 'Cùng phiên bản nhưng nội dung khác',
  DANG_XU_LY: 'Yêu cầu cùng khóa đang được xử lý',
  QUA_KICH_THUOC: 'Yêu cầu vượt quá kích thước cho phép',
  DU_LIEU_KHONG_HOP_LE: 'Dữ liệu không hợp lệ',
  KHOA_TRUNG_NOI_DUNG_KHAC: 'Khóa lũy đẳng đã dùng cho nội dung khác',
  VUOT_HAN_MUC: 'Vượt hạn mức truy cập',
  LOI_HE_THONG: 'Lỗi hệ thống',
  TAM_NGUNG: 'Hệ thống tạm ngừng phục vụ',
};

/** What processing a request produced (before serialization). */
interface Answer {
  status: number;
  body?: Record<string, unknown>;
  /** the body already serialized (JSON.stringify(body) byte for byte); sent instead of `body` */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

interface Ctx {
  client: SimClient;
  reqId: string;
  /** Canonical JSON of parts of this request's parsed body, each serialised once (idempotency fingerprints, bamNoiDung). */
  canon: (v: unknown) => string;
}

interface ReadBody {
  buf: Buffer;
  size: number;
  /** hex SHA-256 of the whole body, also of the part beyond the read limit */
  sha256: string;
}

export interface RunningSimulator {
  /** http://HOST:PORT/api/v1 */
  baseUrl: string;
  /** http://HOST:PORT (admin endpoints live under /_sim/) */
  origin: string;
  port: number;
  adminToken: string;
  clients: readonly SimClient[];
  reference: ReferenceData;
  close(): Promise<void>;
  setFaults(f: FaultConfig): void;
  getFaults(): FaultConfig;
  inspect(): InspectReport;
  /** Forget every record, link, stored key, counter and limit bucket (tokens and faults stay). */
  reset(): void;
  /** Every issued token becomes invalid (next call → 401 invalid_token). */
  expireTokens(clientId?: string): void;
  /** Write the snapshot now (no-op without snapshotFile). */
  snapshot(): void;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');
const KHOA_CHUNG_MARK = ',"khoaChung":[]';
const UNG_VIEN_OPEN = Buffer.from('{"ungVien":[');
const COMMA = Buffer.from(',');
const CON_NUA_TRUE = Buffer.from('],"conNua":true}');
const CON_NUA_FALSE = Buffer.from('],"conNua":false}');
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sleep = (ms: number, timers: Set<NodeJS.Timeout>) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });

const CLIENT_FIELDS = ['id', 'secret', 'agencies', 'ratePerSec', 'burst', 'maxInFlight'];
const SCOPE_RE = /^(\*|tinh:\d{2}|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})$/;

/**
 * Check a list of simulator clients (from a clients file or options): `[{id, secret, agencies, ratePerSec?,
 * burst?, maxInFlight?}]` or `{clients: [...]}`; ids unique, agencies each a `don-vi` code, `tinh:<maTinh>` or `*`.
 * Throws an Error naming the entry and the field.
 */
export function parseClients(raw: unknown, where = 'simulator clients'): SimClient[] {
  const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.clients) ? raw.clients : undefined;
  if (!list) throw new Error(`${where}: expected a JSON array of {id, secret, agencies} (or {"clients": [...]})`);
  if (list.length === 0) throw new Error(`${where}: no client listed`);
  const seen = new Set<string>();
  return list.map((c: unknown, i: number) => {
    const at = `${where}: entry ${i}`;
    if (!isObj(c)) throw new Error(`${at} is not an object`);
    for (const k of Object.keys(c)) if (!CLIENT_FIELDS.includes(k)) throw new Error(`${at}: unknown field "${k}" (allowed: ${CLIENT_FIELDS.join(', ')})`);
    if (typeof c.id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(c.id)) throw new Error(`${at}: "id" must be a non-empty string of printable ASCII`);
    if (seen.has(c.id)) throw new Error(`${at}: id "${c.id}" is listed twice`);
    seen.add(c.id);
    if (typeof c.secret !== 'string' || c.secret.length === 0) throw new Error(`${at} (${c.id}): "secret" must be a non-empty string`);
    if (!Array.isArray(c.agencies) || c.agencies.length === 0) throw new Error(`${at} (${c.id}): "agencies" must be a non-empty list`);
    c.agencies.forEach((a: unknown, j: number) => {
      if (typeof a !== 'string' || !SCOPE_RE.test(a)) throw new Error(`${at} (${c.id}): agencies[${j}] ${JSON.stringify(a)} is not a don-vi code (000.00.00.H29), "tinh:<maTinh>" or "*"`);
    });
    for (const k of ['ratePerSec', 'burst', 'maxInFlight'] as const) {
      const v = c[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (k !== 'ratePerSec' && !Number.isInteger(v)))) {
        throw new Error(`${at} (${c.id}): "${k}" must be a positive ${k === 'ratePerSec' ? 'number' : 'integer'}`);
      }
    }
    return c as unknown as SimClient;
  });
}

/** Read and check a clients file (`--clients`, SIMULATOR_CLIENTS_FILE). Throws a readable Error. */
export function readClientsFile(path: string): SimClient[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`simulator clients file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`simulator clients file ${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseClients(raw, `simulator clients file ${path}`);
}

/** FaultConfig from JSON text or a file path (CLI, SIMULATOR_FAULTS). */
export function parseFaults(s: string): FaultConfig {
  const inline = s.trim().startsWith('{');
  let text: string;
  try {
    text = inline ? s : readFileSync(s, 'utf8');
  } catch (e) {
    throw new Error(`fault config file ${s}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`fault config${inline ? '' : ` file ${s}`}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(v)) throw new Error('fault config must be a JSON object');
  checkFaultConfig(v as FaultConfig);
  return v as FaultConfig;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const now = opts.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const log = logger().child({ component: 'simulator' });
  const env = process.env;
  const reference = opts.reference ?? loadReferenceData({ dvhcPath: env.DVHC_DATA_PATH || undefined, donViPath: env.DON_VI_PATH || undefined });
  const catalogueData = buildCatalogues(reference);
  const catalogues = makeCatalogues(catalogueData);
  const donViTinh = new Map(reference.donVi.map((d) => [d.ma, d.maTinh]));
  const clients: SimClient[] = opts.clients ? parseClients(opts.clients, 'simulator options.clients') : env.SIMULATOR_CLIENTS_FILE ? readClientsFile(env.SIMULATOR_CLIENTS_FILE) : [DEFAULT_CLIENT];
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const adminToken = opts.adminToken ?? DEFAULT_ADMIN_TOKEN;
  const tokenTtlSec = opts.tokenTtlSec ?? 3600;
  const limitsOn = opts.limits?.enabled ?? true;
  const limitDefaults: LimitSettings = { ratePerSec: opts.limits?.ratePerSec ?? 20, burst: opts.limits?.burst ?? 40, maxInFlight: opts.limits?.maxInFlight ?? 8 };

  const store = new Store(now, { maxPosting: opts.timTrungMaxPosting });
  const idem = new IdempotencyStore(nowMs);
  const limiter = new Limiter(() => Date.now());
  const faults = new FaultEngine(now, opts.faults ?? (env.SIMULATOR_FAULTS ? parseFaults(env.SIMULATOR_FAULTS) : undefined));
  const tokens = new Map<string, { clientId: string; exp: number; issuedAt: number }>();
  const timers = new Set<NodeJS.Timeout>();
  const hungSockets = new Set<Socket>();
  const counters = {
    requests: 0,
    replays: 0,
    rateLimited: 0,
    concurrencyLimited: 0,
    faults: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
  };
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

  // ------------------------------------------------------------ snapshot
  const snapshotFile = opts.snapshotFile;
  if (snapshotFile && existsSync(snapshotFile)) {
    const snap = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { store?: Parameters<Store['load']>[0]; idempotency?: Parameters<IdempotencyStore['load']>[0] };
    if (snap.store) store.load(snap.store);
    if (snap.idempotency) idem.load(snap.idempotency);
  }
  const writeSnapshot = () => {
    if (!snapshotFile) return;
    const tmp = `${snapshotFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, writtenAt: now().toISOString(), store: store.toJSON(), idempotency: idem.toJSON() }));
    renameSync(tmp, snapshotFile);
  };
  const snapshotEvery = opts.snapshotEverySec ?? 10;
  const snapshotTimer = snapshotFile && snapshotEvery > 0 ? setInterval(writeSnapshot, snapshotEvery * 1000) : undefined;
  snapshotTimer?.unref();

  // ------------------------------------------------------------ catalogues
  const catalogueCache = new Map<string, { bytes: Buffer; etag: string }>();
  const catalogueAnswer = (ten: CatalogueName, maTinh?: string) => {
    const key = `${ten}|${maTinh ?? ''}`;
    let c = catalogueCache.get(key);
    if (!c) {
      const all = catalogueData[ten];
      const muc = maTinh !== undefined ? all.filter((i) => i.maTinh === maTinh) : all;
      const phienBan = 'v1.' + createHash('sha256').update(JSON.stringify(all)).digest('hex').slice(0, 12);
      const bytes = json({ ten, phienBan, muc });
      c = { bytes, etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"` };
      catalogueCache.set(key, c);
    }
    return c;
  };

  // ------------------------------------------------------------ helpers
  const allowed = (client: SimClient, maDonVi: string): boolean => {
    if (client.agencies.includes('*') || client.agencies.includes(maDonVi)) return true;
    const t = donViTinh.get(maDonVi);
    return t !== undefined && client.agencies.includes(`tinh:${t}`);
  };
  const errBody = (ctx: { reqId: string }, ma: string, extra: Record<string, unknown> = {}, chiTiet?: ChiTietLoi[], thongDiep?: string): Record<string, unknown> => ({
    ma,
    thongDiep: thongDiep ?? MESSAGES[ma] ?? ma,
    ...(chiTiet && chiTiet.length ? { chiTiet } : {}),
    ...extra,
    maYeuCau: ctx.reqId,
  });
  const fail = (ctx: { reqId: string }, status: number, ma: string, chiTiet?: ChiTietLoi[], extra?: Record<string, unknown>): Answer => ({
    status,
    body: errBody(ctx, ma, extra, chiTiet),
  });
  const today = () => vietnamToday(now());
  const validate = (kind: RecordKind, body: unknown) => (kind === 'ho-so-don' ? validateHoSoDon : validateLuotTiep)(body, { catalogues, today: today() });
  const writeResult = (r: StoredRecord) => ({ [NATIONAL_ID[r.kind]]: r.id, phienBanNguon: r.phienBanNguon, bamNoiDung: r.bamNoiDung, capNhatLuc: r.capNhatLuc });

  // ------------------------------------------------------------ operations (synchronous, in memory)
  function write(ctx: Ctx, kind: RecordKind, op: 'create' | 'update', id: string | undefined, body: unknown, size: number): Answer {
    if (size > RECORD_MAX) return fail(ctx, 413, 'QUA_KICH_THUOC');
    let existing: StoredRecord | undefined;
    if (op === 'update') {
      existing = id ? store.get(kind, id) : undefined;
      if (!existing) return fail(ctx, 404, 'KHONG_TIM_THAY');
      if (!allowed(ctx.client, existing.maDonVi)) return fail(ctx, 403, 'KHONG_CO_QUYEN');
    }
    if (isObj(body) && typeof body.maDonVi === 'string' && MA_DON_VI_RE.test(body.maDonVi) && !allowed(ctx.client, body.maDonVi)) {
      return fail(ctx, 403, 'KHONG_CO_QUYEN');
    }
    const details = validate(kind, body);
    if (existing && isObj(body)) {
      if (body.maDonVi !== existing.maDonVi) details.push({ truong: '/maDonVi', ma: 'KHONG_NHAT_QUAN', thongDiep: 'Không được đổi mã đơn vị của hồ sơ đã có' });
      if (body[SOURCE_ID[kind]] !== existing.maNguon) details.push({ truong: `/${SOURCE_ID[kind]}`, ma: 'KHONG_NHAT_QUAN', thongDiep: 'Không được đổi mã nguồn của hồ sơ đã có' });
    }
    if (details.length) return fail(ctx, 422, 'DU_LIEU_KHONG_HOP_LE', details);
    const rec = body as Record<string, unknown>;
    const bam = sha256Hex(ctx.canon(rec));
    const maNguon = rec[SOURCE_ID[kind]] as string;
    if (op === 'create') {
      const found = store.findBySource(kind, rec.maDonVi as string, maNguon);
      if (found) return fail(ctx, 409, 'DA_TON_TAI', undefined, { [NATIONAL_ID[kind]]: found.id, phienBanNguon: found.phienBanNguon });
      const created = store.create(kind, rec.maDonVi as string, maNguon, rec, bam);
      if (kind === 'ho-so-don') candidateParts(created);
      return { status: 201, body: writeResult(created) };
    }
    const r = existing as StoredRecord;
    const v = rec.phienBanNguon as number;
    if (v < r.phienBanNguon) return fail(ctx, 409, 'PHIEN_BAN_CU', undefined, { [NATIONAL_ID[kind]]: r.id, phienBanNguon: r.phienBanNguon });
    if (v === r.phienBanNguon) {
      if (bam !== r.bamNoiDung) return fail(ctx, 409, 'XUNG_DOT_PHIEN_BAN', undefined, { [NATIONAL_ID[kind]]: r.id, phienBanNguon: r.phienBanNguon });
      r.noops += 1;
      return { status: 200, body: writeResult(r) };
    }
    store.update(r, rec, bam);
    if (kind === 'ho-so-don') candidateParts(r);
    return { status: 200, body: writeResult(r) };
  }

  function getRecord(ctx: Ctx, kind: RecordKind, id: string): Answer {
    const r = store.get(kind, id);
    if (!r) return fail(ctx, 404, 'KHONG_TIM_THAY');
    if (!allowed(ctx.client, r.maDonVi)) return fail(ctx, 403, 'KHONG_CO_QUYEN');
    return { status: 200, body: { ...r.body, [NATIONAL_ID[kind]]: r.id, bamNoiDung: r.bamNoiDung, capNhatLuc: r.capNhatLuc, trangThai: r.trangThai } };
  }

  function cancel(ctx: Ctx, kind: RecordKind, id: string, body: unknown): Answer {
    const r = store.get(kind, id);
    if (!r) return fail(ctx, 404, 'KHONG_TIM_THAY');
    if (!allowed(ctx.client, r.maDonVi)) return fail(ctx, 403, 'KHONG_CO_QUYEN');
    // {lyDo}: a long-text field (\n allowed) with no stated maximum → 1–500 code points (§1)
    const d = validateRequestBody('huy', body, { today: today() });
    if (d.length) return fail(ctx, 422, 'DU_LIEU_KHONG_HOP_LE', d);
    store.cancel(r, (body as { lyDo: string }).lyDo);
    return { status: 200, body: { ...writeResult(r), trangThai: r.trangThai } };
  }

  function listing(ctx: Ctx, q: URLSearchParams, run: (maDonVi: string, capNhatTu: string | undefined, after: [string, string] | undefined, limit: number) => Record<string, unknown>): Answer {
    const d: ChiTietLoi[] = [];
    const maDonVi = q.get('maDonVi');
    if (!maDonVi) d.push({ truong: 'maDonVi', ma: 'THIEU_TRUONG', thongDiep: 'Thiếu tham số maDonVi' });
    else if (!MA_DON_VI_RE.test(maDonVi)) d.push({ truong: 'maDonVi', ma: 'SAI_DINH_DANG', thongDiep: 'Mã đơn vị sai định dạng' });
    let capNhatTu: string | undefined;
    const ct = q.get('capNhatTu');
    if (ct) {
      const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(ct) ? Date.parse(ct) : NaN;
      if (Number.isNaN(ms)) d.push({ truong: 'capNhatTu', ma: 'SAI_DINH_DANG', thongDiep: 'capNhatTu phải theo RFC 3339' });
      else capNhatTu = new Date(ms).toISOString();
    }
    let after: [string, string] | undefined;
    const sau = q.get('sau');
    if (sau) {
      after = decodeCursor(sau);
      if (!after) d.push({ truong: 'sau', ma: 'SAI_DINH_DANG', thongDiep: 'Con trỏ trang không hợp lệ' });
    }
    let limit = 500;
    const g = q.get('gioiHan');
    if (g !== null) {
      limit = Number(g);
      if (!/^\d+$/.test(g) || limit < 1 || limit > 1000) d.push({ truong: 'gioiHan', ma: 'SAI_DINH_DANG', thongDiep: 'gioiHan từ 1 đến 1000' });
    }
    if (d.length || !maDonVi) return fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', d);
    if (!allowed(ctx.client, maDonVi)) return fail(ctx, 403, 'KHONG_CO_QUYEN');
    return { status: 200, body: run(maDonVi, capNhatTu, after, limit) };
  }

  const listRecords = (ctx: Ctx, kind: RecordKind, q: URLSearchParams) =>
    listing(ctx, q, (maDonVi, capNhatTu, after, limit) => {
      const p = store.page(store.recordsOf(kind, maDonVi), (r) => r.id, { ...(capNhatTu ? { capNhatTu } : {}), ...(after ? { after } : {}), limit });
      return {
        duLieu: p.items.map((r) => ({
          [NATIONAL_ID[kind]]: r.id,
          maDonVi: r.maDonVi,
          [SOURCE_ID[kind]]: r.maNguon,
          phienBanNguon: r.phienBanNguon,
          bamNoiDung: r.bamNoiDung,
          trangThai: r.trangThai,
          capNhatLuc: r.capNhatLuc,
        })),
        tiepTheo: p.next,
      };
    });

  const linkJson = (l: StoredLink) => ({ ...l });
  const listLinks = (ctx: Ctx, q: URLSearchParams) =>
    listing(ctx, q, (maDonVi, capNhatTu, after, limit) => {
      const p = store.page(store.linksOf(maDonVi), (l) => l.maLienKet, { ...(capNhatTu ? { capNhatTu } : {}), ...(after ? { after } : {}), limit });
      return { duLieu: p.items.map(linkJson), tiepTheo: p.next };
    });

  function timTrung(ctx: Ctx, body: unknown): Answer {
    const d = validateRequestBody('tim-trung', body, { today: today() });
    if (d.length) return fail(ctx, 422, 'DU_LIEU_KHONG_HOP_LE', d);
    const q = body as TimTrungRequest;
    const limit = q.gioiHan ?? 50;
    const { found, more } = store.findByKeys(q.khoa, { exclude: new Set(q.loaiTru ?? []), ...(q.tuNgay ? { tuNgay: q.tuNgay } : {}), ...(q.denNgay ? { denNgay: q.denNgay } : {}), limit });
    // JSON of the answer from each record's cached candidate JSON (see candidateParts) and its khoaChung
    const parts: Buffer[] = [UNG_VIEN_OPEN];
    found.forEach(([rec, khoaChung], i) => {
      const [head, tail] = candidateParts(rec);
      if (i > 0) parts.push(COMMA);
      parts.push(head, Buffer.from(JSON.stringify(khoaChung), 'utf8'), tail);
    });
    parts.push(more ? CON_NUA_TRUE : CON_NUA_FALSE);
    return { status: 200, bytes: Buffer.concat(parts) };
  }

  /**
   * A record's tim-trung candidate (§6 masking) as JSON, split around `khoaChung` (the only part that
   * depends on the query): built when a ho-so-don is written (create, update; lazily after a snapshot
   * load) and kept with its stored body (an update stores a new body object), so an answer of 50
   * candidates costs a concat, not 50 objects and a 100 KB stringify — at any index size. (A cache of
   * the most recently offered records missed on most candidates of a 200k-record index: the cost per
   * query grew with the index.) ~1.7 KB a record, beside the stored body of ~3 KB.
   */
  const candidateJson = new WeakMap<object, [Buffer, Buffer]>();
  function candidateParts(rec: StoredRecord): [Buffer, Buffer] {
    let p = candidateJson.get(rec.body);
    if (p) return p;
    const b = rec.body;
    const masked = b.baoMatDanhTinh === true || b.anDanh === true;
    const people = Array.isArray(b.nguoiDungDon) ? (b.nguoiDungDon as Record<string, unknown>[]) : [];
    const dt = isObj(b.doiTuongBiKNTC) ? b.doiTuongBiKNTC : undefined;
    const dac = isObj(b.dacTrungLienKet) ? b.dacTrungLienKet : {};
    const c = {
      maHoSo: rec.id,
      maDonVi: rec.maDonVi,
      ngayNhanDon: b.ngayNhanDon,
      loaiDon: b.loaiDon,
      linhVuc: b.linhVuc,
      noiDungTomTat: b.noiDungTomTat,
      soNguoi: b.soNguoi,
      // §6 masking: never ID numbers, phones or street addresses; nothing at all for tố cáo / nặc danh
      nguoiDungDon: masked
        ? []
        : people.map((p) => {
            const dc = isObj(p.diaChi) ? p.diaChi : {};
            return {
              hoTen: p.hoTen,
              ...(p.namSinh !== undefined ? { namSinh: p.namSinh } : {}),
              diaChi: { maTinh: dc.maTinh, ...(dc.maXa !== undefined ? { maXa: dc.maXa } : {}) },
            };
          }),
      ...(dt ? { doiTuongBiKNTC: { loai: dt.loai, ten: dt.ten } } : {}),
      khoaChung: [],
      dacTrungLienKet: { thuatToan: dac.thuatToan, dacTrung: dac.dacTrung },
    };
    // In the JSON text a quote inside a string value is escaped, so the first `,"khoaChung":[]` is the key itself.
    const s = JSON.stringify(c);
    const at = s.indexOf(KHOA_CHUNG_MARK);
    p = [Buffer.from(s.slice(0, at + KHOA_CHUNG_MARK.length - 2), 'utf8'), Buffer.from(s.slice(at + KHOA_CHUNG_MARK.length), 'utf8')];
    candidateJson.set(rec.body, p);
    return p;
  }

  function link(ctx: Ctx, id: string, body: unknown): Answer {
    const a = store.get('ho-so-don', id);
    if (!a) return fail(ctx, 404, 'KHONG_TIM_THAY');
    const d = validateRequestBody('lien-ket-trung', body, { today: today() });
    if (d.length) return fail(ctx, 422, 'DU_LIEU_KHONG_HOP_LE', d);
    const q = body as LienKetRequest;
    if (q.maHoSoKhac === id) return fail(ctx, 422, 'DU_LIEU_KHONG_HOP_LE', [{ truong: '/maHoSoKhac', ma: 'KHONG_NHAT_QUAN', thongDiep: 'Không thể liên kết hồ sơ với chính nó' }]);
    const b = store.get('ho-so-don', q.maHoSoKhac);
    if (!b) return fail(ctx, 404, 'KHONG_TIM_THAY', [{ truong: '/maHoSoKhac', ma: 'MA_KHONG_TON_TAI', thongDiep: 'Không tìm thấy hồ sơ khác' }]);
    if (!allowed(ctx.client, a.maDonVi) && !allowed(ctx.client, b.maDonVi)) return fail(ctx, 403, 'KHONG_CO_QUYEN');
    const pair = Store.pairKey(a.id, b.id);
    const existingId = store.linkByPair.get(pair);
    const l = existingId ? store.links.get(existingId) : undefined;
    if (l) {
      l.mucDo = q.mucDo;
      l.diem = q.diem;
      if (q.lyDo !== undefined) l.lyDo = q.lyDo;
      if (q.xacNhanBoi !== undefined) l.xacNhanBoi = q.xacNhanBoi;
      l.trangThai = 'HIEU_LUC';
      l.capNhatLuc = store.stamp();
      return { status: 200, body: linkJson(l) };
    }
    const n: StoredLink = {
      maLienKet: store.nextId('LK'),
      maHoSo: a.id,
      maHoSoKhac: b.id,
      maDonVi: a.maDonVi,
      maDonViKhac: b.maDonVi,
      mucDo: q.mucDo,
      diem: q.diem,
      ...(q.lyDo !== undefined ? { lyDo: q.lyDo } : {}),
      ...(q.xacNhanBoi !== undefined ? { xacNhanBoi: q.xacNhanBoi } : {}),
      taoBoi: ctx.client.id,
      trangThai: 'HIEU_LUC',
      capNhatLuc: store.stamp(),
    };
    store.links.set(n.maLienKet, n);
    store.linkByPair.set(pair, n.maLienKet);
    return { status: 201, body: linkJson(n) };
  }

  function unlink(ctx: Ctx, id: string, maLienKet: string): Answer {
    const l = store.links.get(maLienKet);
    if (!store.get('ho-so-don', id) || !l || (l.maHoSo !== id && l.maHoSoKhac !== id)) return fail(ctx, 404, 'KHONG_TIM_THAY');
    if (!allowed(ctx.client, l.maDonVi) && !allowed(ctx.client, l.maDonViKhac)) return fail(ctx, 403, 'KHONG_CO_QUYEN');
    if (l.trangThai !== 'DA_GO') {
      l.trangThai = 'DA_GO';
      l.capNhatLuc = store.stamp();
    }
    return { status: 204 };
  }

  /** One batch item: its own idempotency key (`khoa`), its own faults. */
  function batchItem(ctx: Ctx, kind: RecordKind, item: unknown): Record<string, unknown> {
    const khoa = isObj(item) && typeof item.khoa === 'string' ? item.khoa : undefined;
    const out = (a: Answer) => {
      bump(counters.byStatus, `item:${a.status}`);
      return { khoa: khoa ?? null, trangThai: a.status, ...(a.status < 300 ? { duLieu: a.body } : { loi: a.body }) };
    };
    const d: ChiTietLoi[] = [];
    if (!isObj(item)) return out(fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: '', ma: 'SAI_KIEU', thongDiep: 'Mục phải là đối tượng' }]));
    const idField = NATIONAL_ID[kind];
    // BatchItem carries maHoSo or maLuotTiep; either names the record to update
    for (const k of Object.keys(item)) if (!['khoa', 'thaoTac', 'maHoSo', 'maLuotTiep', 'duLieu'].includes(k)) d.push({ truong: `/${k}`, ma: 'TRUONG_KHONG_DUOC_PHEP', thongDiep: 'Trường không có trong đặc tả' });
    if (!khoa || !IDEMPOTENCY_KEY_RE.test(khoa)) d.push({ truong: '/khoa', ma: 'SAI_DINH_DANG', thongDiep: 'Khóa phải gồm 1–255 ký tự [A-Za-z0-9._:-]' });
    if (item.thaoTac !== 'TAO' && item.thaoTac !== 'CAP_NHAT') d.push({ truong: '/thaoTac', ma: 'SAI_DINH_DANG', thongDiep: 'thaoTac là TAO hoặc CAP_NHAT' });
    const natId = item[idField] ?? item[idField === 'maHoSo' ? 'maLuotTiep' : 'maHoSo'];
    if (item.thaoTac === 'CAP_NHAT' && typeof natId !== 'string') d.push({ truong: `/${idField}`, ma: 'THIEU_TRUONG', thongDiep: 'Cập nhật cần mã hồ sơ quốc gia' });
    if (item.duLieu === undefined) d.push({ truong: '/duLieu', ma: 'THIEU_TRUONG', thongDiep: 'Thiếu dữ liệu' });
    if (d.length || !khoa) return out(fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', d));
    const method = item.thaoTac === 'TAO' ? 'POST' : 'PUT';
    const path = method === 'POST' ? `/${kind}` : `/${kind}/${natId as string}`;
    const route = `${method} ${path}`;
    const fp = fingerprint(method, path, ctx.canon(item.duLieu));
    const st = idem.begin(ctx.client.id, khoa, fp);
    if (st.state === 'stored') {
      counters.replays += 1;
      const parsed = JSON.parse(st.answer.body.toString('utf8')) as Record<string, unknown>;
      return out({ status: st.answer.status, body: parsed });
    }
    if (st.state === 'mismatch') return out(fail(ctx, 422, 'KHOA_TRUNG_NOI_DUNG_KHAC'));
    if (st.state === 'in-flight') return out(fail(ctx, 409, 'DANG_XU_LY'));
    try {
      const pre = faults.draw('before', route);
      if (pre?.action === 'error') {
        bump(counters.faults, `item-before:${pre.status}`);
        return out(faultAnswer(ctx, pre.status));
      }
      const a = write(ctx, kind, method === 'POST' ? 'create' : 'update', natId as string | undefined, item.duLieu, Buffer.byteLength(ctx.canon(item.duLieu), 'utf8'));
      const bytes = json(a.body ?? {});
      if (isStorable(a.status, a.body?.ma as string | undefined)) idem.store(ctx.client.id, khoa, { fingerprint: fp, status: a.status, contentType: 'application/json; charset=utf-8', body: bytes });
      const post = faults.draw('after', route);
      if (post?.action === 'error') {
        bump(counters.faults, `item-after:${post.status}`);
        return out(faultAnswer(ctx, post.status));
      }
      return out(a);
    } finally {
      idem.finish(ctx.client.id, khoa);
    }
  }

  function batch(ctx: Ctx, kind: RecordKind, body: unknown): Answer {
    if (!isObj(body) || !Array.isArray(body.muc)) return fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: '/muc', ma: 'THIEU_TRUONG', thongDiep: 'Cần danh sách muc' }]);
    for (const k of Object.keys(body)) if (k !== 'muc') return fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: `/${k}`, ma: 'TRUONG_KHONG_DUOC_PHEP', thongDiep: 'Trường không có trong đặc tả' }]);
    if (body.muc.length === 0) return fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: '/muc', ma: 'QUA_DO_DAI', thongDiep: 'Lô phải có ít nhất một mục' }]);
    if (body.muc.length > BATCH_ITEMS_MAX) return fail(ctx, 413, 'QUA_KICH_THUOC', [{ truong: '/muc', ma: 'QUA_DO_DAI', thongDiep: `Lô tối đa ${BATCH_ITEMS_MAX} mục` }]);
    return { status: 200, body: { ketQua: body.muc.map((item) => batchItem(ctx, kind, item)) } };
  }

  function faultAnswer(ctx: { reqId: string }, status: number): Answer {
    return status === 503
      ? { status, body: errBody(ctx, 'TAM_NGUNG'), headers: { 'Retry-After': String(faults.retryAfterSec) } }
      : { status, body: errBody(ctx, 'LOI_HE_THONG') };
  }

  // ------------------------------------------------------------ routing
  type Route = { needsKey: boolean; run: (ctx: Ctx, body: unknown, size: number) => Answer };
  function route(method: string, sub: string, q: URLSearchParams): Route | undefined {
    const parts = sub.split('/').filter(Boolean).map(decodeURIComponent);
    const [a, b, c, d] = parts;
    if (method === 'GET' && a === 'danh-muc' && b && parts.length === 2) return undefined; // handled separately (ETag)
    if (a === 'lien-ket-trung' && parts.length === 1 && method === 'GET') return { needsKey: false, run: (ctx) => listLinks(ctx, q) };
    if (a !== 'ho-so-don' && a !== 'luot-tiep') return undefined;
    const kind: RecordKind = a;
    if (parts.length === 1) {
      if (method === 'POST') return { needsKey: true, run: (ctx, body, size) => write(ctx, kind, 'create', undefined, body, size) };
      if (method === 'GET') return { needsKey: false, run: (ctx) => listRecords(ctx, kind, q) };
      return undefined;
    }
    if (parts.length === 2 && b) {
      if (b === 'lo' && method === 'POST') return { needsKey: true, run: (ctx, body) => batch(ctx, kind, body) };
      if (b === 'tim-trung' && method === 'POST' && kind === 'ho-so-don') return { needsKey: false, run: (ctx, body) => timTrung(ctx, body) };
      if (method === 'GET') return { needsKey: false, run: (ctx) => getRecord(ctx, kind, b) };
      if (method === 'PUT') return { needsKey: false, run: (ctx, body, size) => write(ctx, kind, 'update', b, body, size) };
      return undefined;
    }
    if (parts.length === 3 && b && c === 'huy' && method === 'POST') return { needsKey: true, run: (ctx, body) => cancel(ctx, kind, b, body) };
    if (kind === 'ho-so-don' && b && c === 'lien-ket-trung') {
      if (parts.length === 3 && method === 'POST') return { needsKey: true, run: (ctx, body) => link(ctx, b, body) };
      if (parts.length === 4 && d && method === 'DELETE') return { needsKey: false, run: (ctx) => unlink(ctx, b, d) };
    }
    return undefined;
  }

  // ------------------------------------------------------------ HTTP plumbing
  function sendBytes(res: ServerResponse, status: number, bytes: Buffer | undefined, headers: Record<string, string> = {}): void {
    bump(counters.byStatus, String(status));
    if (res.headersSent || res.destroyed) return;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (bytes && status !== 204 && status !== 304) {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', bytes.length);
      res.writeHead(status);
      res.end(bytes);
    } else {
      res.writeHead(status);
      res.end();
    }
  }
  const sendAnswer = (res: ServerResponse, a: Answer) => sendBytes(res, a.status, a.body ? json(a.body) : undefined, a.headers);

  /** The body up to `limit` bytes (beyond that only counted and hashed), its full size and the SHA-256 of all of it. */
  function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const h = createHash('sha256');
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        h.update(c);
        if (size <= limit) chunks.push(c);
      });
      req.on('end', () => resolve({ buf: Buffer.concat(chunks), size, sha256: h.digest('hex') }));
      req.on('error', reject);
    });
  }

  function inject(res: ServerResponse, ctx: { reqId: string }, f: FaultAction, when: string): void {
    bump(counters.faults, `${when}:${f.action === 'error' ? f.status : f.action}`);
    const sock = res.socket;
    if (f.action === 'reset') {
      sock?.destroy();
      return;
    }
    if (f.action === 'hang') {
      if (!sock) return;
      hungSockets.add(sock);
      const t = setTimeout(() => {
        timers.delete(t);
        hungSockets.delete(sock);
        sock.destroy();
      }, faults.hangMs);
      timers.add(t);
      sock.once('close', () => {
        clearTimeout(t);
        timers.delete(t);
        hungSockets.delete(sock);
      });
      return;
    }
    sendAnswer(res, faultAnswer(ctx, f.status));
  }

  const adminAnswer = (res: ServerResponse, status: number, body: unknown) => sendBytes(res, status, json(body));

  function inspect(): InspectReport {
    const records = store.inspectRecords();
    let creates = 0, updates = 0, noops = 0;
    for (const r of Object.values(records)) {
      creates += r.creates;
      updates += r.updates;
      noops += r.noops;
    }
    return {
      records,
      links: [...store.links.values()].map((l) => ({ maLienKet: l.maLienKet, maHoSo: l.maHoSo, maHoSoKhac: l.maHoSoKhac, mucDo: l.mucDo, trangThai: l.trangThai, taoBoi: l.taoBoi })),
      totals: {
        records: Object.keys(records).length,
        creates,
        updates,
        noops,
        cancels: store.cancels,
        links: store.links.size,
        requests: counters.requests,
        replays: counters.replays,
        rateLimited: counters.rateLimited,
        concurrencyLimited: counters.concurrencyLimited,
        faults: { ...counters.faults },
        byStatus: { ...counters.byStatus },
      },
    };
  }

  function reset(): void {
    store.clear();
    idem.clear();
    limiter.clear();
    counters.requests = counters.replays = counters.rateLimited = counters.concurrencyLimited = 0;
    counters.faults = {};
    counters.byStatus = {};
  }

  function expireTokens(clientId?: string): void {
    for (const [t, v] of tokens) if (!clientId || v.clientId === clientId) tokens.delete(t);
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string, buf: Buffer): Promise<void> {
    if (path === '/_sim/health') return adminAnswer(res, 200, { ok: true });
    if (req.headers.authorization !== `Bearer ${adminToken}`) return adminAnswer(res, 401, { ma: 'CHUA_XAC_THUC', thongDiep: MESSAGES.CHUA_XAC_THUC });
    let body: unknown = {};
    if (buf.length) {
      try {
        body = JSON.parse(buf.toString('utf8'));
      } catch {
        return adminAnswer(res, 400, { ma: 'YEU_CAU_KHONG_HOP_LE', thongDiep: 'JSON không hợp lệ' });
      }
    }
    const m = req.method;
    if (path === '/_sim/inspect' && m === 'GET') return adminAnswer(res, 200, inspect());
    if (path === '/_sim/faults' && m === 'GET') return adminAnswer(res, 200, faults.get());
    if (path === '/_sim/faults' && (m === 'POST' || m === 'PUT')) {
      if (!isObj(body)) return adminAnswer(res, 400, { ma: 'YEU_CAU_KHONG_HOP_LE', thongDiep: 'Cần đối tượng FaultConfig' });
      try {
        faults.set(body as FaultConfig);
      } catch (e) {
        return adminAnswer(res, 400, { ma: 'YEU_CAU_KHONG_HOP_LE', thongDiep: (e as Error).message });
      }
      return adminAnswer(res, 200, faults.get());
    }
    if (path === '/_sim/reset' && m === 'POST') {
      reset();
      return adminAnswer(res, 200, { ok: true });
    }
    if (path === '/_sim/expire-tokens' && m === 'POST') {
      expireTokens(isObj(body) && typeof body.clientId === 'string' ? body.clientId : undefined);
      return adminAnswer(res, 200, { ok: true });
    }
    if (path === '/_sim/snapshot' && m === 'POST') {
      writeSnapshot();
      return adminAnswer(res, 200, { ok: true, file: snapshotFile ?? null });
    }
    return adminAnswer(res, 404, { ma: 'KHONG_TIM_THAY', thongDiep: MESSAGES.KHONG_TIM_THAY });
  }

  function token(res: ServerResponse, ctx: { reqId: string }, req: IncomingMessage, buf: Buffer): void {
    const form = new URLSearchParams(buf.toString('utf8'));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [u, p] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return sendAnswer(res, fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: 'grant_type', ma: 'SAI_DINH_DANG', thongDiep: 'grant_type phải là client_credentials' }]));
    }
    const c = id ? clientById.get(id) : undefined;
    if (!c || c.secret !== secret) return sendAnswer(res, fail(ctx, 401, 'CHUA_XAC_THUC'));
    const t = randomBytes(24).toString('base64url');
    tokens.set(t, { clientId: c.id, exp: nowMs() + tokenTtlSec * 1000, issuedAt: nowMs() });
    sendBytes(res, 200, json({ access_token: t, token_type: 'Bearer', expires_in: tokenTtlSec }), { 'Cache-Control': 'no-store' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && given.length > 0 && given.length <= 64 && /^[\x21-\x7e]+$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', reqId);
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const isBatch = /\/lo$/.test(path);
    const { buf, size, sha256 } = await readBody(req, isBatch || path.startsWith('/_sim/') ? BATCH_MAX : RECORD_MAX);
    if (path.startsWith('/_sim/')) return admin(req, res, path, buf);
    const base = { reqId };
    if (!path.startsWith(API_PREFIX + '/')) return sendAnswer(res, fail(base, 404, 'KHONG_TIM_THAY'));
    counters.requests += 1;
    const sub = path.slice(API_PREFIX.length);
    const routeKey = `${method} ${sub}`;
    const maint = faults.maintenance();
    if (maint > 0) {
      bump(counters.faults, 'maintenance');
      return sendAnswer(res, { status: 503, body: errBody(base, 'TAM_NGUNG'), headers: { 'Retry-After': String(maint) } });
    }
    if (routeKey === 'POST /oauth/token') return token(res, base, req, buf);

    // authentication
    const auth = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
    if (!auth?.[1]) return sendAnswer(res, { ...fail(base, 401, 'CHUA_XAC_THUC'), headers: { 'WWW-Authenticate': 'Bearer realm="kntc"' } });
    let tok = tokens.get(auth[1]);
    if (tok && tok.exp <= nowMs()) tok = undefined;
    const expiredBy = tok ? faults.tokenExpired(tok.issuedAt) : undefined;
    if (expiredBy) {
      bump(counters.faults, expiredBy);
      tok = undefined;
    }
    if (!tok) tokens.delete(auth[1]);
    const client = tok ? clientById.get(tok.clientId) : undefined;
    if (!client) return sendAnswer(res, { ...fail(base, 401, 'CHUA_XAC_THUC'), headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    const canonCache = new WeakMap<object, string>();
    // the batch envelope composed from its items' canonical forms (envelope → muc → item → duLieu)
    const ctx: Ctx = { client, reqId, canon: (v) => canonicalJsonCached(v, canonCache, 3) };

    // limits (a batch is one request)
    let release = () => {};
    if (limitsOn) {
      const v = limiter.acquire(client.id, {
        ratePerSec: client.ratePerSec ?? limitDefaults.ratePerSec,
        burst: client.burst ?? limitDefaults.burst,
        maxInFlight: client.maxInFlight ?? limitDefaults.maxInFlight,
      });
      if (!v.ok) {
        if (v.cause === 'rate') counters.rateLimited += 1;
        else counters.concurrencyLimited += 1;
        return sendAnswer(res, { ...fail(ctx, 429, 'VUOT_HAN_MUC'), headers: { 'Retry-After': String(v.retryAfterSec) } });
      }
      release = v.release;
    }
    try {
      await authed(req, res, ctx, method, sub, url.searchParams, { buf, size, sha256 });
    } finally {
      release();
    }
  }

  async function authed(req: IncomingMessage, res: ServerResponse, ctx: Ctx, method: string, sub: string, q: URLSearchParams, got: ReadBody): Promise<void> {
    const { buf, size } = got;
    const parts = sub.split('/').filter(Boolean);
    if (method === 'GET' && parts[0] === 'danh-muc' && parts.length === 2) {
      const ten = decodeURIComponent(parts[1] ?? '') as CatalogueName;
      if (!(CATALOGUE_NAMES as readonly string[]).includes(ten)) return sendAnswer(res, fail(ctx, 404, 'KHONG_TIM_THAY'));
      const maTinh = ten === 'xa' ? (q.get('maTinh') ?? undefined) : undefined;
      const lat = faults.latencyMs(`${method} ${sub}`);
      if (lat > 0) await sleep(lat, timers);
      const pre = faults.draw('before', `${method} ${sub}`);
      if (pre) return inject(res, ctx, pre, 'before');
      const c = catalogueAnswer(ten, maTinh);
      const post = faults.draw('after', `${method} ${sub}`);
      if (post) return inject(res, ctx, post, 'after');
      const inm = req.headers['if-none-match'];
      const tags = typeof inm === 'string' ? inm.split(',').map((s) => s.trim().replace(/^W\//, '')) : [];
      if (tags.includes(c.etag) || tags.includes('*')) return sendBytes(res, 304, undefined, { ETag: c.etag });
      return sendBytes(res, 200, c.bytes, { ETag: c.etag, 'Cache-Control': 'no-cache' });
    }
    const r = route(method, sub, q);
    if (!r) return sendAnswer(res, fail(ctx, 404, 'KHONG_TIM_THAY'));
    const routeKey = `${method} ${sub}`;
    const isBatch = parts[1] === 'lo';
    // Too large: the body was not kept whole (readBody stops buffering at the limit), so it is neither parsed nor
    // processed; the 413 is still an answer of processing, stored under the key like the other 4xx (§3).
    const tooLarge = size > (isBatch ? BATCH_MAX : RECORD_MAX);

    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' ? keyHeader : undefined;
    const usesKey = r.needsKey || (key !== undefined && (method === 'PUT' || method === 'DELETE'));
    if (usesKey && (!key || !IDEMPOTENCY_KEY_RE.test(key))) {
      return sendAnswer(res, fail(ctx, 400, 'THIEU_KHOA_LUY_DANG', key ? [{ truong: 'Idempotency-Key', ma: 'SAI_DINH_DANG', thongDiep: 'Khóa phải gồm 1–255 ký tự [A-Za-z0-9._:-]' }] : undefined));
    }
    let body: unknown;
    let bad = false;
    if (buf.length && !tooLarge) {
      try {
        body = JSON.parse(buf.toString('utf8'));
      } catch {
        bad = true;
      }
    }
    let fp = '';
    if (usesKey && key) {
      // a body that is not JSON (or too large to be read whole) is fingerprinted by its bytes
      fp = fingerprint(method, sub, tooLarge || bad || body === undefined ? 'raw:' + got.sha256 : ctx.canon(body));
      const st = isBatch ? idem.beginBatch(ctx.client.id, key, fp) : idem.begin(ctx.client.id, key, fp);
      if (st.state === 'stored') {
        counters.replays += 1;
        return sendBytes(res, st.answer.status, st.answer.body, { 'Idempotent-Replayed': 'true' });
      }
      if (st.state === 'mismatch') return sendAnswer(res, fail(ctx, 422, 'KHOA_TRUNG_NOI_DUNG_KHAC'));
      if (st.state === 'in-flight') return sendAnswer(res, fail(ctx, 409, 'DANG_XU_LY'));
    }
    try {
      if (tooLarge) {
        const a = fail(ctx, 413, 'QUA_KICH_THUOC');
        const bytes = json(a.body);
        if (usesKey && key && !isBatch) idem.store(ctx.client.id, key, { fingerprint: fp, status: 413, contentType: 'application/json; charset=utf-8', body: bytes });
        return sendBytes(res, 413, bytes);
      }
      const lat = faults.latencyMs(routeKey);
      if (lat > 0) await sleep(lat, timers);
      const pre = faults.draw('before', routeKey);
      if (pre) return inject(res, ctx, pre, 'before');
      const a: Answer = bad
        ? fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: '', ma: 'SAI_DINH_DANG', thongDiep: 'Nội dung không phải JSON hợp lệ' }])
        : (method === 'POST' || method === 'PUT') && body === undefined
          ? fail(ctx, 400, 'YEU_CAU_KHONG_HOP_LE', [{ truong: '', ma: 'THIEU_TRUONG', thongDiep: 'Thiếu nội dung yêu cầu' }])
          : r.run(ctx, body, size);
      const bytes = a.bytes ?? (a.body ? json(a.body) : undefined);
      // the batch envelope is never stored: each item is stored under its own khoa
      if (usesKey && key && !isBatch && isStorable(a.status, a.body?.ma as string | undefined)) {
        idem.store(ctx.client.id, key, { fingerprint: fp, status: a.status, contentType: 'application/json; charset=utf-8', body: bytes ?? Buffer.alloc(0) });
      }
      const post = faults.draw('after', routeKey);
      if (post) return inject(res, ctx, post, 'after');
      sendBytes(res, a.status, bytes, a.headers);
    } finally {
      if (usesKey && key) idem.finish(ctx.client.id, key);
    }
  }

  // ------------------------------------------------------------ server
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error({ err: (e as Error).message }, 'simulator request failed');
      if (!res.headersSent && !res.destroyed) sendAnswer(res, fail({ reqId: randomUUID() }, 500, 'LOI_HE_THONG'));
    });
  });
  // Longer than common client idle timeouts, so a client never reuses a socket the server is just closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4010, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostForUrl}:${port}`;
  if (!opts.quiet) log.info({ port, clients: clients.length, reference: reference.origin }, 'national simulator listening');

  let closed = false;
  return {
    baseUrl: origin + API_PREFIX,
    origin,
    port,
    adminToken,
    clients,
    reference,
    setFaults: (f) => faults.set(f),
    getFaults: () => faults.get(),
    inspect,
    reset,
    expireTokens,
    snapshot: writeSnapshot,
    async close() {
      if (closed) return;
      closed = true;
      if (snapshotTimer) clearInterval(snapshotTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of hungSockets) s.destroy();
      hungSockets.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
      writeSnapshot();
    },
  };
}
