/**
 * One error taxonomy for everything that talks to the national API (client, workers, ingest API).
 *
 * Every row of the contract's error table (national-api.md §4) maps to a stable `code` (the contract's
 * `ma`) and a `retryable` flag; transport failures get their own codes (NETWORK_TIMEOUT, NETWORK_RESET,
 * NETWORK_ERROR, BAD_RESPONSE). `ERROR_CATALOG` is the single table of those codes with an English
 * description (engineers, logs) and a Vietnamese message (officers).
 *
 * A NationalError never carries the request body: only the code, HTTP status, the contract's `chiTiet`
 * (JSON Pointers + detail codes + generic national messages) and the national error body's ids.
 */
import type { ChiTietLoi, ErrorBody, RecordKind } from '../contract/schemas.js';
import { ErrorBody as ErrorBodySchema, NATIONAL_ID_FIELD } from '../contract/schemas.js';

export interface ErrorCatalogEntry {
  /** HTTP status(es) the national side answers with for this code; absent for transport codes. */
  status?: number | readonly number[];
  retryable: boolean;
  /** English description (engineer-facing). */
  en: string;
  /** Vietnamese message shown to officers. */
  vi: string;
}

export const TRANSPORT_CODES = ['NETWORK_TIMEOUT', 'NETWORK_RESET', 'NETWORK_ERROR', 'BAD_RESPONSE'] as const;
export type TransportCode = (typeof TRANSPORT_CODES)[number];

/** code → {status, retryable, en, vi}. Covers every `ma` of contract §4 plus the transport codes. */
export const ERROR_CATALOG = {
  YEU_CAU_KHONG_HOP_LE: { status: 400, retryable: false, en: 'Malformed request (connector bug or contract mismatch).', vi: 'Yêu cầu gửi lên CSDL quốc gia không hợp lệ.' },
  THIEU_KHOA_LUY_DANG: { status: 400, retryable: false, en: 'Idempotency-Key missing or malformed (connector bug).', vi: 'Yêu cầu thiếu khóa lũy đẳng.' },
  CHUA_XAC_THUC: { status: 401, retryable: false, en: 'Authentication failed: bad client credentials, or the token was rejected again after one refresh.', vi: 'Kết nối chưa được xác thực với CSDL quốc gia (sai thông tin đăng nhập của hệ thống).' },
  KHONG_CO_QUYEN: { status: 403, retryable: false, en: 'Agency (maDonVi) not assigned to this client.', vi: 'Đơn vị không được phân quyền gửi dữ liệu lên CSDL quốc gia qua kết nối này.' },
  KHONG_TIM_THAY: { status: 404, retryable: false, en: 'Unknown national id.', vi: 'Không tìm thấy hồ sơ trên CSDL quốc gia.' },
  DA_TON_TAI: { status: 409, retryable: false, en: 'Create for a (maDonVi, source id) that already exists; body carries the national id and stored phienBanNguon — resolve by updating if newer.', vi: 'Hồ sơ đã tồn tại trên CSDL quốc gia.' },
  PHIEN_BAN_CU: { status: 409, retryable: false, en: 'Update older than the stored version: national is newer.', vi: 'Phiên bản gửi lên cũ hơn phiên bản đã lưu trên CSDL quốc gia.' },
  XUNG_DOT_PHIEN_BAN: { status: 409, retryable: false, en: 'Same phienBanNguon with different content.', vi: 'Cùng số phiên bản nhưng nội dung khác với dữ liệu đã gửi trước đó.' },
  DANG_XU_LY: { status: 409, retryable: true, en: 'Same idempotency key still being processed; retry later.', vi: 'Yêu cầu trước đó đang được xử lý, hệ thống sẽ gửi lại.' },
  QUA_KICH_THUOC: { status: 413, retryable: false, en: 'Record or batch too large.', vi: 'Dữ liệu vượt quá kích thước cho phép.' },
  DU_LIEU_KHONG_HOP_LE: { status: 422, retryable: false, en: 'Validation failed; see details (chiTiet).', vi: 'Dữ liệu không hợp lệ, cần cán bộ kiểm tra và sửa.' },
  KHOA_TRUNG_NOI_DUNG_KHAC: { status: 422, retryable: false, en: 'Idempotency key reused with another body (connector bug).', vi: 'Khóa lũy đẳng bị dùng lại cho nội dung khác (lỗi hệ thống kết nối).' },
  VUOT_HAN_MUC: { status: 429, retryable: true, en: 'Rate or concurrency limit; wait Retry-After.', vi: 'Vượt hạn mức gửi, hệ thống sẽ gửi lại sau.' },
  LOI_HE_THONG: { status: [500, 502, 504], retryable: true, en: 'National server fault; retry with backoff.', vi: 'CSDL quốc gia gặp lỗi, hệ thống sẽ gửi lại.' },
  TAM_NGUNG: { status: 503, retryable: true, en: 'Maintenance/overload; wait Retry-After.', vi: 'CSDL quốc gia tạm ngừng phục vụ, hệ thống sẽ gửi lại.' },
  NETWORK_TIMEOUT: { retryable: true, en: 'No answer within the per-request timeout; the write may or may not have been applied (retried with the same key).', vi: 'Quá thời gian chờ phản hồi từ CSDL quốc gia, hệ thống sẽ gửi lại.' },
  NETWORK_RESET: { retryable: true, en: 'Connection reset; the write may or may not have been applied (retried with the same key).', vi: 'Kết nối tới CSDL quốc gia bị ngắt, hệ thống sẽ gửi lại.' },
  NETWORK_ERROR: { retryable: true, en: 'Other network failure (refused, DNS, socket hang-up).', vi: 'Không kết nối được tới CSDL quốc gia, hệ thống sẽ thử lại.' },
  BAD_RESPONSE: { retryable: true, en: 'Answer not in the contract shape (unparseable or unexpected status); retried with the same key, which replays the stored answer.', vi: 'Phản hồi từ CSDL quốc gia không đúng định dạng, hệ thống sẽ thử lại.' },
} as const satisfies Record<string, ErrorCatalogEntry>;

