/**
 * The push processor: sends the LATEST mapped version of one national record and
 * settles the outcome in the ledger. Exactly-once in effect rests on three things:
 *  - the ledger says what was already pushed (version + hash of the mapped body), so a
 *    re-run after a crash or a duplicate job skips what is done;
 *  - idempotency keys are a pure function of (kind, op, body, national id), so a retried
 *    call that had in fact been applied gets the stored answer back (contract §3);
 *  - the national (maDonVi, local id) uniqueness: a create for a record that exists
 *    answers DA_TON_TAI with its id and version, which we resolve to an update only when
 *    ours is newer (PHIEN_BAN_CU is the backstop: an older version is never resent).
 */
import type { Logger } from 'pino';
import type { HoSoDon, LuotTiep, RecordKind } from '../contract/schemas.js';
import type { Issue } from '../../mappers/types.js';
import type { Ledger } from '../ledger/index.js';
import type { BatchSender } from './batcher.js';
import { isNationalError, type NationalErrorLike, type NationalPort, type WriteResultLike } from './port.js';
import { pushOutcomes } from '../metrics.js';
import { bamNoiDung, isLinkagePlaceholder } from '../contract/hash.js';

export interface PushJob {
  data: { tid: string; kind: RecordKind; v: number };
  /** Failed attempts so far (BullMQ attemptsMade). */
  attemptsMade: number;
  /** Attempts allowed. */
  attempts: number;
}

export interface PushContext {
  ledger: Ledger;
  sender: BatchSender;
  client: Pick<NationalPort, 'get'>;
  /** Fill linkage features of a ho-so-don before it is sent (src/dedupe/features.ts). */
  linkage(body: HoSoDon): HoSoDon['dacTrungLienKet'];
  /** After a ho-so-don was pushed (dedupe hook). */
  afterPush?(p: { tid: string; v: number; maHoSo: string }): Promise<void>;
  log: Logger;
}

export type PushResult =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'pushed' | 'superseded'; nationalId: string; version: number; via: string }
  | { outcome: 'rejected'; code: string; version: number };

/** Thrown to make BullMQ retry the job (transient failure, state recorded as `pushing`). */
export class RetryableFailure extends Error {
  constructor(readonly code: string, message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'RetryableFailure';
  }
}

const MESSAGES: Record<string, string> = {
  DU_LIEU_KHONG_HOP_LE: 'Hệ thống quốc gia báo dữ liệu không hợp lệ.',
  KHONG_CO_QUYEN: 'Hệ thống quốc gia từ chối: đơn vị không thuộc phạm vi được cấp quyền của kết nối.',
  QUA_KICH_THUOC: 'Hồ sơ vượt quá kích thước cho phép của hệ thống quốc gia.',
  XUNG_DOT_PHIEN_BAN: 'Cùng số phiên bản nhưng nội dung khác bản đã có ở hệ thống quốc gia: cần tăng phiên bản ở hệ thống nguồn.',
  YEU_CAU_KHONG_HOP_LE: 'Yêu cầu gửi lên hệ thống quốc gia không hợp lệ (lỗi kỹ thuật của kết nối).',
  KHOA_TRUNG_NOI_DUNG_KHAC: 'Khóa lũy đẳng bị dùng lại với nội dung khác (lỗi kỹ thuật của kết nối).',
  KHONG_TIM_THAY: 'Hệ thống quốc gia không tìm thấy hồ sơ cần cập nhật.',
};

function natIdOf(kind: RecordKind, body: Record<string, unknown> | undefined): string | undefined {
  const v = body?.[kind === 'ho-so-don' ? 'maHoSo' : 'maLuotTiep'];
  return typeof v === 'string' && v ? v : undefined;
}

/** National error → stored issues: one per chiTiet entry, or one for the error itself. */
export function issuesOf(kind: RecordKind, e: NationalErrorLike, exhausted = false): Issue[] {
  if (exhausted) {
    return [{ code: e.code, severity: 'error', source: '', recordKind: kind,
      message: `Không gửi được lên hệ thống quốc gia sau nhiều lần thử (lỗi tạm thời kéo dài: ${e.code}). Cần kiểm tra kết nối rồi gửi lại.` }];
  }
  const details = Array.isArray(e.details) ? e.details : [];
  const head: Issue = { code: e.code, severity: 'error', source: '', recordKind: kind, message: MESSAGES[e.code] ?? `Hệ thống quốc gia từ chối hồ sơ (mã ${e.code}).` };
  return [head, ...details.map((d): Issue => ({ code: d.ma, severity: 'error', source: '', national: d.truong, recordKind: kind, message: d.thongDiep }))];
}

