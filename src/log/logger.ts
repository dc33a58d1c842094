/**
 * One pino root logger. Logs carry ids, never payloads: the redact list below is
 * fixed (never user-defined, see pino docs/redaction.md) and covers secrets,
 * tokens and every personal field name of the local formats and the national
 * contract, at the top level and one level down (`*.x`) where payload-like
 * objects are usually nested. Anything untrusted that must be logged goes under
 * a single key and is listed here.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

const PERSONAL = [
  // national contract
  'hoTen', 'soDinhDanh', 'giayTo', 'soDienThoai', 'diaChi', 'namSinh', 'noiDungTomTat', 'noiDung', 'nguoiDungDon', 'congDan',
  'doiTuongBiKNTC', 'lyDoKhongDu', 'ghiChu', 'lyDo', 'coQuanDaGiaiQuyet',
  // local formats
  'ho_ten', 'cmnd_cccd', 'dien_thoai', 'dia_chi', 'nam_sinh', 'noi_dung', 'nguoi_dung_don', 'doi_tuong',
  'fullName', 'idNumber', 'phone', 'email', 'address', 'street', 'content', 'title', 'citizen', 'summary', 'answer',
  // generic
  'name', 'body', 'payload', 'record', 'raw', 'duLieu', 'data', 'value', 'values',
];
const SECRETS = [
  'password', 'secret', 'client_secret', 'token', 'access_token', 'apiKey', 'api_key',
  'authorization', 'Authorization', 'cookie',
  'headers.authorization', 'headers.Authorization', 'headers["x-api-key"]',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie',
  'config.headers.Authorization', 'config.data',
];

export const REDACT_PATHS: readonly string[] = Object.freeze([...new Set([...SECRETS, ...PERSONAL, ...PERSONAL.map((p) => `*.${p}`), ...SECRETS.filter((s) => !s.includes('.')).map((s) => `*.${s}`)])]);

export function createLogger(opts: LoggerOptions = {}, dest?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { svc: 'kntc' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...opts,
  };
  return dest ? pino(options, dest) : pino(options);
}

let root: Logger | undefined;
/** The process root logger. Use `.child({ component, correlationId })`, never a new pino. */
export function logger(): Logger {
  root ??= createLogger();
  return root;
}
/** Replace the root logger (CLI --quiet, tests capturing output). */
export function setRootLogger(l: Logger): void {
  root = l;
}
export type { Logger };