export type KnownErrorCode = keyof typeof ERROR_CATALOG;

export function isKnownCode(code: string): code is KnownErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOG, code);
}

/** Whether a code is worth retrying (unknown codes: by status — 5xx yes, anything else no). */
export function isRetryableCode(code: string, status?: number): boolean {
  if (isKnownCode(code)) return ERROR_CATALOG[code].retryable;
  return status !== undefined && status >= 500;
}

/** The contract `ma` to assume when a non-2xx answer has no readable error body. */
export function codeForStatus(status: number): KnownErrorCode {
  switch (status) {
    case 400: return 'YEU_CAU_KHONG_HOP_LE';
    case 401: return 'CHUA_XAC_THUC';
    case 403: return 'KHONG_CO_QUYEN';
    case 404: return 'KHONG_TIM_THAY';
    case 413: return 'QUA_KICH_THUOC';
    case 422: return 'DU_LIEU_KHONG_HOP_LE';
    case 429: return 'VUOT_HAN_MUC';
    case 503: return 'TAM_NGUNG';
    default: return status >= 500 ? 'LOI_HE_THONG' : 'BAD_RESPONSE';
  }
}

export interface NationalErrorInit {
  status?: number;
  retryable?: boolean;
  details?: ChiTietLoi[];
  body?: ErrorBody;
  retryAfterMs?: number;
  requestId?: string;
  /** Short English context, e.g. "POST /ho-so-don". Never a body or personal value. */
  context?: string;
  cause?: unknown;
}

export class NationalError extends Error {
  override readonly name = 'NationalError';
  /** Contract `ma` or NETWORK_TIMEOUT | NETWORK_RESET | NETWORK_ERROR | BAD_RESPONSE. */
  readonly code: string;
  readonly status?: number;
  readonly retryable: boolean;
  /** The contract's `chiTiet` (JSON Pointers into what was sent). */
  readonly details: ChiTietLoi[];
  /** The national error body (ids and codes only; the contract puts no request data in it). */
  readonly body?: ErrorBody;
  readonly retryAfterMs?: number;
  readonly requestId?: string;

  constructor(code: string, init: NationalErrorInit = {}) {
    const desc = isKnownCode(code) ? ERROR_CATALOG[code].en : 'Unknown national error code.';
    super(`${code}${init.status !== undefined ? ` (HTTP ${init.status})` : ''}${init.context ? ` on ${init.context}` : ''}: ${desc}`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.code = code;
    if (init.status !== undefined) this.status = init.status;
    this.retryable = init.retryable ?? isRetryableCode(code, init.status);
    this.details = init.details ?? init.body?.chiTiet ?? [];
    if (init.body !== undefined) this.body = init.body;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.requestId !== undefined) this.requestId = init.requestId;
  }

  /** Vietnamese message for officers. */
  get vi(): string {
    return isKnownCode(this.code) ? ERROR_CATALOG[this.code].vi : `Lỗi từ CSDL quốc gia (${this.code}).`;
  }

  /**
   * For DA_TON_TAI / PHIEN_BAN_CU: the national id and stored version the answer names.
   * `kind` picks the id field (maHoSo / maLuotTiep); without it, whichever is present.
   */
  existing(kind?: RecordKind): { nationalId?: string; phienBanNguon?: number } | undefined {
    if (!this.body) return undefined;
    const b = this.body;
    const id = kind ? (b[NATIONAL_ID_FIELD[kind]] as string | undefined) : (b.maHoSo ?? b.maLuotTiep);
    const out: { nationalId?: string; phienBanNguon?: number } = {};
    if (typeof id === 'string') out.nationalId = id;
    if (typeof b.phienBanNguon === 'number') out.phienBanNguon = b.phienBanNguon;
    return out;
  }

  /** Log/JSON form: codes and ids only. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      retryable: this.retryable,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
      details: this.details.map((d) => ({ truong: d.truong, ma: d.ma })),
    };
  }
}

export function isNationalError(e: unknown): e is NationalError {
  return e instanceof NationalError;
}

/** Parse `Retry-After` (delta seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(v: unknown, now = Date.now()): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * Build a NationalError from a non-2xx answer. `bodyJson` is the parsed body (or undefined when not JSON);
 * an error body that does not match the contract is ignored and the code falls back to the status.
 */
export function errorFromResponse(status: number, bodyJson: unknown, opts: { retryAfter?: unknown; requestId?: string; context?: string } = {}): NationalError {
  const parsed = ErrorBodySchema.safeParse(bodyJson);
  const body = parsed.success ? parsed.data : undefined;
  let code: string = body?.ma ?? codeForStatus(status);
  // A 5xx/429 is retryable whatever the body says; a 2xx/3xx reaching here is a contract violation.
  if (status < 400) code = 'BAD_RESPONSE';
  const retryAfterMs = parseRetryAfter(opts.retryAfter);
  // 5xx/429: always retryable. Other 4xx: as the taxonomy says for the body's `ma`; without a readable body, not.
  // Anything below 400 here (unexpected 1xx/3xx): BAD_RESPONSE, retryable (the same key replays the stored answer).
  const retryable = status >= 500 || status === 429 || status < 400 ? true : body ? isRetryableCode(code, status) : false;
  return new NationalError(code, {
    status,
    retryable,
    ...(body ? { body } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
    ...(opts.context ? { context: opts.context } : {}),
  });
}
