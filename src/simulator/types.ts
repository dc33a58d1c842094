import type { ReferenceData } from '../reference/dvhc.js';
import type { RecordKind } from '../contract/schemas.js';

/** A registered API client (OAuth2 client credentials) and its agency scope. */
export interface SimClient {
  id: string;
  secret: string;
  /** Agency codes, `tinh:<maTinh>` (every agency of that current province) or `*`. */
  agencies: string[];
  ratePerSec?: number;
  burst?: number;
  maxInFlight?: number;
}

export type FaultStatus = 500 | 502 | 503 | 504;
/** What a fault does. `error`: answer that 5xx; `reset`: destroy the socket; `hang`: never answer (socket closed after hangMs). */
export type FaultAction = { action: 'error'; status: FaultStatus } | { action: 'reset' } | { action: 'hang' };
/** One scripted fault, consumed by the next matching request. `when: 'after'` = the request was applied first. */
export type ScriptedFault = FaultAction & { when: 'before' | 'after'; match?: string };

/**
 * Fault injection. Rates are probabilities per matching request (0…1), drawn from a
 * seeded PRNG. "before" faults hit before the request is processed (nothing applied);
 * "after" faults hit once it has been applied and its answer stored under its
 * Idempotency-Key (the client never hears the answer; a retry with the same key gets it).
 * Batch items (`/lo`) draw item faults too: an item "after" fault makes that item answer 5xx although it was applied.
 */
export interface FaultConfig {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Regex on `METHOD /path` (path under /api/v1, no query). Default: every call except /oauth/token. */
  match?: string;
  /** Probability of answering that status before processing. */
  errorRate?: Partial<Record<FaultStatus, number>>;
  /** Probability of answering that status after processing (applied, answer lost). */
  errorAfterRate?: Partial<Record<FaultStatus, number>>;
  /** Probability of a connection reset before / after processing. */
  resetBeforeRate?: number;
  resetAfterRate?: number;
  /** Probability of no answer before / after processing; the socket is destroyed after hangMs (default 30000). */
  hangRate?: number;
  hangAfterRate?: number;
  hangMs?: number;
  /** Extra latency per matching request: uniform in [minMs, maxMs] (default), or log-normal (see LatencyConfig). */
  latency?: LatencyConfig;
  /** Retry-After (seconds) on injected 503s (default 2). */
  retryAfterSec?: number;
  /** Maintenance window: every /api/v1 call answers 503 TAM_NGUNG until it ends. `durationSec` counts from when the config is set. */
  maintenance?: { durationSec?: number; until?: string; retryAfterSec?: number };
  /** Deterministic faults consumed in order by the next matching requests (tests). */
  script?: ScriptedFault[];
  /**
   * Token expiry fault: an access token stops working this many seconds after it was issued (tokens issued
   * before the config was set included), while `expires_in` still announces the configured lifetime — the
   * client meets 401 `invalid_token` early and must fetch a new token and repeat the call once (§2).
   */
  tokenTtlSec?: number;
  /** Token expiry fault: every this many seconds (counted from when the config is set) every issued token becomes invalid. */
  expireTokensEverySec?: number;
}

/**
 * Injected latency. `uniform` (the default when `distribution` is absent): uniform in [minMs, maxMs].
 * `lognormal`: median `medianMs`, 99th percentile `p99Ms` (a long right tail, as real APIs have),
 * clamped to [minMs ?? 0, maxMs ?? ∞].
 */
export type LatencyConfig =
  | { distribution?: 'uniform'; minMs: number; maxMs: number }
  | { distribution: 'lognormal'; medianMs: number; p99Ms: number; minMs?: number; maxMs?: number };

export interface SimulatorOptions {
  host?: string;
  /** 0 = random. Default 4010. */
  port?: number;
  clients?: SimClient[];
  reference?: ReferenceData;
  limits?: { enabled?: boolean; ratePerSec?: number; burst?: number; maxInFlight?: number };
  tokenTtlSec?: number;
  faults?: FaultConfig;
  adminToken?: string;
  snapshotFile?: string;
  /** Seconds between snapshot writes (default 10; 0 = only on close). */
  snapshotEverySec?: number;
  now?: () => Date;
  quiet?: boolean;
  /**
   * tim-trung over-common keys (*sim* gateway rule, README): a query key held by more than this many
   * records is not counted (a stop key) and the answer says `conNua: true`. Default 500; `Infinity`
   * counts every key (the exact reading of §6, O(records holding the keys) per query).
   */
  timTrungMaxPosting?: number;
}

export interface InspectRecord {
  kind: RecordKind;
  maDonVi: string;
  maNguon: string;
  /** National id (maHoSo / maLuotTiep). */
  nationalId: string;
  maHoSo: string;
  creates: number;
  updates: number;
  noops: number;
  phienBanNguon: number;
  bamNoiDung: string;
  trangThai: 'HOAT_DONG' | 'DA_HUY';
  capNhatLuc: string;
}

export interface InspectReport {
  /** key `${kind}|${maDonVi}|${maNguon}` */
  records: Record<string, InspectRecord>;
  links: { maLienKet: string; maHoSo: string; maHoSoKhac: string; mucDo: string; trangThai: string; taoBoi: string }[];
  totals: {
    records: number;
    creates: number;
    updates: number;
    noops: number;
    cancels: number;
    links: number;
    requests: number;
    replays: number;
    /** 429 answers, by cause. */
    rateLimited: number;
    concurrencyLimited: number;
    /** Injected faults by kind (e.g. `before:503`, `after:reset`, `maintenance`). */
    faults: Record<string, number>;
    /** Answers by HTTP status (batch items counted separately under `item:<status>`). */
    byStatus: Record<string, number>;
  };
}
