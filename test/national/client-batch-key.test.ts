/**
 * The /lo envelope Idempotency-Key is deterministic from what is sent (same items → same key, also in another
 * client instance, i.e. after a restart; another set or order → another key), stale replayed envelopes fall back
 * to single writes, and batch() item rounds stay inside batchBudgetMs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { NationalError, batchKey, idempotencyKey, type BatchInput, type NationalClient, type WriteResult } from '../../src/national/client.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { sharedReference } from '../simulator/fixtures.js';
import { HOST, created, hoSo, mockToken, silent, testClient } from './helpers.js';

let clients: NationalClient[] = [];
const client = (...a: Parameters<typeof testClient>) => {
  const c = testClient(...a);
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  nock.cleanAll();
});

type Muc = { khoa: string; thaoTac: string; maHoSo?: string; duLieu: { maHoSoNguon: string } };
const items = (n: number, from = 0): BatchInput[] => Array.from({ length: n }, (_, i) => ({ op: 'create' as const, body: hoSo({ maHoSoNguon: `K-${from + i}` }) }));

describe('batch envelope key (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());

  /** Every /lo call answers 201 per item; returns the envelope keys seen. */
  function recordKeys(times: number): string[] {
    const keys: string[] = [];
    nock(HOST)
      .post('/api/v1/ho-so-don/lo')
      .times(times)
      .reply(function (_uri, body) {
        keys.push(this.req.headers['idempotency-key']!);
        return [200, { ketQua: (body as { muc: Muc[] }).muc.map((m) => ({ khoa: m.khoa, trangThai: 201, duLieu: created(`N-${m.duLieu.maHoSoNguon}`) })) }];
      });
    return keys;
  }

  it('the same items → the same key in two client instances (a restart); another set, order or national id → another key', async () => {
    mockToken(6);
    const keys = recordKeys(6);
    const a = items(3);
    await client().batch('ho-so-don', a);
    await client().batch('ho-so-don', structuredClone(a)); // a new instance: nothing in memory is shared
    await client().batch('ho-so-don', items(3, 1));
    await client().batch('ho-so-don', [...a].reverse());
    const upd = (id: string): BatchInput[] => [{ op: 'update', body: hoSo({ maHoSoNguon: 'K-0', phienBanNguon: 2 }), nationalId: id }, ...a.slice(1)];
    await client().batch('ho-so-don', upd('N-1'));
    await client().batch('ho-so-don', upd('N-2'));
    expect(keys).toHaveLength(6);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys).size).toBe(5);
    expect(keys[0]).toBe(batchKey('ho-so-don', a.map((it) => idempotencyKey('ho-so-don', it.op, it.body))));
    expect(keys[0]).toMatch(/^ho-so-don:lo:3:[0-9a-f]{64}$/);
  });

  it('items with a retryable error in a replayed envelope are re-sent as single writes under their own key', async () => {
    mockToken();
    const a = items(2);
    const k1 = idempotencyKey('ho-so-don', 'create', a[1]!.body);
    nock(HOST)
      .post('/api/v1/ho-so-don/lo')
      .reply(200, (_uri, body) => ({
        ketQua: (body as { muc: Muc[] }).muc.map((m, i) =>
          i === 0 ? { khoa: m.khoa, trangThai: 201, duLieu: created('N-0') } : { khoa: m.khoa, trangThai: 500, loi: { ma: 'LOI_HE_THONG', thongDiep: 'x' } },
        ),
      }), { 'Idempotent-Replayed': 'true' });
    let singleKey: string | undefined;
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .reply(function () {
        singleKey = this.req.headers['idempotency-key'];
        return [201, created('N-1')];
      });
    const out = await client().batch('ho-so-don', a);
    expect(out.map((r) => (r as WriteResult).nationalId)).toEqual(['N-0', 'N-1']);
    expect(singleKey).toBe(k1);
    expect(nock.isDone()).toBe(true);
  });

  it('item rounds stop when another one could outlast batchBudgetMs; the items keep their retryable error', async () => {
    mockToken(2);
    let calls = 0;
    nock(HOST)
      .post('/api/v1/ho-so-don/lo')
      .times(5)
      .delay(300)
      .reply(200, (_uri, body) => {
        calls++;
        return { ketQua: (body as { muc: Muc[] }).muc.map((m) => ({ khoa: m.khoa, trangThai: 503, loi: { ma: 'TAM_NGUNG', thongDiep: 'x' } })) };
      });
    // one call at worst: 3 · 1000 + 20 + 40 = 3 060 ms; round 1 fits (≈ 320 + 3 060 ≤ 3 600), round 2 does not (≈ 640 + 3 060)
    const c = client({ retries: 2, timeoutMs: 1000, retryMinMs: 10, retryMaxMs: 50, batchBudgetMs: 3600 });
    const out = await c.batch('ho-so-don', items(2));
    expect(calls).toBe(2);
    for (const r of out) expect([(r as NationalError).code, (r as NationalError).retryable]).toEqual(['TAM_NGUNG', true]);
    // without a budget all N + 1 rounds run
    calls = 0;
    const free = client({ retries: 2, timeoutMs: 1000, retryMinMs: 10, retryMaxMs: 50, batchBudgetMs: undefined });
    await free.batch('ho-so-don', items(2));
    expect(calls).toBe(3);
  });
});

