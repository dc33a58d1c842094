/**
 * The ingest error catalogue: every refusal of the ingest API (and of `kntc enqueue`)
 * has one stable English code, one HTTP status, an English message for engineers and a
 * Vietnamese message (`thongDiep`) for the agency's data officers. Tests assert on the
 * codes, never on the wording (after fastify lib/errors.js).
 *
 * Error bodies never echo submitted values: `details` carry indexes, JSON Pointers,
 * agency codes and limits only.
 */

export interface ErrorSpec {
  status: number;
  message: string;
  thongDiep: string;
}

export const INGEST_ERRORS = {
  KNTC_ERR_AUTH_MISSING: {
    status: 401,
    message: 'API key missing: send "Authorization: Bearer <key>" or "X-Api-Key: <key>".',
    thongDiep: 'Thiếu khóa truy cập (API key) của hệ thống địa phương.',
  },
  KNTC_ERR_AUTH_INVALID: {
    status: 401,
    message: 'Unknown API key.',
    thongDiep: 'Khóa truy cập không hợp lệ.',
  },
  KNTC_ERR_ADMIN_AUTH: {
    status: 401,
    message: 'Operator endpoint: send "Authorization: Bearer <KNTC_ADMIN_TOKEN>" (or Basic auth with the token as password).',
    thongDiep: 'Chức năng dành cho quản trị viên: thiếu hoặc sai mã quản trị.',
  },
  KNTC_ERR_SOURCE_FORBIDDEN: {
    status: 403,
    message: 'This API key is not registered for this source kind.',
    thongDiep: 'Khóa truy cập không được cấp cho loại hệ thống nguồn này.',
  },
  KNTC_ERR_AGENCY_FORBIDDEN: {
    status: 403,
    message: 'A record belongs to an agency outside this API key\'s scope; nothing was accepted.',
    thongDiep: 'Có bản ghi thuộc đơn vị ngoài phạm vi của khóa truy cập; toàn bộ yêu cầu bị từ chối, chưa bản ghi nào được tiếp nhận.',
  },
  KNTC_ERR_UNKNOWN_SOURCE: {
    status: 404,
    message: 'Unknown source kind.',
    thongDiep: 'Loại hệ thống nguồn không được hỗ trợ.',
  },
  KNTC_ERR_NOT_FOUND: {
    status: 404,
    message: 'No such endpoint.',
    thongDiep: 'Không có chức năng này.',
  },
  KNTC_ERR_RECORD_NOT_FOUND: {
    status: 404,
    message: 'No record with this source, agency and local id has been received.',
    thongDiep: 'Chưa tiếp nhận bản ghi nào có mã này.',
  },
  KNTC_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'Method not allowed.',
    thongDiep: 'Phương thức không được hỗ trợ.',
  },
  KNTC_ERR_BODY_TOO_LARGE: {
    status: 413,
    message: 'Request body larger than INGEST_MAX_BODY_BYTES; split the submission.',
    thongDiep: 'Dữ liệu gửi lên vượt quá dung lượng cho phép; hãy chia nhỏ lần gửi.',
  },
  KNTC_ERR_MEDIA_TYPE: {
    status: 415,
    message: 'Unsupported Content-Type (records: application/json; files: text/plain, text/csv, application/x-ndjson).',
    thongDiep: 'Định dạng dữ liệu gửi lên không được hỗ trợ.',
  },
  KNTC_ERR_MALFORMED_JSON: {
    status: 400,
    message: 'Request body is not valid JSON.',
    thongDiep: 'Dữ liệu gửi lên không đúng định dạng JSON.',
  },
  KNTC_ERR_ENVELOPE_INVALID: {
    status: 400,
    message: 'Request envelope does not match the documented shape (unknown or missing fields).',
    thongDiep: 'Cấu trúc yêu cầu không đúng quy định (có trường lạ hoặc thiếu trường).',
  },
  KNTC_ERR_BATCH_TOO_LARGE: {
    status: 400,
    message: 'Too many records in one submission (INGEST_MAX_BATCH).',
    thongDiep: 'Số bản ghi trong một lần gửi vượt quá giới hạn cho phép.',
  },
  KNTC_ERR_BATCH_EMPTY: {
    status: 400,
    message: 'The submission holds no record.',
    thongDiep: 'Yêu cầu không có bản ghi nào.',
  },
  KNTC_ERR_RECORD_UNIDENTIFIABLE: {
    status: 422,
    message: 'A record\'s local id, version or agency cannot be read, so its scope cannot be checked; nothing was accepted.',
    thongDiep: 'Không đọc được mã bản ghi, phiên bản hoặc mã đơn vị của bản ghi nên không kiểm tra được phạm vi; toàn bộ yêu cầu bị từ chối.',
  },
  KNTC_ERR_RATE_LIMITED: {
    status: 429,
    message: 'Too many requests for this API key; retry after the Retry-After delay.',
    thongDiep: 'Gửi quá nhiều yêu cầu trong thời gian ngắn; vui lòng thử lại sau.',
  },
  KNTC_ERR_NOT_READY: {
    status: 503,
    message: 'The connector cannot store records right now (queue store unreachable or misconfigured).',
    thongDiep: 'Hệ thống kết nối tạm thời chưa sẵn sàng tiếp nhận dữ liệu.',
  },
  KNTC_ERR_PIPELINE_UNAVAILABLE: {
    status: 503,
    message: 'Records could not be stored durably; nothing is guaranteed accepted. Resend the request (safe: versions already stored come back as "unchanged").',
    thongDiep: 'Không lưu được dữ liệu; vui lòng gửi lại.',
  },
  KNTC_ERR_OFFICER_AUTH: {
    status: 401,
    message: 'Officer endpoint: send "Authorization: Bearer <officer token>" (account in OFFICERS_FILE) or the operator token.',
    thongDiep: 'Chức năng dành cho cán bộ: thiếu hoặc sai mã truy cập của cán bộ.',
  },
  KNTC_ERR_OFFICER_SCOPE: {
    status: 403,
    message: 'Neither record of this duplicate pair belongs to one of the officer\'s agencies.',
    thongDiep: 'Cặp hồ sơ này không thuộc đơn vị do cán bộ phụ trách; không được xem hoặc xử lý.',
  },
  KNTC_ERR_OFFICER_ONLY: {
    status: 403,
    message: 'Confirming or rejecting a pair needs an officer account (OFFICERS_FILE); the operator token may only view.',
    thongDiep: 'Chỉ cán bộ có tài khoản mới được xác nhận hoặc bác bỏ cặp trùng; quản trị viên chỉ được xem.',
  },
  KNTC_ERR_PAIR_NOT_FOUND: {
    status: 404,
    message: 'No duplicate pair with this id.',
    thongDiep: 'Không tìm thấy cặp hồ sơ trùng.',
  },
  KNTC_ERR_DECISION_FAILED: {
    status: 502,
    message: 'The decision could not be sent to the national API or stored; the pair keeps its previous state here. Retry (the national call is idempotent).',
    thongDiep: 'Chưa ghi nhận được quyết định (không gửi được lên CSDL quốc gia hoặc không lưu được); vui lòng thử lại.',
  },
  KNTC_ERR_INTERNAL: {
    status: 500,
    message: 'Internal error.',
    thongDiep: 'Lỗi hệ thống.',
  },
  KNTC_ERR_USAGE: {
    status: 400,
    message: 'Invalid command-line usage.',
    thongDiep: 'Câu lệnh không đúng cú pháp.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;

/** Non-personal detail of a refusal: where, not what. */
export interface ErrorDetail {
  /** Index of the record in the submission. */
  index?: number;
  /** JSON Pointer into the request envelope or the record. */
  pointer?: string;
  /** Agency code (never personal). */
  agency?: string;
  /** Short machine reason (e.g. zod issue code, limit). */
  reason?: string;
}

export class IngestError extends Error {
  readonly status: number;
  readonly thongDiep: string;
  constructor(
    readonly code: IngestErrorCode,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSec?: number,
  ) {
    super(INGEST_ERRORS[code].message);
    this.name = 'IngestError';
    this.status = INGEST_ERRORS[code].status;
    this.thongDiep = INGEST_ERRORS[code].thongDiep;
  }
  toBody(requestId?: string): ErrorResponse {
    return errorBody(this.code, this.details, requestId);
  }
}

export interface ErrorResponse {
  code: IngestErrorCode;
  message: string;
  thongDiep: string;
  details?: ErrorDetail[];
  requestId?: string;
}

export function errorBody(code: IngestErrorCode, details: ErrorDetail[] = [], requestId?: string): ErrorResponse {
  const spec = INGEST_ERRORS[code];
  return {
    code,
    message: spec.message,
    thongDiep: spec.thongDiep,
    ...(details.length ? { details: details.slice(0, 50) } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

/** Markdown table of the catalogue (for the README). */
export function errorsMarkdown(): string {
  return [
    '| code | HTTP | meaning | thông điệp |',
    '|---|---|---|---|',
    ...Object.entries(INGEST_ERRORS).map(([c, s]) => `| \`${c}\` | ${s.status} | ${s.message} | ${s.thongDiep} |`),
  ].join('\n');
}
