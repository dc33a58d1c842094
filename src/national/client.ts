/**
 * National API client (contract v1, ../shared/design/national-api.md) — interface C of the team brief.
 *
 * What it does for every call:
 *  - OAuth2 client-credentials token, cached and refreshed shortly before expiry; concurrent callers share one
 *    token fetch; a 401 fetches a new token and repeats the call ONCE (not counted as an attempt).
 *  - `Idempotency-Key` on every POST except /oauth/token and /tim-trung (and on PUT, harmlessly), derived
 *    deterministically from what is sent (`idempotencyKey()`), so a retry — in this call, in a later job attempt
 *    or after a process restart — carries the same key and the national side replays the stored answer.
 *  - `X-Request-Id` (one correlation id per logical call, the same on each retry).
 *  - Admission control shared by all callers of one client: token bucket (NATIONAL_RATE_LIMIT_RPS /
 *    NATIONAL_RATE_BURST), in-flight cap (NATIONAL_MAX_IN_FLIGHT), and a client-wide pause gate: one 429/503 with
 *    Retry-After pauses EVERY caller of this instance until then. With NATIONAL_LIMIT_SCOPE=redis all three are
 *    shared by every process using the same Redis, KNTC_PREFIX and client id (shared-limiter.ts).
 *  - Per-request timeout (NATIONAL_TIMEOUT_MS) → NETWORK_TIMEOUT; resets → NETWORK_RESET; both retryable.
 *  - Retries with p-retry: exponential (factor 2) backoff with jitter, NATIONAL_RETRIES retries, delays from
 *    NATIONAL_RETRY_MIN_MS capped at NATIONAL_RETRY_MAX_MS, only for errors the taxonomy (errors.ts) calls retryable.
 *  - Logs carry method, path (ids only), status, code, attempt, duration and the request id — never bodies.
 *
 * ## Retry budget
 *
 * Symbols: N = NATIONAL_RETRIES, T = NATIONAL_TIMEOUT_MS, m = NATIONAL_RETRY_MIN_MS, M = NATIONAL_RETRY_MAX_MS,
 * A = JOB_ATTEMPTS, B = JOB_BACKOFF_MS.
 *
 * In one call: N + 1 attempts. Delay before retry i (i = 0..N-1) is p-retry's round(r · m · 2^i), r ∈ [1, 2)
 * (jitter), capped at M, so it lies in [min(m·2^i, M), min(2·m·2^i, M)].
 *
 *   per-call worst case  C = (N + 1) · T + Σ_{i=0}^{N-1} min(2·m·2^i, M)
 *
 * A push job (queues/catalog.ts, `push`) runs up to A attempts; before attempt k+1 (k = 1..A-1) it waits
 * min(B·2^(k-1), 15 min), jittered into [½, 1] of that (and never less than a Retry-After the national side gave), so
 *
 *   per-job worst case   J = A · C + Σ_{k=1}^{A-1} min(B·2^(k-1), 15 min)      (= A · C + B · (2^(A-1) − 1) below the cap)
 *
 * Defaults (N=4, T=10 000, m=250, M=8 000, A=8, B=5 000):
 *   in-call backoffs ≤ 500 + 1 000 + 2 000 + 4 000 = 7 500 ms; C = 5 · 10 000 + 7 500 = 57 500 ms (57.5 s);
 *   HTTP requests per job ≤ A · (N + 1) = 40; job backoffs = 5 000 · 127 = 635 000 ms;
 *   J = 8 · 57 500 + 635 000 = 1 095 000 ms ≈ 18 min 15 s.
 * Not included (they are dictated by the national side or by load, not by us): time spent waiting at the
 * client-wide Retry-After gate or for a rate-limiter/in-flight slot, and token traffic (initial token fetch,
 * and the one 401 refresh + repeat, each ≤ T, per attempt). A job attempt that gets DA_TON_TAI and then updates
 * makes a second call (the DA_TON_TAI answer itself is not retried, so it adds ≤ T + one more C).
 * `retryBudget()` / `retryBudgetFromConfig()` compute the same numbers (a unit test checks this text against them).
 *
 * Batched path (production: push jobs → src/push/batcher.ts BatchSender → batch()): one batch() run sends the items
 * (round 0) and re-sends items answered with a retryable item error for up to N more rounds, each round one call of
 * up to C, with a delay ≤ min(2·m·2^r, M) before round r+1. Unbounded that is (N+1)·C + 7 500 = 295 000 ms per run,
 * and a job attempt (slot wait + run for the create, again for a DA_TON_TAI update) could take 4 · 295 000 ms —
 * far past the push job timeout (5 min). So a run starts a round only if it can end within
 *
 *   β = max(C, ⌊(push timeout − 10 000) / 4⌋)          (defaults: β = 72 500 ms)
 *
 * of its start (`batchBudgetMs`), and a job attempt takes ≤ 4 · β = 290 000 ms < 300 000 ms. Per record: ≤ (N+1)² = 25
 * requests per run, 50 per attempt, 400 per job. Derivation and table: docs/retry-budget.md.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import pRetry from 'p-retry';
import { z } from 'zod';
import { getConfig, Secret, type Config } from '../../config/index.js';
import { logger as rootLogger, type Logger } from '../log/logger.js';
import { canonicalJson, canonicalJsonCached, bamNoiDung, LINKAGE_PLACEHOLDER } from '../contract/hash.js';
export { isLinkagePlaceholder, LINKAGE_PLACEHOLDER } from '../contract/hash.js';
import {
  BatchResponse,
  Catalogue as CatalogueSchema,
  IDEMPOTENCY_KEY_RE,
  LienKet as LienKetSchema,
  NATIONAL_ID_FIELD,
  SOURCE_ID_FIELD,
  TimTrungResponse,
  TokenResponse,
  type Candidate,
  type Catalogue,
  type CatalogueName,
  type HoSoDon,
  type LienKet,
  type LienKetRequest,
  type LuotTiep,
  type RecordKind,
  type TimTrungRequest,
} from '../contract/schemas.js';
import { NationalError, errorFromResponse, parseRetryAfter } from './errors.js';
import type { Redis } from 'ioredis';
import { Limiter, type AdmissionControl } from './limiter.js';
import { SharedLimiter } from './shared-limiter.js';
import { queueSpecs } from '../../queues/catalog.js';

export { NationalError } from './errors.js';

// ---------------------------------------------------------------------------------------------------------------
// Types

export interface WriteResult {
  nationalId: string;
  phienBanNguon: number;
  bamNoiDung: string;
  capNhatLuc: string;
  /** The national side answered from its idempotency store (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

export type WriteOp = 'create' | 'update';
export type RecordBody = HoSoDon | LuotTiep;

export interface BatchInput {
  op: WriteOp;
  body: RecordBody;
  nationalId?: string;
  /** JSON.stringify(body), when the caller already has it (the batching sender does; it is sent as is). */
  json?: string;
  /** contentDigest's base hash of the body, when the caller knows it. */
  baseHash?: string;
}

