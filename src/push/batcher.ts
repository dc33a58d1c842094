/**
 * Batching sender: push jobs running concurrently hand their write here; items of
 * one kind are sent together through the national batch endpoint (≤ 100 items, one
 * rate-limit token for the whole batch). Batches form adaptively: while
 * `maxInFlight` calls of a kind are under way, new items wait and the next call
 * carries all of them; an idle sender waits at most `lingerMs` for company. A
 * lone item goes through the single-write endpoint.
 */
import type { HoSoDon, LuotTiep, RecordKind } from '../contract/schemas.js';
import type { NationalPort, WriteOp, WriteResultLike } from './port.js';
import { pushLatency, pushBatchSize } from '../metrics.js';

interface Pending {
  op: WriteOp;
  body: HoSoDon | LuotTiep;
  /** JSON.stringify(body), made once when the item is taken into a batch. */
  json?: string;
  nationalId?: string;
  baseHash?: string;
  resolve(r: WriteResultLike): void;
  reject(e: unknown): void;
}

export interface BatchSenderOptions {
  /** Items per call (contract: ≤ 100 items and ≤ 5 MiB). */
  maxBatch?: number;
  /** Wait this long for more items before sending a partial batch. */
  lingerMs?: number;
  /** Calls in flight per kind. */
  maxInFlight?: number;
  /** Keep a batch under this many bytes of JSON (contract: 5 MiB). */
  maxBytes?: number;
}

export class BatchSender {
  private readonly q = new Map<RecordKind, Pending[]>();
  private readonly inFlight = new Map<RecordKind, number>();
  private readonly timers = new Map<RecordKind, NodeJS.Timeout>();
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly maxBytes: number;
  constructor(private readonly client: NationalPort, opts: BatchSenderOptions = {}) {
    this.maxBatch = Math.max(1, Math.min(100, opts.maxBatch ?? 100));
    this.lingerMs = opts.lingerMs ?? 5;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 4);
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  }

  /** `baseHash`: the idempotency key's base hash when known (src/national/client.ts contentDigest). */
  send(kind: RecordKind, op: WriteOp, body: HoSoDon | LuotTiep, nationalId?: string, baseHash?: string): Promise<WriteResultLike> {
    return new Promise((resolve, reject) => {
      const list = this.q.get(kind) ?? [];
      list.push({ op, body, ...(nationalId ? { nationalId } : {}), ...(baseHash ? { baseHash } : {}), resolve, reject });
      this.q.set(kind, list);
      this.pump(kind, false);
    });
  }

  private pump(kind: RecordKind, force: boolean): void {
    const list = this.q.get(kind);
    if (!list || list.length === 0) return;
    const busy = this.inFlight.get(kind) ?? 0;
    if (busy >= this.maxInFlight) return; // a finishing call pumps again
    if (list.length >= this.maxBatch || force || this.lingerMs <= 0) {
      const t = this.timers.get(kind);
      if (t) { clearTimeout(t); this.timers.delete(kind); }
      this.fire(kind);
      if ((this.q.get(kind)?.length ?? 0) > 0) this.pump(kind, false);
      return;
    }
    if (!this.timers.has(kind)) {
      this.timers.set(kind, setTimeout(() => {
        this.timers.delete(kind);
        this.pump(kind, true);
      }, this.lingerMs));
    }
  }

  private fire(kind: RecordKind): void {
    const list = this.q.get(kind) ?? [];
    const take: Pending[] = [];
    let bytes = 0;
    while (list.length && take.length < this.maxBatch) {
      const next = list[0]!;
      next.json ??= JSON.stringify(next.body);
      const size = next.json.length + 200;
      if (take.length > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      take.push(list.shift()!);
    }
    if (take.length === 0) return;
    this.inFlight.set(kind, (this.inFlight.get(kind) ?? 0) + 1);
    void this.call(kind, take).finally(() => {
      this.inFlight.set(kind, (this.inFlight.get(kind) ?? 1) - 1);
      this.pump(kind, true);
    });
  }

  private async call(kind: RecordKind, items: Pending[]): Promise<void> {
    const mode = items.length === 1 ? 'single' : 'batch';
    const end = pushLatency.startTimer({ kind, mode });
    pushBatchSize.observe({ kind }, items.length);
    try {
      if (items.length === 1) {
        const it = items[0]!;
        try {
          it.resolve(await this.client.write(kind, it.op, it.body, it.nationalId, it.baseHash ? { baseHash: it.baseHash } : undefined));
        } catch (e) {
          it.reject(e);
        }
        return;
      }
      let results: (WriteResultLike | Error)[];
      try {
        results = await this.client.batch(kind, items.map((i) => ({ op: i.op, body: i.body, ...(i.nationalId ? { nationalId: i.nationalId } : {}), ...(i.json !== undefined ? { json: i.json } : {}), ...(i.baseHash ? { baseHash: i.baseHash } : {}) })));
      } catch (e) {
        for (const i of items) i.reject(e); // whole call failed (network, 5xx, 429 after in-call retries): each job retries
        return;
      }
      items.forEach((it, n) => {
        const r = results[n];
        if (r === undefined) it.reject(new Error('batch answer shorter than the request'));
        else if (r instanceof Error) it.reject(r);
        else it.resolve(r);
      });
    } finally {
      end();
    }
  }

  /** Send whatever is waiting now (shutdown). */
  flushAll(): void {
    for (const kind of this.q.keys()) this.pump(kind, true);
  }
}
