/** Shared set-up of the pipeline integration tests: simulator on port 0, unique Redis prefix, fast retries. */
process.env.LOG_LEVEL ??= 'error';
import { loadConfig, type Config } from '../../config/index.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { createNationalClient } from '../../src/national/client.js';
import type { NationalPort, WriteResultLike, BatchItemLike } from '../../src/push/port.js';
import type { HoSoDon, LuotTiep, RecordKind } from '../../src/contract/schemas.js';

export const OTHER_CLIENT = { id: 'other-connector', secret: 'other-secret', agencies: ['*'] };

export async function sim(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    host: '127.0.0.1', port: 0, quiet: true, limits: { enabled: false },
    clients: [{ id: 'demo-connector', secret: 'demo-secret', agencies: ['*'] }, OTHER_CLIENT],
    ...opts,
  });
}

export function testConfig(tag: string, s: RunningSimulator, over: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig({}, {
    REDIS_URL, KNTC_PREFIX: uniquePrefix(tag), NATIONAL_API_URL: s.baseUrl,
    NATIONAL_RATE_LIMIT_RPS: 2000, NATIONAL_RATE_BURST: 2000, NATIONAL_MAX_IN_FLIGHT: 8,
    NATIONAL_RETRIES: 3, NATIONAL_RETRY_MIN_MS: 20, NATIONAL_RETRY_MAX_MS: 200, NATIONAL_TIMEOUT_MS: 3000,
    JOB_BACKOFF_MS: 100, JOB_ATTEMPTS: 8, WORKER_CONCURRENCY: 8, LOG_LEVEL: 'error',
    ...over,
  });
}

export interface SentWrite { kind: RecordKind; op: 'create' | 'update'; maNguon: string; phienBanNguon: number; at: number }

/** A national client that records every write it is asked to send (in call order). */
export function spyClient(cfg: Config): NationalPort & { sent: SentWrite[]; inner: ReturnType<typeof createNationalClient> } {
  const inner = createNationalClient(cfg);
  const sent: SentWrite[] = [];
  const note = (kind: RecordKind, op: 'create' | 'update', body: HoSoDon | LuotTiep): void => {
    const b = body as unknown as Record<string, unknown>;
    sent.push({ kind, op, maNguon: String(b.maHoSoNguon ?? b.maLuotTiepNguon), phienBanNguon: Number(b.phienBanNguon), at: Date.now() });
  };
  return {
    sent, inner,
    write(kind, op, body, nid): Promise<WriteResultLike> {
      note(kind, op, body);
      return inner.write(kind, op, body, nid);
    },
    batch(kind, items: BatchItemLike[]) {
      for (const i of items) note(kind, i.op, i.body);
      return inner.batch(kind, items);
    },
    get: (kind, id) => inner.get(kind, id),
    close: () => inner.close(),
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every queue drained: nothing waiting, active, delayed or failed. */
export function drained(counts: Record<string, Record<string, number>>): boolean {
  return Object.values(counts).every((c) => (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.failed ?? 0) === 0);
}