/** One listing row, with the national and source ids normalized across kinds (the raw fields are kept). */
export interface ListingItem {
  nationalId: string;
  maNguon: string;
  maDonVi: string;
  phienBanNguon: number;
  bamNoiDung: string;
  trangThai: 'HOAT_DONG' | 'DA_HUY';
  capNhatLuc: string;
  [field: string]: unknown;
}

export interface NationalClientOptions {
  /** e.g. http://127.0.0.1:4010/api/v1 */
  baseUrl: string;
  clientId: string;
  clientSecret: string | Secret;
  timeoutMs: number;
  rateLimitRps: number;
  rateBurst: number;
  maxInFlight: number;
  retries: number;
  retryMinMs: number;
  retryMaxMs: number;
  logger: Logger;
  /** Items per /lo call (≤ 100, contract §1). */
  batchSize: number;
  /** Bytes of JSON per /lo call (contract: ≤ 5 MiB). */
  batchMaxBytes: number;
  /**
   * Time budget of one batch() run (β, docs/retry-budget.md): an item round starts only if it can end within β
   * of the run's start, so a push job attempt stays inside the push job timeout. From a Config: derived from the
   * push queue's timeout; absent: no bound.
   */
  batchBudgetMs?: number;
  /** Page size of listings (1–1000). */
  pageSize: number;
  /**
   * Where the limits above live (NATIONAL_LIMIT_SCOPE): `redis` = shared by every process using the same Redis,
   * limitPrefix and clientId (shared-limiter.ts); `process` = this instance only. From a Config: the setting; from a
   * bare options object: `process` unless limitRedis is given.
   */
  limitScope?: 'redis' | 'process';
  /** Redis connection for the shared limits (borrowed, not closed); default: the client's own to redisUrl. */
  limitRedis?: Redis;
  redisUrl?: string;
  /** KNTC_PREFIX of the shared limits' keys. */
  limitPrefix?: string;
}

export interface CallOptions {
  /** Correlation id sent as X-Request-Id (≤ 64 of [A-Za-z0-9._:-]); default: a fresh one per call. */
  requestId?: string;
  /** write(): contentDigest's base hash of the body, when the caller knows it. */
  baseHash?: string;
}

export interface ConditionalCatalogue {
  /** 200: `catalogue` is new; 304: not modified (`catalogue` absent). */
  status: 200 | 304;
  etag?: string;
  catalogue?: Catalogue;
}