export async function processPush(job: PushJob, ctx: PushContext): Promise<PushResult> {
  const { tid, kind } = job.data;
  const snap = await ctx.ledger.loadForPush(tid, kind);
  const skip = (reason: string): PushResult => {
    pushOutcomes.inc({ kind, outcome: 'skipped', code: reason });
    return { outcome: 'skipped', reason };
  };
  if (!snap) return skip('no-record');
  if (!snap.body || snap.mappedVersion < 1) return skip('nothing-mapped');
  if (snap.pushState === 'rejected') return skip('rejected');
  if ((snap.pushState === 'pushed' || snap.pushState === 'superseded') && snap.pushedVersion >= snap.mappedVersion) return skip('already-pushed');
  if (snap.pushedHash && snap.pushedHash === snap.mappedHash) return skip('unchanged');

  const v = snap.mappedVersion; // always the latest mapped version, whatever version the job was for
  const mappedHash = snap.mappedHash ?? bamNoiDung(snap.body);
  let body: HoSoDon | LuotTiep = snap.body;
  // the mapped body's bamNoiDung is the idempotency key's base hash when the mapper left the placeholder features
  const baseHash = kind === 'ho-so-don' && snap.mappedHash && isLinkagePlaceholder((body as HoSoDon).dacTrungLienKet) ? snap.mappedHash : undefined;
  if (kind === 'ho-so-don') body = { ...(body as HoSoDon), dacTrungLienKet: ctx.linkage(body as HoSoDon) };
  const lastAttempt = job.attemptsMade + 1 >= job.attempts;

  const settle = async (outcome: 'pushed' | 'superseded', nationalId: string, via: string, code = 'OK'): Promise<PushResult> => {
    await ctx.ledger.pushResult(tid, kind, v, { outcome, nationalId, mappedHash, detail: via });
    pushOutcomes.inc({ kind, outcome, code });
    if (outcome === 'pushed' && kind === 'ho-so-don' && ctx.afterPush) await ctx.afterPush({ tid, v, maHoSo: nationalId });
    return { outcome, nationalId, version: v, via };
  };
  const reject = async (e: NationalErrorLike, nationalId?: string, exhausted = false): Promise<PushResult> => {
    await ctx.ledger.pushResult(tid, kind, v, {
      outcome: 'rejected', ...(nationalId ? { nationalId } : {}), issues: issuesOf(kind, e, exhausted),
      error: { code: e.code, message: exhausted ? `retries exhausted: ${e.message}` : e.message }, detail: e.code,
    });
    pushOutcomes.inc({ kind, outcome: 'rejected', code: e.code });
    ctx.log.warn({ tid, kind, v, code: e.code, status: e.status, exhausted, requestId: e.requestId }, 'push rejected');
    return { outcome: 'rejected', code: e.code, version: v };
  };
  const transient = async (e: NationalErrorLike | Error, nationalId?: string): Promise<never> => {
    const code = isNationalError(e) ? e.code : 'INTERNAL';
    await ctx.ledger.pushResult(tid, kind, v, { outcome: 'retrying', ...(nationalId ? { nationalId } : {}), error: { code, message: e.message } });
    pushOutcomes.inc({ kind, outcome: 'retrying', code });
    throw new RetryableFailure(code, e.message, isNationalError(e) ? e.retryAfterMs : undefined);
  };
  /** Any national error: classify. `nid` is the national id known at this point. */
  const onError = async (e: unknown, nid: string | undefined): Promise<PushResult> => {
    if (!isNationalError(e)) throw e; // bug / Redis: let BullMQ retry
    if (e.retryable) {
      if (lastAttempt) return reject(e, nid, true);
      return transient(e, nid);
    }
    return reject(e, nid);
  };

  const update = async (nid: string, via: string): Promise<PushResult> => {
    try {
      const r = await ctx.sender.send(kind, 'update', body, nid, baseHash);
      return settle('pushed', r.nationalId || nid, via);
    } catch (e) {
      if (isNationalError(e) && e.code === 'PHIEN_BAN_CU') return settle('superseded', nid, `${via}:PHIEN_BAN_CU`, 'PHIEN_BAN_CU');
      return onError(e, nid);
    }
  };

  if (snap.nationalId) return update(snap.nationalId, 'update');

  let created: WriteResultLike;
  try {
    created = await ctx.sender.send(kind, 'create', body, undefined, baseHash);
  } catch (e) {
    if (!isNationalError(e) || e.code !== 'DA_TON_TAI') return onError(e, undefined);
    const nid = natIdOf(kind, e.body);
    if (!nid) return onError(Object.assign(e, { retryable: false }), undefined);
    const theirs = Number(e.body?.phienBanNguon ?? 0);
    if (v > theirs) return update(nid, 'DA_TON_TAI:update');
    if (v < theirs) return settle('superseded', nid, 'DA_TON_TAI:national-newer', 'DA_TON_TAI');
    // Same version: the same content means it is already there (e.g. a create applied before a crash).
    let stored: Record<string, unknown>;
    try {
      stored = await ctx.client.get(kind, nid);
    } catch (g) {
      return onError(g, nid);
    }
    if (stored.bamNoiDung === bamNoiDung(body)) return settle('pushed', nid, 'DA_TON_TAI:same-content', 'DA_TON_TAI');
    return reject(Object.assign(new Error('same phienBanNguon, other content'), {
      code: 'XUNG_DOT_PHIEN_BAN', status: 409, retryable: false, details: [],
    }) as NationalErrorLike, nid);
  }
  return settle('pushed', created.nationalId, created.replayed ? 'create:replayed' : 'create');
}
