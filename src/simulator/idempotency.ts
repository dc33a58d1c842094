/**
 * Idempotency-Key store (contract §3), per client. What is stored is the answer the
 * server produced by processing the request; 401, 429, DANG_XU_LY and 5xx never are.
 * The fingerprint covers method, path and the canonical body, so the same key sent
 * as a single call or as a batch item (same operation, same body) replays the same answer.
 */
import { createHash } from 'node:crypto';

export const KEEP_MS = 72 * 3600_000;

export interface StoredAnswer {
  fingerprint: string;
  status: number;
  contentType: string;
  body: Buffer;
  at: number;
}

export function fingerprint(method: string, path: string, canonicalBody: string): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalBody}`).digest('hex');
}

/** 2xx and the processed 4xx (400, 403, 404, 409 except DANG_XU_LY, 413, 422). */
export function isStorable(status: number, ma?: string): boolean {
  if (status >= 200 && status < 300) return true;
  if (status === 409) return ma !== 'DANG_XU_LY';
  return [400, 403, 404, 413, 422].includes(status) && ma !== 'KHOA_TRUNG_NOI_DUNG_KHAC';
}

export type KeyState =
  | { state: 'new' }
  | { state: 'stored'; answer: StoredAnswer }
  | { state: 'mismatch' }
  | { state: 'in-flight' };

export class IdempotencyStore {
  readonly answers = new Map<string, StoredAnswer>();
  private readonly inFlight = new Map<string, string>();
  private readonly batchKeys = new Map<string, { fp: string; at: number }>();
  constructor(private readonly now: () => number) {}

  private k(client: string, key: string): string {
    return `${client}\u0000${key}`;
  }

  /** Look the key up; when new, it is marked in flight until `finish`. */
  begin(client: string, key: string, fp: string): KeyState {
    const k = this.k(client, key);
    const a = this.answers.get(k);
    if (a && this.now() - a.at > KEEP_MS) this.answers.delete(k);
    else if (a) return a.fingerprint === fp ? { state: 'stored', answer: a } : { state: 'mismatch' };
    const running = this.inFlight.get(k);
    if (running !== undefined) return running === fp ? { state: 'in-flight' } : { state: 'mismatch' };
    this.inFlight.set(k, fp);
    return { state: 'new' };
  }

  /**
   * Batch envelope keys: never stored as answers (each item is stored under its own
   * `khoa`, and a replayed envelope would freeze item 5xx answers), but remembered so that
   * the same key with another body is still 422 and a key in flight is 409.
   */
  beginBatch(client: string, key: string, fp: string): KeyState {
    const k = this.k(client, key);
    const seen = this.batchKeys.get(k);
    if (seen && this.now() - seen.at <= KEEP_MS && seen.fp !== fp) return { state: 'mismatch' };
    const running = this.inFlight.get(k);
    if (running !== undefined) return running === fp ? { state: 'in-flight' } : { state: 'mismatch' };
    this.inFlight.set(k, fp);
    this.batchKeys.set(k, { fp, at: this.now() });
    return { state: 'new' };
  }

  store(client: string, key: string, answer: Omit<StoredAnswer, 'at'>): void {
    this.answers.set(this.k(client, key), { ...answer, at: this.now() });
  }

  finish(client: string, key: string): void {
    this.inFlight.delete(this.k(client, key));
  }

  clear(): void {
    this.answers.clear();
    this.inFlight.clear();
    this.batchKeys.clear();
  }

  toJSON(): unknown {
    return [...this.answers.entries()].map(([k, a]) => ({ k, ...a, body: a.body.toString('base64') }));
  }
  load(rows: { k: string; fingerprint: string; status: number; contentType: string; body: string; at: number }[]): void {
    this.answers.clear();
    for (const r of rows) this.answers.set(r.k, { fingerprint: r.fingerprint, status: r.status, contentType: r.contentType, body: Buffer.from(r.body, 'base64'), at: r.at });
  }
}
