/**
 * What a job's last failed attempt leaves behind: a stored, reviewable rejection with the
 * reason (English for engineers in `lastError`, Vietnamese for the data officer in the
 * issue), never a record silently stuck in `received` or `pushing` next to a failed job.
 *
 * The per-job timeout lives here too, so a timed-out attempt is an ordinary retryable
 * failure that goes through the same handling (before, it was raced from outside the
 * processor and a timeout on the last attempt left the record without a reason).
 */
import type { Logger } from 'pino';
import type { Issue } from '../../mappers/types.js';
import type { RecordKind } from '../contract/schemas.js';
import type { Ledger } from '../ledger/index.js';
import { RetryableFailure } from '../push/processor.js';
import { CataloguesUnavailable } from './map.js';
import { mapOutcomes, pushOutcomes } from '../metrics.js';

/** An attempt ran longer than its queue's timeoutMs (queues/catalog.ts): retried like a transient failure. */
export class JobTimeout extends RetryableFailure {
  constructor(queue: string, readonly ms: number) {
    super('KNTC_JOB_TIMEOUT', `${queue} job timed out after ${ms} ms`);
    this.name = 'JobTimeout';
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, queue: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_r, rej) => { t = setTimeout(() => rej(new JobTimeout(queue, ms)), ms); t.unref(); })]).finally(() => clearTimeout(t));
}

/** BullMQ: is this the job's last attempt? (attemptsMade = failed attempts so far) */
export function isLastAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

const short = (e: unknown): string => String((e as Error)?.message ?? e).slice(0, 300);

/** Why a map job failed, for the stored rejection. */
function mapCause(e: unknown): { cause: string; en: string; vi: string } {
  if (e instanceof CataloguesUnavailable) {
    return { cause: 'catalogues', en: 'national catalogues unavailable', vi: 'không tải được danh mục dùng chung của hệ thống quốc gia (lỗi kết nối kéo dài). Cần kiểm tra kết nối tới hệ thống quốc gia' };
  }
  if (e instanceof JobTimeout) return { cause: 'timeout', en: 'mapping timed out', vi: 'quá thời gian xử lý. Cần kỹ thuật viên kiểm tra' };
  return { cause: 'internal', en: 'internal error', vi: 'lỗi kỹ thuật của kết nối. Cần kỹ thuật viên kiểm tra' };
}

/**
 * The last attempt of a map job failed: store version `v` as a KNTC_MAP_FAILED rejection.
 * Returns false when the ledger said the version is stale or was mapped meanwhile (nothing rejected).
 */
export async function storeMapFailure(ledger: Ledger, data: { tid: string; v: number; f: string }, e: unknown, attempts: number, log: Logger): Promise<boolean> {
  const c = mapCause(e);
  const issue: Issue = {
    code: 'KNTC_MAP_FAILED', severity: 'error', source: '',
    message: `Không chuyển đổi được bản ghi sau ${attempts} lần thử: ${c.vi}, rồi gửi lại bản ghi (tăng phiên bản). Bản ghi đã nhận được giữ lại, không bị mất.`,
  };
  const out = await ledger.mapFailed(data.tid, data.v, data.f, {
    issues: [issue], error: { code: 'KNTC_MAP_FAILED', message: `map failed after ${attempts} attempts: ${c.en}: ${short(e)}` }, detail: `KNTC_MAP_FAILED:${c.cause}`,
  });
  if (out.outcome === 'rejected') {
    mapOutcomes.inc({ source: out.source, outcome: 'rejected' });
    log.warn({ tid: data.tid, v: data.v, cause: c.cause, errName: (e as Error)?.name }, 'map attempts used up: stored as rejection KNTC_MAP_FAILED');
  }
  return out.outcome === 'rejected';
}

/** The last attempt of a push job failed outside processPush's own handling (timeout, bug, Redis): store a rejection. */
export async function storePushFailure(ledger: Ledger, data: { tid: string; kind: RecordKind; v: number }, e: unknown, attempts: number, log: Logger): Promise<string> {
  const timeout = e instanceof JobTimeout;
  const code = timeout ? 'KNTC_PUSH_TIMEOUT' : 'LOI_NOI_BO';
  const message = timeout
    ? `Không gửi được lên hệ thống quốc gia sau ${attempts} lần thử: mỗi lần đều quá thời gian chờ. Cần kiểm tra kết nối tới hệ thống quốc gia rồi gửi lại.`
    : 'Lỗi nội bộ của kết nối khi gửi hồ sơ; cần kỹ thuật viên kiểm tra.';
  await ledger.pushResult(data.tid, data.kind, data.v, {
    outcome: 'rejected', error: { code, message: `push failed after ${attempts} attempts: ${short(e)}` }, detail: code,
    issues: [{ code, severity: 'error', source: '', recordKind: data.kind, message }],
  });
  pushOutcomes.inc({ kind: data.kind, outcome: 'rejected', code });
  log.warn({ tid: data.tid, kind: data.kind, v: data.v, code, errName: (e as Error)?.name }, 'push attempts used up: stored as rejection');
  return code;
}
