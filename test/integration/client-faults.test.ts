/**
 * Exactly-once creates through faults: the national client against the project's own simulator over real HTTP,
 * with ~20 % of requests failing — 5xx, resets and hangs, before AND after the write was applied. Every create
 * must land exactly once (creates === 1 per record, none missing, no DA_TON_TAI), which only holds if every
 * retry carries the same Idempotency-Key as the attempt it repeats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startSimulator, type InspectReport, type RunningSimulator } from '../../src/simulator/index.js';
import { createNationalClient, type NationalClient, type WriteResult } from '../../src/national/client.js';
import type { HoSoDon } from '../../src/contract/schemas.js';

const TOTAL = 1000;
const CONCURRENCY = 20;

let sim: RunningSimulator;
let client: NationalClient;

beforeAll(async () => {
  sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    quiet: true,
    limits: { enabled: false },
    faults: {
      seed: 20251122,
      // ≈ 20 % of API calls: 5xx before (4 %) and after (5 %) the write, resets before (3 %) and after (4 %),
      // hangs before (2 %) and after (2 %). No 503 here: its Retry-After (≥ 1 s) would pause the whole client.
      errorRate: { 500: 0.02, 502: 0.01, 504: 0.01 },
      errorAfterRate: { 500: 0.03, 502: 0.01, 504: 0.01 },
      resetBeforeRate: 0.03,
      resetAfterRate: 0.04,
      hangRate: 0.02,
      hangAfterRate: 0.02,
      hangMs: 3000,
    },
  });
  client = createNationalClient({
    baseUrl: sim.baseUrl,
    clientId: 'demo-connector',
    clientSecret: 'demo-secret',
    timeoutMs: 1500,
    rateLimitRps: 100_000,
    rateBurst: 10_000,
    maxInFlight: CONCURRENCY,
    retries: 10,
    retryMinMs: 5,
    retryMaxMs: 200,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

function body(i: number, maDonVi: string): HoSoDon {
  return {
    maDonVi,
    maHoSoNguon: `FLT-${String(i).padStart(5, '0')}`,
    phienBanNguon: 1,
    ngayNhanDon: '2025-09-01',
    nguonDon: 'BUU_CHINH',
    loaiDon: 'KIEN_NGHI_PHAN_ANH',
    linhVuc: 'HC.DD',
    noiDungTomTat: `Kiến nghị số ${i} về việc cấp giấy chứng nhận quyền sử dụng đất`,
    anDanh: true,
    baoMatDanhTinh: false,
    soNguoi: 1,
    nguoiDungDon: [],
    dieuKienXuLy: 'DU_DIEU_KIEN',
    dacTrungLienKet: { thuatToan: 'none', khoa: [], dacTrung: {} },
  };
}

describe('national client through injected faults (simulator)', () => {
  it(`${TOTAL} creates at concurrency ${CONCURRENCY}: every record created exactly once`, async () => {
    const agencies = sim.reference.donVi.filter((d) => d.cap === 'TINH').slice(0, 5).map((d) => d.ma);
    expect(agencies.length).toBeGreaterThan(0);
    const bodies = Array.from({ length: TOTAL }, (_, i) => body(i, agencies[i % agencies.length]!));
    const results: (WriteResult | Error)[] = new Array(TOTAL);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const i = next++;
          results[i] = await client.write('ho-so-don', 'create', bodies[i]!).catch((e: unknown) => e as Error);
        }
      }),
    );
    const elapsed = performance.now() - t0;

    const failures = results.filter((r) => r instanceof Error) as (Error & { code?: string })[];
    expect(failures.map((f) => f.code ?? f.message)).toEqual([]);

    // Read the inspection endpoint over HTTP, as an operator would.
    const res = await fetch(`${sim.origin}/_sim/inspect`, { headers: { Authorization: `Bearer ${sim.adminToken}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as InspectReport;
    const recs = Object.values(report.records).filter((r) => r.kind === 'ho-so-don' && r.maNguon.startsWith('FLT-'));
    expect(recs).toHaveLength(TOTAL);
    expect(recs.filter((r) => r.creates !== 1).map((r) => `${r.maNguon}:${r.creates}`)).toEqual([]);
    expect(recs.every((r) => r.updates === 0)).toBe(true);
    const byNguon = new Map(recs.map((r) => [`${r.maDonVi}|${r.maNguon}`, r]));
    bodies.forEach((b, i) => {
      const rec = byNguon.get(`${b.maDonVi}|${b.maHoSoNguon}`);
      expect(rec, b.maHoSoNguon).toBeDefined();
      expect((results[i] as WriteResult).nationalId).toBe(rec!.nationalId);
    });
    expect(report.totals.creates).toBe(TOTAL);

    // The faults really happened, including after the write had been applied, and were absorbed by replays.
    const f = report.totals.faults;
    const sum = (pred: (k: string) => boolean) => Object.entries(f).filter(([k]) => pred(k)).reduce((s, [, v]) => s + v, 0);
    const after = sum((k) => k.startsWith('after:'));
    const total = sum(() => true);
    expect(after).toBeGreaterThan(50);
    expect(total / report.totals.requests).toBeGreaterThan(0.12);
    expect(report.totals.replays).toBeGreaterThan(50);
    const s = client.stats();
    expect(s.retries).toBeGreaterThanOrEqual(total - 5);
    expect(s.timeouts + s.resets).toBeGreaterThan(20);
    expect(results.filter((r) => (r as WriteResult).replayed).length).toBeGreaterThan(50);
    expect(elapsed).toBeLessThan(60_000);
  }, 90_000);

  it('500 creates through /lo batches of 50 (envelope and item faults): every record created exactly once', async () => {
    const agencies = sim.reference.donVi.filter((d) => d.cap === 'TINH').slice(0, 3).map((d) => d.ma);
    const bodies = Array.from({ length: 500 }, (_, i) => ({ ...body(i, agencies[i % agencies.length]!), maHoSoNguon: `BAT-${String(i).padStart(5, '0')}` }));
    const batches = Array.from({ length: 10 }, (_, k) => bodies.slice(k * 50, k * 50 + 50));
    const out = (await Promise.all(batches.map((b) => client.batch('ho-so-don', b.map((x) => ({ op: 'create' as const, body: x })))))).flat();
    expect(out.filter((r) => r instanceof Error).map((e) => (e as Error & { code: string }).code)).toEqual([]);
    const report = sim.inspect();
    const recs = Object.values(report.records).filter((r) => r.kind === 'ho-so-don' && r.maNguon.startsWith('BAT-'));
    expect(recs).toHaveLength(500);
    expect(recs.filter((r) => r.creates !== 1).map((r) => `${r.maNguon}:${r.creates}`)).toEqual([]);
    const ids = new Map(recs.map((r) => [r.maNguon, r.nationalId]));
    bodies.forEach((b, i) => expect((out[i] as WriteResult).nationalId).toBe(ids.get(b.maHoSoNguon)));
    const itemFaults = Object.entries(report.totals.faults).filter(([k]) => k.startsWith('item-')).reduce((s, [, v]) => s + v, 0);
    expect(itemFaults).toBeGreaterThan(5);
  }, 60_000);

  it('an expired token is refreshed once and the call succeeds (real 401 invalid_token)', async () => {
    const id = Object.values(sim.inspect().records).find((r) => r.maNguon.startsWith('FLT-'))!.nationalId;
    sim.setFaults({});
    const before = client.stats();
    sim.expireTokens();
    const rec = await client.get('ho-so-don', id);
    expect(rec.maHoSo).toBe(id);
    const after = client.stats();
    expect(after.tokenRefreshes - before.tokenRefreshes).toBe(1);
    expect(after.tokenFetches - before.tokenFetches).toBe(1);
  });
});

describe('client-side limits stay under the national limits (simulator limits on)', () => {
  it('default client settings (18/s, burst 18, 6 in flight) never get a 429 from 20/s, burst 40, 8 in flight', async () => {
    const limited = await startSimulator({ host: '127.0.0.1', port: 0, quiet: true, limits: { enabled: true, ratePerSec: 20, burst: 40, maxInFlight: 8 } });
    const c = createNationalClient({
      baseUrl: limited.baseUrl,
      clientId: 'demo-connector',
      clientSecret: 'demo-secret',
      timeoutMs: 5000,
      rateLimitRps: 18,
      rateBurst: 18,
      maxInFlight: 6,
      retries: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const maDonVi = limited.reference.donVi[0]!.ma;
      const t0 = performance.now();
      // 60 calls at once: the bucket admits 18 immediately, then 18/s
      const res = await Promise.all(Array.from({ length: 60 }, (_, i) => c.write('ho-so-don', 'create', { ...body(i, maDonVi), maHoSoNguon: `LIM-${i}` })));
      const elapsed = performance.now() - t0;
      expect(res).toHaveLength(60);
      const totals = limited.inspect().totals;
      expect(totals.rateLimited + totals.concurrencyLimited).toBe(0);
      expect(c.stats().rateLimited).toBe(0);
      expect(elapsed).toBeGreaterThanOrEqual(((60 - 18 - 1) / 18) * 1000 - 100); // one token is the OAuth call
    } finally {
      await c.close();
      await limited.close();
    }
  }, 30_000);
});
