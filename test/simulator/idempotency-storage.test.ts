/**
 * What the idempotency store keeps (contract §3), over HTTP: 401 and 429 are not stored (a retry with the same
 * key after the cause is gone is processed); 403, 404, 409 DA_TON_TAI and 413 are stored and replayed byte for
 * byte (maYeuCau of the first answer included) with Idempotent-Replayed: true.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startTestSim, getToken, call, uniqueKey, type Reply } from './harness.js';
import { hoSoDon } from './fixtures.js';

let sim: RunningSimulator;
let tok: string;

beforeAll(async () => {
  sim = await startTestSim({
    clients: [
      { id: 'demo-connector', secret: 'demo-secret', agencies: ['*'], ratePerSec: 1000, burst: 1000 },
      { id: 'kon-tum', secret: 'kt-secret', agencies: ['tinh:51'], ratePerSec: 1000, burst: 1000 },
      // one request at a time: the second one in flight is refused with 429
      { id: 'one-at-a-time', secret: 'one-secret', agencies: ['*'], ratePerSec: 1000, burst: 1000, maxInFlight: 1 },
    ],
  });
  tok = await getToken(sim);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  sim.setFaults({});
});

const replayed = (r: Reply) => r.headers.get('idempotent-replayed');

function expectReplayOf(first: Reply, again: Reply, status: number, ma: string): void {
  expect([first.status, first.json?.ma, replayed(first)]).toEqual([status, ma, null]);
  expect(again.status).toBe(status);
  expect(replayed(again)).toBe('true');
  // byte for byte: the replay even carries the request id of the first answer
  expect(again.bytes.equals(first.bytes)).toBe(true);
}

describe('answers that are NOT stored: the retry with the same key is processed', () => {
  it('401 (unknown token), then the same key with a valid token → 201, not a replay', async () => {
    const key = uniqueKey('401');
    const a = await call(sim, 'not-a-token', 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect([a.status, a.json.ma]).toEqual([401, 'CHUA_XAC_THUC']);
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(b.status).toBe(201);
    expect(replayed(b)).toBeNull();
    expect(sim.inspect().totals.creates).toBe(1);
  });

  it('401 (token expired while the key was in use), then a fresh token → 201, not a replay', async () => {
    const t = await getToken(sim);
    sim.expireTokens();
    const key = uniqueKey('401e');
    const a = await call(sim, t, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(a.status).toBe(401);
    tok = await getToken(sim);
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect([b.status, replayed(b)]).toEqual([201, null]);
  });

  it('429 (over the in-flight limit), then the same key once the limit frees → 201, not a replay', async () => {
    const one = await getToken(sim, 'one-at-a-time', 'one-secret');
    sim.setFaults({ latency: { minMs: 400, maxMs: 400 }, match: '^GET /ho-so-don$' });
    const slow = call(sim, one, 'GET', '/ho-so-don?maDonVi=000.00.00.H29');
    await new Promise((r) => setTimeout(r, 100));
    const key = uniqueKey('429');
    const a = await call(sim, one, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect([a.status, a.json.ma]).toEqual([429, 'VUOT_HAN_MUC']);
    expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(sim.inspect().totals.records).toBe(0);
    expect((await slow).status).toBe(200);
    const b = await call(sim, one, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect([b.status, replayed(b)]).toEqual([201, null]);
    expect(sim.inspect().totals).toMatchObject({ creates: 1, concurrencyLimited: 1 });
  });
});

describe('answers that ARE stored and replayed byte for byte', () => {
  it('403 KHONG_CO_QUYEN', async () => {
    const kt = await getToken(sim, 'kon-tum', 'kt-secret');
    const key = uniqueKey('403');
    const a = await call(sim, kt, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    const b = await call(sim, kt, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expectReplayOf(a, b, 403, 'KHONG_CO_QUYEN');
  });

  it('404 KHONG_TIM_THAY (cancel of an unknown record)', async () => {
    const key = uniqueKey('404');
    const a = await call(sim, tok, 'POST', '/ho-so-don/HS-000000404/huy', { body: { lyDo: 'Nhập nhầm' }, key });
    const b = await call(sim, tok, 'POST', '/ho-so-don/HS-000000404/huy', { body: { lyDo: 'Nhập nhầm' }, key });
    expectReplayOf(a, b, 404, 'KHONG_TIM_THAY');
  });

  it('409 DA_TON_TAI: still replayed after the record moved on to a newer version', async () => {
    const c = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('c') });
    const key = uniqueKey('409');
    const a = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(a.json).toMatchObject({ maHoSo: c.json.maHoSo, phienBanNguon: 1 });
    expect((await call(sim, tok, 'PUT', `/ho-so-don/${c.json.maHoSo}`, { body: hoSoDon({ phienBanNguon: 2 }) })).status).toBe(200);
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expectReplayOf(a, b, 409, 'DA_TON_TAI');
    expect(b.json.phienBanNguon).toBe(1); // the stored answer, not a new one (the record is at version 2 now)
  });

  it('413 QUA_KICH_THUOC for a single record over 256 KiB; the same key with another large body → 422', async () => {
    const big = hoSoDon({ dacTrungLienKet: { thuatToan: 'x', khoa: [], dacTrung: { pad: 'x'.repeat(270_000) } } });
    const key = uniqueKey('413');
    const a = await call(sim, tok, 'POST', '/ho-so-don', { body: big, key });
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body: big, key });
    expectReplayOf(a, b, 413, 'QUA_KICH_THUOC');
    const other = hoSoDon({ dacTrungLienKet: { thuatToan: 'x', khoa: [], dacTrung: { pad: 'y'.repeat(270_000) } } });
    const c = await call(sim, tok, 'POST', '/ho-so-don', { body: other, key });
    expect([c.status, c.json.ma]).toEqual([422, 'KHOA_TRUNG_NOI_DUNG_KHAC']);
  });

  it('order of checks: a too-large body without a key is refused for the key (400), not for its size', async () => {
    const big = hoSoDon({ dacTrungLienKet: { thuatToan: 'x', khoa: [], dacTrung: { pad: 'x'.repeat(270_000) } } });
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: big });
    expect([r.status, r.json.ma]).toEqual([400, 'THIEU_KHOA_LUY_DANG']);
  });
});