describe('batch envelope key against the simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    sim = await startSimulator({ port: 0, quiet: true, reference: sharedReference(), limits: { enabled: false }, now: () => new Date('2026-03-31T03:00:00Z') });
  });
  afterAll(async () => {
    await sim.close();
  });

  const simClient = () => client({ baseUrl: sim.baseUrl, clientId: 'demo-connector', clientSecret: 'demo-secret', logger: silent });
  const body = (src: string) => ({
    maDonVi: '000.00.00.H29', maHoSoNguon: src, phienBanNguon: 1, ngayNhanDon: '2025-03-14', nguonDon: 'TRUC_TIEP', loaiDon: 'KIEN_NGHI_PHAN_ANH',
    linhVuc: 'HC.DD', noiDungTomTat: 'Kiến nghị về việc cấp giấy chứng nhận', anDanh: true, baoMatDanhTinh: false, soNguoi: 1, nguoiDungDon: [],
    dieuKienXuLy: 'DU_DIEU_KIEN', dacTrungLienKet: { thuatToan: 'none', khoa: [], dacTrung: {} },
  }) as unknown as BatchInput['body'];

  it('a restarted client re-sends the same batch: same envelope key, accepted (no 422), every item replayed, nothing applied twice', async () => {
    const batch: BatchInput[] = ['SK-1', 'SK-2', 'SK-3'].map((s) => ({ op: 'create', body: body(s) }));
    const ids = (out: (WriteResult | NationalError)[]) => out.map((r) => (r instanceof NationalError ? r.code : r.nationalId));
    const first = ids(await simClient().batch('ho-so-don', batch));
    expect(first.every((x) => /^HS-/.test(x))).toBe(true);
    const replaysBefore = sim.inspect().totals.replays;
    expect(ids(await simClient().batch('ho-so-don', batch))).toEqual(first);
    expect(sim.inspect().totals.replays - replaysBefore).toBe(3);
    // a different set gets a different key: the simulator would answer 422 KHOA_TRUNG_NOI_DUNG_KHAC to a reused one
    const more = ids(await simClient().batch('ho-so-don', [...batch, { op: 'create', body: body('SK-4') }]));
    expect(more.slice(0, 3)).toEqual(first);
    expect(more[3]).toMatch(/^HS-/);
    expect(sim.inspect().totals).toMatchObject({ creates: 4 });
    expect(sim.inspect().totals.byStatus['422']).toBeUndefined();
  });
});
