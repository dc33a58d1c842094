/**
 * The slice of the national client (src/national/client.ts, interface C) that the
 * push worker uses, typed structurally so tests can hand in any implementation.
 */
import type { HoSoDon, LuotTiep, RecordKind, ChiTietLoi } from '../contract/schemas.js';

export interface WriteResultLike { nationalId: string; phienBanNguon: number; bamNoiDung: string; capNhatLuc: string; replayed: boolean }
export type WriteOp = 'create' | 'update';
export interface BatchItemLike {
  op: WriteOp;
  body: HoSoDon | LuotTiep;
  nationalId?: string;
  /** JSON.stringify(body), computed once by the sender (for its size check); the client sends it as is. */
  json?: string;
  /** bamNoiDung of a ho-so-don body with the placeholder linkage features, when known (contentDigest). */
  baseHash?: string;
}

export interface NationalPort {
  write(kind: RecordKind, op: WriteOp, body: HoSoDon | LuotTiep, nationalId?: string, opts?: { baseHash?: string }): Promise<WriteResultLike>;
  batch(kind: RecordKind, items: BatchItemLike[]): Promise<(WriteResultLike | Error)[]>;
  get(kind: RecordKind, nationalId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Shape of NationalError (src/national/errors.ts) as the worker reads it. */
export interface NationalErrorLike extends Error {
  code: string;
  status?: number;
  retryable: boolean;
  details: ChiTietLoi[];
  body?: Record<string, unknown>;
  retryAfterMs?: number;
  requestId?: string;
}

export function isNationalError(e: unknown): e is NationalErrorLike {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { retryable?: unknown }).retryable === 'boolean';
}