export interface NationalClientStats {
  /** HTTP requests sent (including token requests and retries). */
  requests: number;
  /** In-call retries scheduled. */
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  /** 503 answers. */
  unavailable: number;
  /** Other 5xx answers. */
  serverErrors: number;
  timeouts: number;
  resets: number;
  networkErrors: number;
  /** Token fetches (the first one included). */
  tokenFetches: number;
  /** 401-triggered token refreshes. */
  tokenRefreshes: number;
  /** Answers with Idempotent-Replayed: true. */
  replayed: number;
  /** Batch items re-sent after a retryable item error. */
  itemRetries: number;
  /** Requests currently in flight / waiting for a slot. */
  inFlight: number;
  waiting: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys

const sha24 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 24);
const keyPart = (v: unknown): string => String(v ?? '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || '_';
const clampKey = (k: string): string => (k.length <= 255 ? k : `${k.slice(0, 230)}:${sha24(k)}`);

/**
 * What the content part of a write's key is made of: sha24(JCS(body)) for a luot-tiep; for a ho-so-don
 * sha24(bamNoiDung(body with the placeholder linkage features) + '|' + JCS(its linkage features)), so the push
 * path, which already holds the mapped body's bamNoiDung (`baseHash`), does not serialise the whole body again.
 * Either way a function of exactly what is sent: same body → same digest, any other body → another.
 */
export function contentDigest(kind: RecordKind, body: RecordBody, baseHash?: string): string {
  if (kind !== 'ho-so-don') return sha24(canonicalJson(body));
  const b = body as unknown as Record<string, unknown>;
  const base = baseHash ?? bamNoiDung({ ...b, dacTrungLienKet: LINKAGE_PLACEHOLDER });
  return sha24(`${base}|${canonicalJsonCached(b.dacTrungLienKet ?? null, undefined, 3)}`);
}

/**
 * Deterministic Idempotency-Key of one write: `${kind}:${op}:${maDonVi}:${maNguon}:v${phienBanNguon}:${contentDigest}`
 * (the national id of an update is not part of it: it is fixed by (maDonVi, maNguon) anyway).
 * Same logical write → same key, across retries, job attempts and restarts; any change of body or version → new key.
 * `baseHash`: contentDigest's base hash when the caller knows it (it must be the right one: tests check the
 * push path's against the computed value).
 */
export function idempotencyKey(kind: RecordKind, op: WriteOp, body: RecordBody, nationalId?: string, baseHash?: string): string {
  void nationalId;
  const b = body as unknown as Record<string, unknown>;
  const maNguon = b[SOURCE_ID_FIELD[kind]];
  return clampKey(`${kind}:${op}:${keyPart(b.maDonVi)}:${keyPart(maNguon)}:v${keyPart(b.phienBanNguon)}:${contentDigest(kind, body, baseHash)}`);
}

/** Key of a cancel (`POST /{kind}/{id}/huy`). */
export function cancelKey(kind: RecordKind, nationalId: string, lyDo: string): string {
  return clampKey(`${kind}:huy:${keyPart(nationalId)}:${sha24(canonicalJson({ lyDo }))}`);
}

/** Key of a link (`POST /ho-so-don/{maHoSo}/lien-ket-trung`). */
export function linkKey(maHoSo: string, req: LienKetRequest): string {
  return clampKey(`lien-ket:${keyPart(maHoSo)}:${keyPart(req.maHoSoKhac)}:${sha24(canonicalJson(req))}`);
}

/**
 * Key of a whole /lo call: `${kind}:lo:<n>:<sha256 of the ordered item entries>`, an entry being the item's key
 * (`khoa`) plus `@<national id>` for an update. The entries fix the envelope body (khoa covers op, version and
 * content), so the same items in the same order → the same key, in this process or after a restart, and a
 * different set or order → another key: the national rule "same key, other body → 422" can never fire.
 */
export function batchKey(kind: RecordKind, itemKeys: readonly string[]): string {
  return `${kind}:lo:${itemKeys.length}:${createHash('sha256').update(itemKeys.join('\n'), 'utf8').digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Retry budget

export interface RetryBudgetInput {
  retries: number;
  retryMinMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  jobAttempts: number;
  jobBackoffMs: number;
  /** Cap of one job backoff delay (push queue: 15 min). */
  jobMaxBackoffMs?: number;
  /** Timeout of one push job attempt (push queue: 5 min); gives the batch time budget. */
  jobTimeoutMs?: number;
}

export interface RetryBudget {
  attemptsPerCall: number;
  /** [lower, upper] bound of the delay before in-call retry i. */
  backoffBoundsMs: [number, number][];
  backoffWorstMs: number;
  perCallWorstMs: number;
  requestsPerJobWorst: number;
  jobBackoffsMs: number[];
  jobBackoffWorstMs: number;
  perJobWorstMs: number;
  // ---- batched path (BatchSender → batch()), see docs/retry-budget.md
  /** Item rounds of one batch() run: the first send and up to N re-sends of items answered with a retryable error. */
  batchRoundsMax: number;
  /** Upper bound of the delay before item round r+1. */
  roundBackoffsMs: number[];
  /** One batch() run if its rounds were not bounded: (N+1)·C + Σ round backoffs. */
  perBatchUnboundedWorstMs: number;
  /** β: a batch() run starts an item round only if it can end within β of the run's start (undefined: no bound). */
  batchBudgetMs: number | undefined;
  /** One batch() run: max(β, C) when bounded. */
  perBatchWorstMs: number;
  /** One job attempt (create, then DA_TON_TAI → update), each send waiting first for a BatchSender slot. */
  perAttemptWorstMs: number;
  /** The same when both sends go alone through write(): 2 · (slot wait β + C). */
  perAttemptSingleWorstMs: number;
  perAttemptUnboundedWorstMs: number;
  /** A · perAttemptWorstMs + job backoffs. */
  perJobBatchedWorstMs: number;
  /** HTTP requests carrying one record: in one batch() run, one job attempt, one job (token requests not counted). */
  requestsPerBatchRunWorst: number;
  requestsPerAttemptWorst: number;
  requestsPerJobBatchedWorst: number;
}

/** Kept free in a push job attempt for ledger writes and the after-push hook. */
export const PUSH_ATTEMPT_MARGIN_MS = 10_000;

/** The documented retry budget (see the header of this file) for a set of settings. */
export function retryBudget(i: RetryBudgetInput): RetryBudget {
  const backoffBoundsMs: [number, number][] = [];
  for (let k = 0; k < i.retries; k++) {
    backoffBoundsMs.push([Math.min(i.retryMinMs * 2 ** k, i.retryMaxMs), Math.min(2 * i.retryMinMs * 2 ** k, i.retryMaxMs)]);
  }
  const backoffWorstMs = backoffBoundsMs.reduce((s, [, hi]) => s + hi, 0);
  const attemptsPerCall = i.retries + 1;
  const perCallWorstMs = attemptsPerCall * i.timeoutMs + backoffWorstMs;
  const jobBackoffsMs: number[] = [];
  for (let k = 1; k < i.jobAttempts; k++) jobBackoffsMs.push(Math.min(i.jobBackoffMs * 2 ** (k - 1), i.jobMaxBackoffMs ?? Number.POSITIVE_INFINITY));
  const jobBackoffWorstMs = jobBackoffsMs.reduce((s, d) => s + d, 0);
  // batched path: rounds 0..N, round r+1 after min(round(r'·m·2^r), M), r' ∈ [1, 2)
  const batchRoundsMax = i.retries + 1;
  const roundBackoffsMs = backoffBoundsMs.map(([, hi]) => hi);
  const perBatchUnboundedWorstMs = batchRoundsMax * perCallWorstMs + roundBackoffsMs.reduce((s, d) => s + d, 0);
  // 4 stretches fit in one attempt: (slot wait + call) for the create and again for the DA_TON_TAI update
  const batchBudgetMs = i.jobTimeoutMs !== undefined ? Math.max(perCallWorstMs, Math.floor((i.jobTimeoutMs - PUSH_ATTEMPT_MARGIN_MS) / 4)) : undefined;
  const perBatchWorstMs = batchBudgetMs !== undefined ? Math.max(batchBudgetMs, perCallWorstMs) : perBatchUnboundedWorstMs;
  const perAttemptWorstMs = 2 * (perBatchWorstMs + perBatchWorstMs);
  const requestsPerBatchRunWorst = batchRoundsMax * attemptsPerCall;
  return {
    attemptsPerCall,
    backoffBoundsMs,
    backoffWorstMs,
    perCallWorstMs,
    requestsPerJobWorst: i.jobAttempts * attemptsPerCall,
    jobBackoffsMs,
    jobBackoffWorstMs,
    perJobWorstMs: i.jobAttempts * perCallWorstMs + jobBackoffWorstMs,
    batchRoundsMax,
    roundBackoffsMs,
    perBatchUnboundedWorstMs,
    batchBudgetMs,
    perBatchWorstMs,
    perAttemptWorstMs,
    perAttemptSingleWorstMs: 2 * (perBatchWorstMs + perCallWorstMs),
    perAttemptUnboundedWorstMs: 2 * (perBatchUnboundedWorstMs + perBatchUnboundedWorstMs),
    perJobBatchedWorstMs: i.jobAttempts * perAttemptWorstMs + jobBackoffWorstMs,
    requestsPerBatchRunWorst,
    requestsPerAttemptWorst: 2 * requestsPerBatchRunWorst,
    requestsPerJobBatchedWorst: i.jobAttempts * 2 * requestsPerBatchRunWorst,
  };
}

/** The budget for a configuration, with the push queue's actual retry policy (queues/catalog.ts). */
export function retryBudgetFromConfig(c: Config): RetryBudget {
  const push = queueSpecs(c).push;
  return retryBudget({
    retries: c.NATIONAL_RETRIES,
    retryMinMs: c.NATIONAL_RETRY_MIN_MS,
    retryMaxMs: c.NATIONAL_RETRY_MAX_MS,
    timeoutMs: c.NATIONAL_TIMEOUT_MS,
    jobAttempts: push.attempts,
    jobBackoffMs: push.backoffMs,
    jobMaxBackoffMs: push.maxBackoffMs,
    jobTimeoutMs: push.timeoutMs,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Options

function isConfig(c: unknown): c is Config {
  return typeof c === 'object' && c !== null && 'NATIONAL_API_URL' in c;
}

export function optionsFromConfig(c: Config): NationalClientOptions {
  return {
    baseUrl: c.NATIONAL_API_URL,
    clientId: c.NATIONAL_CLIENT_ID,
    clientSecret: c.NATIONAL_CLIENT_SECRET,
    timeoutMs: c.NATIONAL_TIMEOUT_MS,
    rateLimitRps: c.NATIONAL_RATE_LIMIT_RPS,
    rateBurst: c.NATIONAL_RATE_BURST,
    maxInFlight: c.NATIONAL_MAX_IN_FLIGHT,
    retries: c.NATIONAL_RETRIES,
    retryMinMs: c.NATIONAL_RETRY_MIN_MS,
    retryMaxMs: c.NATIONAL_RETRY_MAX_MS,
    logger: rootLogger(),
    batchSize: 100,
    batchMaxBytes: 4.5 * 1024 * 1024,
    pageSize: 500,
    batchBudgetMs: retryBudgetFromConfig(c).batchBudgetMs,
    limitScope: c.NATIONAL_LIMIT_SCOPE,
    redisUrl: c.REDIS_URL,
    limitPrefix: c.KNTC_PREFIX,
  };
}

/** `extra` goes on top of either form (the worker hands in its Redis connection as limitRedis). */
export function createNationalClient(cfg: Config | Partial<NationalClientOptions> = {}, extra: Partial<NationalClientOptions> = {}): NationalClient {
  if (isConfig(cfg)) return new NationalClient({ ...optionsFromConfig(cfg), ...extra });
  const given = { ...cfg, ...extra };
  const limitScope = given.limitScope ?? (given.limitRedis ? 'redis' : 'process');
  return new NationalClient({ ...optionsFromConfig(getConfig()), ...given, limitScope });
}

/** The admission control of one client: in-process, or shared through Redis (leases live timeout + 5 s). */
function makeLimiter(o: NationalClientOptions, log: Logger): AdmissionControl {
  if (o.limitScope !== 'redis') return new Limiter(o.rateLimitRps, o.rateBurst, o.maxInFlight);
  return new SharedLimiter({
    ...(o.limitRedis ? { redis: o.limitRedis } : { redisUrl: o.redisUrl ?? 'redis://127.0.0.1:6379' }),
    prefix: o.limitPrefix ?? 'kntc',
    clientId: o.clientId,
    rps: o.rateLimitRps,
    burst: o.rateBurst,
    maxInFlight: o.maxInFlight,
    leaseMs: o.timeoutMs + 5000,
    logger: log,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Client

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  idemKey?: string;
  /** Extra request headers (If-None-Match). */
  headers?: Record<string, string>;
  requestId: string;
  /** Statuses that are not errors for this call besides 2xx (304). */
  okStatuses?: number[];
}

const LenientWrite = z.looseObject({ phienBanNguon: z.number().int(), bamNoiDung: z.string(), capNhatLuc: z.string() });
const LenientLink = z.looseObject({ maLienKet: z.string() });
const ListingPage = z.object({ duLieu: z.array(z.looseObject({ capNhatLuc: z.string() })), tiepTheo: z.string().nullable().optional() });
const LinkPage = z.object({ duLieu: z.array(z.looseObject({ maLienKet: z.string(), capNhatLuc: z.string() })), tiepTheo: z.string().nullable().optional() });
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_PAGES = 100_000;

export class NationalClient {
  readonly options: Readonly<NationalClientOptions>;
  private readonly base: string;
  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly limiter: AdmissionControl;
  private readonly log: Logger;
  private token: { value: string; refreshAt: number } | undefined;
  private tokenPending: Promise<string> | undefined;
  private readonly catCache = new Map<string, { etag: string; catalogue: Catalogue }>();
  private readonly counters = {
    requests: 0, retries: 0, rateLimited: 0, unavailable: 0, serverErrors: 0, timeouts: 0, resets: 0, networkErrors: 0,
    tokenFetches: 0, tokenRefreshes: 0, replayed: 0, itemRetries: 0,
  };
  private closed = false;

  constructor(options: NationalClientOptions) {
    if (options.batchSize < 1 || options.batchSize > 100) throw new RangeError('batchSize must be 1..100');
    this.options = Object.freeze({ ...options });
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, options.maxInFlight) });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Math.max(1, options.maxInFlight) });
    this.http = axios.create({
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      // send() serializes every body itself; axios' default would JSON.parse a string body again to "check" it
      transformRequest: [(d: unknown) => d],
      maxRedirects: 0,
      proxy: false,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
    });
    this.log = options.logger.child({ component: 'national-client' });
    this.limiter = makeLimiter(this.options, this.log);
  }

  // ------------------------------------------------------------------ records

  /** Create (POST) or full-replace (PUT) one record. Throws NationalError (DA_TON_TAI carries body.maHoSo/maLuotTiep + phienBanNguon). */
  async write(kind: RecordKind, op: WriteOp, body: RecordBody, nationalId?: string, opts: CallOptions = {}): Promise<WriteResult> {
    if (op === 'update' && !nationalId) throw new TypeError('update needs the national id');
    const res = await this.call({
      method: op === 'create' ? 'POST' : 'PUT',
      path: op === 'create' ? `/${kind}` : `/${kind}/${encodeURIComponent(nationalId!)}`,
      body,
      idemKey: idempotencyKey(kind, op, body, nationalId, opts.baseHash),
      requestId: this.requestId(opts),
    });
    return this.toWriteResult(kind, res.json, res.headers['idempotent-replayed'] === 'true', nationalId, res.headers['x-request-id']);
  }

  /**
   * Write many records through `/{kind}/lo`: split into calls of ≤ batchSize items (and ≤ batchMaxBytes),
   * each item carrying its own key (`khoa` = idempotencyKey of that item). Results are in input order:
   * a WriteResult or a NationalError per item.
   *  - A whole call that fails (transport, 5xx, 429) is retried like any call (same envelope key); if it still
   *    fails, or fails for good (413, 400 …), each of its items gets that NationalError. This method does not throw.
   *  - Items answered with a retryable error (item 5xx, DANG_XU_LY) are re-sent — alone, in a new /lo call — for up
   *    to `retries` rounds with the same backoff as in-call retries, keeping their `khoa`, so an item that was
   *    applied before its answer was lost gets its stored answer back. A round starts only if it can end within
   *    `batchBudgetMs` of the start of this run (docs/retry-budget.md); items left then keep their retryable error.
   * The envelope's Idempotency-Key is `batchKey()`: a function of the items sent (same items → same key across
   * retries, job attempts and restarts; another set → another key). A server that stores envelope answers (the
   * contract lets it; the simulator does not) may then replay an earlier envelope whose item errors are stale: items
   * with a retryable error in a replayed envelope (`Idempotent-Replayed: true`) are re-sent as single writes under
   * their own key, which the server processes (5xx answers are never stored).
   */
  async batch(kind: RecordKind, items: BatchInput[], opts: CallOptions = {}): Promise<(WriteResult | NationalError)[]> {
    const idField = NATIONAL_ID_FIELD[kind];
    const prepared = items.map((it) => {
      if (it.op === 'update' && !it.nationalId) throw new TypeError('update needs the national id');
      const khoa = idempotencyKey(kind, it.op, it.body, it.nationalId, it.baseHash);
      // the item's JSON as JSON.stringify({ khoa, thaoTac, [idField], duLieu }) writes it, the body serialized
      // once (or taken as the caller serialized it): it gives the size and goes into the envelope as is
      const muc = `{"khoa":${JSON.stringify(khoa)},"thaoTac":"${it.op === 'create' ? 'TAO' : 'CAP_NHAT'}"${it.op === 'update' ? `,${JSON.stringify(idField)}:${JSON.stringify(it.nationalId)}` : ''},"duLieu":${it.json ?? JSON.stringify(it.body)}}`;
      return { muc, khoa, size: Buffer.byteLength(muc) + 1, nationalId: it.nationalId };
    });
    const out: (WriteResult | NationalError)[] = new Array(items.length);
    const requestId = this.requestId(opts);
    const started = performance.now();
    const budget = this.options.batchBudgetMs;
    const o = this.options;
    const callWorstMs = retryBudget({ retries: o.retries, retryMinMs: o.retryMinMs, retryMaxMs: o.retryMaxMs, timeoutMs: o.timeoutMs, jobAttempts: 1, jobBackoffMs: 0 }).perCallWorstMs;
    // the envelope entry of an item: its key, and the national id of an update (it is in the body too)
    const entry = (i: number) => (prepared[i]!.nationalId ? `${prepared[i]!.khoa}@${prepared[i]!.nationalId}` : prepared[i]!.khoa);
    let pending = prepared.map((_, i) => i);
    let single = new Set<number>();
    for (let round = 0; pending.length > 0; round++) {
      const chunks = this.chunk(pending.filter((i) => !single.has(i)), (i) => prepared[i]!.size);
      const again: number[] = [];
      const stale = new Set<number>();
      const rid = (n: number | string) => (chunks.length > 1 || round > 0 ? `${requestId}.${round}.${n}`.slice(0, 64) : requestId);
      await Promise.all([
        ...chunks.map((idx, n) => this.sendChunk(kind, idx, prepared, out, again, { key: batchKey(kind, idx.map(entry)), requestId: rid(n) }, stale)),
        ...[...single].map(async (i) => {
          const it = items[i]!;
          try {
            out[i] = await this.write(kind, it.op, it.body, it.nationalId, { requestId: rid(`s${i}`) });
          } catch (e) {
            const err = e instanceof NationalError ? e : new NationalError('NETWORK_ERROR', { cause: e, context: `write ${kind}` });
            out[i] = err;
            if (err.retryable) again.push(i);
          }
        }),
      ]);
      if (again.length === 0 || round >= this.options.retries || this.closed) break;
      const delay = Math.min(Math.round((Math.random() + 1) * this.options.retryMinMs * 2 ** round), this.options.retryMaxMs);
      if (budget !== undefined && performance.now() - started + delay + callWorstMs > budget) {
        // another round could outlast the push job attempt: leave these items with their retryable error (the job retries)
        this.log.debug({ requestId, items: again.length, round, budget }, 'batch time budget spent, not retrying items in this call');
        break;
      }
      this.counters.itemRetries += again.length;
      this.log.debug({ requestId, items: again.length, round, delay, single: stale.size }, 'retrying batch items');
      await new Promise((r) => setTimeout(r, delay));
      pending = again.sort((a, b) => a - b);
      single = stale;
    }
    return out;
  }

  private chunk(indices: number[], sizeOf: (i: number) => number): number[][] {
    const chunks: number[][] = [];
    let cur: number[] = [];
    let curBytes = 16;
    for (const i of indices) {
      const size = sizeOf(i);
      if (cur.length > 0 && (cur.length >= this.options.batchSize || curBytes + size > this.options.batchMaxBytes)) {
        chunks.push(cur);
        cur = [];
        curBytes = 16;
      }
      cur.push(i);
      curBytes += size;
    }
    if (cur.length) chunks.push(cur);
    return chunks;
  }

  private async sendChunk(
    kind: RecordKind,
    idx: number[],
    prepared: { muc: string; khoa: string; nationalId?: string | undefined }[],
    out: (WriteResult | NationalError)[],
    again: number[],
    call: { key: string; requestId: string },
    stale: Set<number>,
  ): Promise<void> {
    const keys = idx.map((i) => prepared[i]!.khoa);
    try {
      const res = await this.call({ method: 'POST', path: `/${kind}/lo`, body: `{"muc":[${idx.map((i) => prepared[i]!.muc).join(',')}]}`, idemKey: call.key, requestId: call.requestId });
      const parsed = BatchResponse.safeParse(res.json);
      if (!parsed.success || parsed.data.ketQua.length !== idx.length) {
        throw new NationalError('BAD_RESPONSE', { status: res.status, context: `POST /${kind}/lo`, retryable: true });
      }
      const ketQua = parsed.data.ketQua;
      const byKey = new Map(ketQua.map((r) => [r.khoa, r]));
      const rid = res.headers['x-request-id'];
      const envelopeReplayed = res.headers['idempotent-replayed'] === 'true';
      idx.forEach((i, j) => {
        const r = ketQua[j]!.khoa === keys[j] ? ketQua[j]! : byKey.get(keys[j]!);
        if (!r) {
          out[i] = new NationalError('BAD_RESPONSE', { context: `POST /${kind}/lo item`, retryable: true });
        } else if (r.trangThai >= 200 && r.trangThai < 300) {
          try {
            out[i] = this.toWriteResult(kind, r.duLieu, res.headers['idempotent-replayed'] === 'true', prepared[i]!.nationalId, rid);
          } catch (e) {
            out[i] = e instanceof NationalError ? e : new NationalError('BAD_RESPONSE', { cause: e });
          }
        } else {
          const err = errorFromResponse(r.trangThai, r.loi, { context: `POST /${kind}/lo item`, ...(rid ? { requestId: rid } : {}) });
          out[i] = err;
          if (err.retryable) {
            again.push(i);
            // a replayed envelope's item error may be stale: re-send that item under its own key, not in a /lo again
            if (envelopeReplayed) stale.add(i);
          }
        }
      });
    } catch (e) {
      const err = e instanceof NationalError ? e : new NationalError('NETWORK_ERROR', { cause: e, context: `POST /${kind}/lo` });
      for (const i of idx) out[i] = err;
    }
  }

  async get(kind: RecordKind, nationalId: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const res = await this.call({ method: 'GET', path: `/${kind}/${encodeURIComponent(nationalId)}`, requestId: this.requestId(opts) });
    if (typeof res.json !== 'object' || res.json === null || Array.isArray(res.json)) {
      throw new NationalError('BAD_RESPONSE', { status: res.status, context: `GET /${kind}/{id}` });
    }
    return res.json as Record<string, unknown>;
  }

  async cancel(kind: RecordKind, nationalId: string, lyDo: string, opts: CallOptions = {}): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/${kind}/${encodeURIComponent(nationalId)}/huy`,
      body: { lyDo },
      idemKey: cancelKey(kind, nationalId, lyDo),
      requestId: this.requestId(opts),
    });
  }

  /** Walk a listing (`GET /{kind}?maDonVi=…`) following `tiepTheo`; repeats of the same (id, capNhatLuc) are skipped. */
  async *list(kind: RecordKind, q: { maDonVi: string; capNhatTu?: string; pageSize?: number }, opts: CallOptions = {}): AsyncIterable<ListingItem> {
    const idField = NATIONAL_ID_FIELD[kind];
    const srcField = SOURCE_ID_FIELD[kind];
    const requestId = this.requestId(opts);
    for await (const row of this.walk(`/${kind}`, { maDonVi: q.maDonVi, capNhatTu: q.capNhatTu, gioiHan: q.pageSize ?? this.options.pageSize }, ListingPage, idField, requestId)) {
      const item = { ...row, nationalId: row[idField], maNguon: row[srcField] } as ListingItem;
      yield item;
    }
  }

  async timTrung(req: TimTrungRequest, opts: CallOptions = {}): Promise<{ ungVien: Candidate[]; conNua: boolean }> {
    const res = await this.call({ method: 'POST', path: '/ho-so-don/tim-trung', body: req, requestId: this.requestId(opts) });
    const parsed = TimTrungResponse.safeParse(res.json);
    if (!parsed.success) throw new NationalError('BAD_RESPONSE', { status: res.status, context: 'POST /ho-so-don/tim-trung' });
    return parsed.data;
  }

  async link(maHoSo: string, req: LienKetRequest, opts: CallOptions = {}): Promise<LienKet> {
    const res = await this.call({
      method: 'POST',
      path: `/ho-so-don/${encodeURIComponent(maHoSo)}/lien-ket-trung`,
      body: req,
      idemKey: linkKey(maHoSo, req),
      requestId: this.requestId(opts),
    });
    const strict = LienKetSchema.safeParse(res.json);
    if (strict.success) return strict.data;
    const lenient = LenientLink.safeParse(res.json);
    if (!lenient.success) throw new NationalError('BAD_RESPONSE', { status: res.status, context: 'POST /ho-so-don/{id}/lien-ket-trung' });
    return lenient.data as unknown as LienKet;
  }

  async unlink(maHoSo: string, maLienKet: string, opts: CallOptions = {}): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/ho-so-don/${encodeURIComponent(maHoSo)}/lien-ket-trung/${encodeURIComponent(maLienKet)}`,
      requestId: this.requestId(opts),
    });
  }

  async *listLinks(q: { maDonVi: string; capNhatTu?: string; pageSize?: number }, opts: CallOptions = {}): AsyncIterable<LienKet> {
    const requestId = this.requestId(opts);
    for await (const row of this.walk('/lien-ket-trung', { maDonVi: q.maDonVi, capNhatTu: q.capNhatTu, gioiHan: q.pageSize ?? this.options.pageSize }, LinkPage, 'maLienKet', requestId)) {
      yield row as unknown as LienKet;
    }
  }

  /** A catalogue, with ETag/If-None-Match caching in this client instance (304 → the cached body). */
  async catalogue(name: CatalogueName, q: { maTinh?: string } = {}, opts: CallOptions = {}): Promise<Catalogue> {
    const cacheKey = `${name}?${q.maTinh ?? ''}`;
    const cached = this.catCache.get(cacheKey);
    const r = await this.catalogueConditional(name, cached?.etag, q, opts);
    if (r.status === 304) {
      if (!cached) throw new NationalError('BAD_RESPONSE', { status: 304, context: `GET /danh-muc/${name}` });
      return cached.catalogue;
    }
    if (r.etag) this.catCache.set(cacheKey, { etag: r.etag, catalogue: r.catalogue! });
    return r.catalogue!;
  }

  /** Conditional GET of a catalogue with a caller-held ETag (used by CatalogueStore, which keeps ETags in Redis). */
  async catalogueConditional(name: CatalogueName, etag: string | undefined, q: { maTinh?: string } = {}, opts: CallOptions = {}): Promise<ConditionalCatalogue> {
    const res = await this.call({
      method: 'GET',
      path: `/danh-muc/${encodeURIComponent(name)}`,
      query: { maTinh: q.maTinh },
      ...(etag ? { headers: { 'If-None-Match': etag } } : {}),
      okStatuses: etag ? [304] : [],
      requestId: this.requestId(opts),
    });
    if (res.status === 304) return { status: 304, ...(etag ? { etag } : {}) };
    const parsed = CatalogueSchema.safeParse(res.json);
    if (!parsed.success) throw new NationalError('BAD_RESPONSE', { status: res.status, context: `GET /danh-muc/${name}` });
    const newTag = res.headers.etag;
    return { status: 200, catalogue: parsed.data, ...(newTag ? { etag: newTag } : {}) };
  }

  stats(): NationalClientStats {
    return { ...this.counters, inFlight: this.limiter.active, waiting: this.limiter.waiting };
  }

  /** Milliseconds the client-wide Retry-After gate is still closed. */
  pausedForMs(): number {
    return this.limiter.pausedFor();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.limiter.close();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ------------------------------------------------------------------ internals

  private requestId(opts: CallOptions): string {
    if (opts.requestId && REQUEST_ID_RE.test(opts.requestId)) return opts.requestId;
    return `kntc-${randomUUID()}`;
  }

  private toWriteResult(kind: RecordKind, json: unknown, replayed: boolean, nationalId: string | undefined, requestId?: string): WriteResult {
    const parsed = LenientWrite.safeParse(json);
    const id = parsed.success ? parsed.data[NATIONAL_ID_FIELD[kind]] ?? nationalId : undefined;
    if (!parsed.success || typeof id !== 'string') {
      throw new NationalError('BAD_RESPONSE', { context: `write ${kind}`, ...(requestId ? { requestId } : {}) });
    }
    if (replayed) this.counters.replayed++;
    return { nationalId: id, phienBanNguon: parsed.data.phienBanNguon, bamNoiDung: parsed.data.bamNoiDung, capNhatLuc: parsed.data.capNhatLuc, replayed };
  }

  private async *walk<T extends { capNhatLuc: string }>(
    path: string,
    query: Record<string, string | number | undefined>,
    schema: z.ZodType<{ duLieu: T[]; tiepTheo?: string | null | undefined }>,
    idField: string,
    requestId: string,
  ): AsyncIterable<T> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.call({ method: 'GET', path, query: { ...query, sau: cursor }, requestId });
      const parsed = schema.safeParse(res.json);
      if (!parsed.success) throw new NationalError('BAD_RESPONSE', { status: res.status, context: `GET ${path}` });
      for (const row of parsed.data.duLieu) {
        const id = (row as Record<string, unknown>)[idField];
        if (typeof id !== 'string') throw new NationalError('BAD_RESPONSE', { status: res.status, context: `GET ${path}` });
        const k = `${id}\u0000${row.capNhatLuc}`;
        if (seen.has(k)) continue;
        seen.add(k);
        yield row;
      }
      const next = parsed.data.tiepTheo ?? null;
      if (next === null || next === '') return;
      if (next === cursor) throw new NationalError('BAD_RESPONSE', { status: res.status, context: `GET ${path} (cursor does not advance)`, retryable: false });
      cursor = next;
    }
    throw new NationalError('BAD_RESPONSE', { context: `GET ${path} (too many pages)`, retryable: false });
  }

  /** One logical call: retries (p-retry) around one attempt; an attempt = token + request (+ one 401 refresh + repeat). */
  private async call(spec: RequestSpec): Promise<RawResponse> {
    if (this.closed) throw new Error('national client closed');
    const ctx = `${spec.method} ${spec.path}`;
    return pRetry(
      async (attempt) => {
        const res = await this.sendAuthed(spec, attempt);
        if ((res.status >= 200 && res.status < 300) || spec.okStatuses?.includes(res.status)) return res;
        const rid = res.headers['x-request-id'] ?? spec.requestId;
        throw errorFromResponse(res.status, res.json, { retryAfter: res.headers['retry-after'], requestId: rid, context: ctx });
      },
      {
        retries: this.options.retries,
        factor: 2,
        minTimeout: this.options.retryMinMs,
        maxTimeout: this.options.retryMaxMs,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof NationalError && error.retryable && !this.closed,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          const e = error as NationalError;
          const willRetry = e instanceof NationalError && e.retryable && retriesLeft > 0 && !this.closed;
          if (willRetry) this.counters.retries++;
          this.log[willRetry ? 'debug' : e.retryable ? 'warn' : 'info'](
            { requestId: spec.requestId, method: spec.method, path: spec.path, attempt: attemptNumber, code: e.code ?? e.name, status: e.status, retryable: e.retryable, willRetry },
            willRetry ? 'national call failed, retrying' : 'national call failed',
          );
        },
      },
    );
  }

  /** Send with the bearer token; on 401 refresh the token once and repeat (inside the same attempt). */
  private async sendAuthed(spec: RequestSpec, attempt: number): Promise<RawResponse> {
    const token = await this.getToken(spec.requestId);
    const res = await this.send(spec, attempt, token);
    if (res.status !== 401) return res;
    this.counters.tokenRefreshes++;
    if (this.token?.value === token) this.token = undefined;
    const fresh = await this.getToken(spec.requestId);
    return this.send(spec, attempt, fresh);
  }

  private getToken(requestId: string): Promise<string> {
    if (this.token && performance.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    if (!this.tokenPending) {
      const p = this.fetchToken(requestId).finally(() => {
        if (this.tokenPending === p) this.tokenPending = undefined;
      });
      this.tokenPending = p;
    }
    return this.tokenPending;
  }

  private async fetchToken(requestId: string): Promise<string> {
    this.counters.tokenFetches++;
    const secret = this.options.clientSecret instanceof Secret ? this.options.clientSecret.reveal() : this.options.clientSecret;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: secret }).toString();
    const started = performance.now();
    const res = await this.send({ method: 'POST', path: '/oauth/token', body: form, requestId }, 1, undefined, 'application/x-www-form-urlencoded');
    if (res.status < 200 || res.status >= 300) {
      throw errorFromResponse(res.status, res.json, { retryAfter: res.headers['retry-after'], requestId: res.headers['x-request-id'] ?? requestId, context: 'POST /oauth/token' });
    }
    const parsed = TokenResponse.safeParse(res.json);
    if (!parsed.success) throw new NationalError('BAD_RESPONSE', { status: res.status, context: 'POST /oauth/token' });
    const ttlMs = Math.max(0, parsed.data.expires_in * 1000);
    const skew = Math.min(60_000, ttlMs * 0.1);
    this.token = { value: parsed.data.access_token, refreshAt: started + ttlMs - skew };
    return parsed.data.access_token;
  }

  /** One HTTP request through the limiter, with the per-request timeout. Transport failures → NationalError. */
  private async send(spec: RequestSpec, attempt: number, token: string | undefined, contentType = 'application/json; charset=utf-8'): Promise<RawResponse> {
    const release = await this.limiter.acquire();
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Request-Id': spec.requestId, ...spec.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (spec.idemKey) {
      if (!IDEMPOTENCY_KEY_RE.test(spec.idemKey)) {
        release();
        throw new TypeError('invalid idempotency key');
      }
      headers['Idempotency-Key'] = spec.idemKey;
    }
    let data: string | undefined;
    if (spec.body !== undefined) {
      data = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
      headers['Content-Type'] = contentType;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== '') params[k] = String(v);

    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, this.options.timeoutMs);
    const started = performance.now();
    this.counters.requests++;
    const logBase = { requestId: spec.requestId, method: spec.method, path: spec.path, attempt };
    try {
      const r = await this.http.request<string>({ url: this.base + spec.path, method: spec.method, params, headers, data, signal: ctrl.signal });
      const resHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== undefined && v !== null) resHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      const text = typeof r.data === 'string' ? r.data : r.data === undefined || r.data === null ? '' : String(r.data);
      let json: unknown;
      if (text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      const status = r.status;
      if (status === 429) this.counters.rateLimited++;
      else if (status === 503) this.counters.unavailable++;
      else if (status >= 500) this.counters.serverErrors++;
      if (status === 429 || status === 503) {
        const ms = parseRetryAfter(resHeaders['retry-after']);
        if (ms !== undefined && ms > 0) await this.limiter.pause(ms);
      }
      this.log.debug({ ...logBase, status, ms: Math.round(performance.now() - started), replayed: resHeaders['idempotent-replayed'] === 'true' || undefined }, 'national request');
      return { status, headers: resHeaders, text, json };
    } catch (e) {
      const err = this.transportError(e, timedOut, `${spec.method} ${spec.path}`, spec.requestId);
      this.log.debug({ ...logBase, code: err.code, ms: Math.round(performance.now() - started) }, 'national request failed');
      throw err;
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private transportError(e: unknown, timedOut: boolean, context: string, requestId: string): NationalError {
    const code = (e as { code?: unknown })?.code;
    let ours: 'NETWORK_TIMEOUT' | 'NETWORK_RESET' | 'NETWORK_ERROR';
    if (timedOut || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') ours = 'NETWORK_TIMEOUT';
    else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') ours = 'NETWORK_RESET';
    else ours = 'NETWORK_ERROR';
    if (ours === 'NETWORK_TIMEOUT') this.counters.timeouts++;
    else if (ours === 'NETWORK_RESET') this.counters.resets++;
    else this.counters.networkErrors++;
    // `cause` keeps only the low-level code: an axios error holds the request config (body, headers).
    return new NationalError(ours, { context, requestId, retryable: true, cause: typeof code === 'string' ? code : undefined });
  }
}
