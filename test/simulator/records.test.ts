import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { bamNoiDung } from '../../src/contract/hash.js';
import { startTestSim, getToken, call, admin, uniqueKey } from './harness.js';
import { hoSoDon, luotTiep, withAt } from './fixtures.js';

let sim: RunningSimulator;
let tok: string;
let clock = new Date('2026-03-31T03:00:00Z').getTime();

beforeAll(async () => {
  sim = await startTestSim({
    now: () => new Date(clock),
    tokenTtlSec: 60,
    limits: { enabled: false },
    clients: [
      { id: 'demo-connector', secret: 'demo-secret', agencies: ['*'] },
      { id: 'kon-tum', secret: 'kt-secret', agencies: ['tinh:51'] },
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

describe('authentication and request ids', () => {
  it('rejects bad client credentials with 401 CHUA_XAC_THUC', async () => {
    const r = await fetch(`${sim.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo-connector&client_secret=wrong',
    });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { ma: string }).ma).toBe('CHUA_XAC_THUC');
  });

  it('issues a bearer token with expires_in', async () => {
    const r = await fetch(`${sim.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo-connector&client_secret=demo-secret',
    });
    expect(await r.json()).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 60 });
  });

  it('answers an expired token with 401 and WWW-Authenticate invalid_token', async () => {
    const t = await getToken(sim);
    expect((await call(sim, t, 'GET', '/danh-muc/loai-don')).status).toBe(200);
    clock += 61_000;
    const r = await call(sim, t, 'GET', '/danh-muc/loai-don');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(r.json.ma).toBe('CHUA_XAC_THUC');
    tok = await getToken(sim);
  });

  it('forced token expiry (admin) invalidates issued tokens', async () => {
    const t = await getToken(sim);
    expect((await admin(sim, 'POST', '/_sim/expire-tokens', {})).status).toBe(200);
    const r = await call(sim, t, 'GET', '/danh-muc/loai-don');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('invalid_token');
    tok = await getToken(sim);
  });

  it('echoes X-Request-Id and puts it in error bodies as maYeuCau', async () => {
    const r = await call(sim, undefined, 'GET', '/ho-so-don?maDonVi=000.00.00.H29', { headers: { 'x-request-id': 'req-abc-1' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('x-request-id')).toBe('req-abc-1');
    expect(r.json.maYeuCau).toBe('req-abc-1');
    const r2 = await call(sim, tok, 'GET', '/danh-muc/tinh');
    expect(r2.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('admin endpoints need the admin token', async () => {
    const r = await fetch(`${sim.origin}/_sim/inspect`);
    expect(r.status).toBe(401);
  });
});

describe('ho-so-don create / update / versions', () => {
  it('creates (201) with bamNoiDung of the JCS body, then DA_TON_TAI with maHoSo and phienBanNguon', async () => {
    const body = hoSoDon();
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body, key: uniqueKey('c') });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ maHoSo: expect.any(String), phienBanNguon: 1, bamNoiDung: bamNoiDung(body), capNhatLuc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const again = await call(sim, tok, 'POST', '/ho-so-don', { body: { ...body, phienBanNguon: 2 }, key: uniqueKey('c') });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ ma: 'DA_TON_TAI', maHoSo: r.json.maHoSo, phienBanNguon: 1 });
    const got = await call(sim, tok, 'GET', `/ho-so-don/${r.json.maHoSo}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual({ ...body, maHoSo: r.json.maHoSo, bamNoiDung: bamNoiDung(body), capNhatLuc: r.json.capNhatLuc, trangThai: 'HOAT_DONG' });
  });

  it('PUT: newer applies, older → PHIEN_BAN_CU, same version same content → no-op, other content → XUNG_DOT_PHIEN_BAN', async () => {
    const v1 = hoSoDon({ maHoSoNguon: 'LC25-000311' });
    const c = await call(sim, tok, 'POST', '/ho-so-don', { body: v1, key: uniqueKey('c') });
    const id = c.json.maHoSo as string;
    const v3 = { ...v1, phienBanNguon: 3, noiDungTomTat: v1.noiDungTomTat + ' Đôn đốc.' };
    const u3 = await call(sim, tok, 'PUT', `/ho-so-don/${id}`, { body: v3 });
    expect(u3.status).toBe(200);
    expect(u3.json.phienBanNguon).toBe(3);
    expect(u3.json.capNhatLuc > c.json.capNhatLuc).toBe(true);

    const v2 = { ...v1, phienBanNguon: 2 };
    const old = await call(sim, tok, 'PUT', `/ho-so-don/${id}`, { body: v2 });
    expect(old.status).toBe(409);
    expect(old.json).toMatchObject({ ma: 'PHIEN_BAN_CU', phienBanNguon: 3 });

    const noop = await call(sim, tok, 'PUT', `/ho-so-don/${id}`, { body: v3 });
    expect(noop.status).toBe(200);
    expect(noop.json.capNhatLuc).toBe(u3.json.capNhatLuc);

    const clash = await call(sim, tok, 'PUT', `/ho-so-don/${id}`, { body: { ...v3, soNguoi: 2 } });
    expect(clash.status).toBe(409);
    expect(clash.json.ma).toBe('XUNG_DOT_PHIEN_BAN');

    const moved = await call(sim, tok, 'PUT', `/ho-so-don/${id}`, { body: { ...v3, phienBanNguon: 4, maHoSoNguon: 'OTHER' } });
    expect(moved.status).toBe(422);
    expect(moved.json.chiTiet).toContainEqual(expect.objectContaining({ truong: '/maHoSoNguon', ma: 'KHONG_NHAT_QUAN' }));

    const rec = sim.inspect().records['ho-so-don|000.00.00.H29|LC25-000311'];
    expect(rec).toMatchObject({ creates: 1, updates: 1, noops: 1, phienBanNguon: 3, nationalId: id });
    expect((await call(sim, tok, 'GET', `/ho-so-don/${id}`)).json.phienBanNguon).toBe(3);
  });

  it('unknown maHoSo → 404 KHONG_TIM_THAY', async () => {
    const r = await call(sim, tok, 'PUT', '/ho-so-don/HS-999999999', { body: hoSoDon() });
    expect(r.status).toBe(404);
    expect(r.json.ma).toBe('KHONG_TIM_THAY');
  });

  it('422 DU_LIEU_KHONG_HOP_LE lists every failure', async () => {
    const bad = withAt(withAt(hoSoDon({ loaiDon: 'TO_CAO', soNguoi: null }), '/nguoiDungDon/0/soDinhDanh', '036188002415'), '/nguoiDungDon/0/diaChi/maTinh', '62');
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: bad, key: uniqueKey('v') });
    expect(r.status).toBe(422);
    expect(r.json.ma).toBe('DU_LIEU_KHONG_HOP_LE');
    expect(r.json.maYeuCau).toEqual(expect.any(String));
    const seen = (r.json.chiTiet as { truong: string; ma: string }[]).map((e) => `${e.truong} ${e.ma}`);
    expect(seen).toEqual(expect.arrayContaining(['/soNguoi SAI_KIEU', '/baoMatDanhTinh KHONG_NHAT_QUAN', '/nguoiDungDon/0/soDinhDanh DINH_DANH_KHONG_HOP_LE', '/nguoiDungDon/0/diaChi/maTinh MA_HET_HIEU_LUC']));
  });

  it('cancel (huy) → DA_HUY with a new capNhatLuc; the record stays readable', async () => {
    const c = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('c') });
    const h = await call(sim, tok, 'POST', `/ho-so-don/${c.json.maHoSo}/huy`, { body: { lyDo: 'Nhập nhầm' }, key: uniqueKey('h') });
    expect(h.status).toBe(200);
    expect(h.json.trangThai).toBe('DA_HUY');
    expect(h.json.capNhatLuc > c.json.capNhatLuc).toBe(true);
    expect((await call(sim, tok, 'GET', `/ho-so-don/${c.json.maHoSo}`)).json.trangThai).toBe('DA_HUY');
  });

  it('413 QUA_KICH_THUOC for a record over 256 KiB', async () => {
    const big = hoSoDon({ dacTrungLienKet: { thuatToan: 'x', khoa: [], dacTrung: { pad: 'x'.repeat(270_000) } } });
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: big, key: uniqueKey('big') });
    expect(r.status).toBe(413);
    expect(r.json.ma).toBe('QUA_KICH_THUOC');
  });
});

describe('agency scope (403)', () => {
  it('a client for province 51 may write and read 51 agencies only', async () => {
    const kt = await getToken(sim, 'kon-tum', 'kt-secret');
    const other = await call(sim, kt, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('s') });
    expect(other.status).toBe(403);
    expect(other.json.ma).toBe('KHONG_CO_QUYEN');
    expect((await call(sim, kt, 'GET', '/ho-so-don?maDonVi=000.00.00.H29')).status).toBe(403);
    const mine = await call(sim, kt, 'POST', '/ho-so-don', { body: hoSoDon({ maDonVi: '000.00.00.H34', maHoSoNguon: 'KT25-0041-D' }), key: uniqueKey('s') });
    expect(mine.status).toBe(201);
    const lc = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('s') });
    expect((await call(sim, kt, 'GET', `/ho-so-don/${lc.json.maHoSo}`)).status).toBe(403);
    expect((await call(sim, kt, 'GET', `/ho-so-don/${mine.json.maHoSo}`)).status).toBe(200);
  });
});

describe('idempotency (§3)', () => {
  it('a POST without Idempotency-Key → 400 THIEU_KHOA_LUY_DANG', async () => {
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon() });
    expect(r.status).toBe(400);
    expect(r.json.ma).toBe('THIEU_KHOA_LUY_DANG');
    const bad = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: 'has space' });
    expect(bad.json.ma).toBe('THIEU_KHOA_LUY_DANG');
  });

  it('replays the stored answer byte for byte with Idempotent-Replayed: true', async () => {
    const key = uniqueKey('r');
    const first = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    const second = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(sim.inspect().totals.creates).toBe(1);
  });

  it('stores validation answers (422) too and replays them', async () => {
    const key = uniqueKey('r422');
    const body = hoSoDon({ linhVuc: 'HC' });
    const a = await call(sim, tok, 'POST', '/ho-so-don', { body, key });
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body, key });
    expect(a.status).toBe(422);
    expect(b.status).toBe(422);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('same key with a different body → 422 KHOA_TRUNG_NOI_DUNG_KHAC', async () => {
    const key = uniqueKey('k');
    await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon({ soNguoi: 2 }), key });
    expect(r.status).toBe(422);
    expect(r.json.ma).toBe('KHOA_TRUNG_NOI_DUNG_KHAC');
  });

  it('same key while the first is in flight → 409 DANG_XU_LY (not stored)', async () => {
    sim.setFaults({ latency: { minMs: 300, maxMs: 300 }, match: '^POST /ho-so-don$' });
    const key = uniqueKey('f');
    const slow = call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    await new Promise((r) => setTimeout(r, 80));
    const busy = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(busy.status).toBe(409);
    expect(busy.json.ma).toBe('DANG_XU_LY');
    expect((await slow).status).toBe(201);
    sim.setFaults({});
    const after = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a 5xx before processing is not stored: the retry is processed', async () => {
    sim.setFaults({ script: [{ when: 'before', action: 'error', status: 500 }] });
    const key = uniqueKey('e');
    const a = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(a.status).toBe(500);
    expect(a.json.ma).toBe('LOI_HE_THONG');
    expect(sim.inspect().totals.records).toBe(0);
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('applied but the client never heard (reset after processing): the retry gets the stored answer', async () => {
    sim.setFaults({ script: [{ when: 'after', action: 'reset' }] });
    const key = uniqueKey('a');
    await expect(call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key })).rejects.toThrow();
    expect(sim.inspect().totals.creates).toBe(1);
    const retry = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.inspect().totals.creates).toBe(1);
  });

  it('applied then answered 503 (after fault): Retry-After is set and the retry replays 201', async () => {
    sim.setFaults({ retryAfterSec: 3, script: [{ when: 'after', action: 'error', status: 503 }] });
    const key = uniqueKey('a503');
    const a = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('3');
    const b = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(b.status).toBe(201);
    expect(sim.inspect().totals.creates).toBe(1);
  });
});

describe('batch (/lo)', () => {
  it('processes items independently, each under its own khoa', async () => {
    const ok = hoSoDon({ maHoSoNguon: 'B-1' });
    const invalid = hoSoDon({ maHoSoNguon: 'B-2', linhVuc: 'HC' });
    const body = { muc: [
      { khoa: uniqueKey('i'), thaoTac: 'TAO', duLieu: ok },
      { khoa: uniqueKey('i'), thaoTac: 'TAO', duLieu: invalid },
      { khoa: uniqueKey('i'), thaoTac: 'CAP_NHAT', maHoSo: 'HS-404', duLieu: ok },
    ] };
    const r = await call(sim, tok, 'POST', '/ho-so-don/lo', { body, key: uniqueKey('lo') });
    expect(r.status).toBe(200);
    const k = r.json.ketQua as { khoa: string; trangThai: number; duLieu?: Record<string, unknown>; loi?: Record<string, unknown> }[];
    expect(k.map((x) => x.trangThai)).toEqual([201, 422, 404]);
    expect(k.map((x) => x.khoa)).toEqual(body.muc.map((m) => m.khoa));
    expect(k[0]?.duLieu).toMatchObject({ maHoSo: expect.any(String), bamNoiDung: bamNoiDung(ok) });
    expect(k[1]?.loi).toMatchObject({ ma: 'DU_LIEU_KHONG_HOP_LE', chiTiet: [expect.objectContaining({ truong: '/linhVuc' })] });
    // the same batch again (new batch key): every item replays its stored answer; nothing is applied twice
    const again = await call(sim, tok, 'POST', '/ho-so-don/lo', { body, key: uniqueKey('lo') });
    expect(again.json.ketQua).toEqual(r.json.ketQua);
    expect(sim.inspect().totals.creates).toBe(1);
    // an item key reused as a single call with the same operation and body replays too
    const single = await call(sim, tok, 'POST', '/ho-so-don', { body: ok, key: body.muc[0]?.khoa });
    expect(single.status).toBe(201);
    expect(single.headers.get('idempotent-replayed')).toBe('true');
  });

  it('an item applied but answered 500 (after fault) replays 201 on retry', async () => {
    sim.setFaults({ script: [{ when: 'after', action: 'error', status: 500, match: '^POST /ho-so-don$' }] });
    const item = { khoa: uniqueKey('ia'), thaoTac: 'TAO', duLieu: hoSoDon({ maHoSoNguon: 'B-9' }) };
    const a = await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc: [item] }, key: uniqueKey('lo') });
    expect(a.json.ketQua[0].trangThai).toBe(500);
    const b = await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc: [item] }, key: uniqueKey('lo') });
    expect(b.json.ketQua[0].trangThai).toBe(201);
    expect(sim.inspect().totals.creates).toBe(1);
  });

  it('the batch key itself: required, and reused with another body → 422', async () => {
    const item = { khoa: uniqueKey('bk'), thaoTac: 'TAO', duLieu: hoSoDon({ maHoSoNguon: 'B-K' }) };
    expect((await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc: [item] } })).json.ma).toBe('THIEU_KHOA_LUY_DANG');
    const key = uniqueKey('lo');
    expect((await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc: [item] }, key })).status).toBe(200);
    const other = await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc: [{ ...item, khoa: uniqueKey('bk') }] }, key });
    expect(other.status).toBe(422);
    expect(other.json.ma).toBe('KHOA_TRUNG_NOI_DUNG_KHAC');
  });

  it('luot-tiep batch: TAO then CAP_NHAT by maLuotTiep', async () => {
    const body = luotTiep({ maLuotTiepNguon: 'KT25-0200' });
    const a = await call(sim, tok, 'POST', '/luot-tiep/lo', { body: { muc: [{ khoa: uniqueKey('lt'), thaoTac: 'TAO', duLieu: body }] }, key: uniqueKey('lo') });
    const id = a.json.ketQua[0].duLieu.maLuotTiep as string;
    expect(a.json.ketQua[0].trangThai).toBe(201);
    const b = await call(sim, tok, 'POST', '/luot-tiep/lo', { body: { muc: [{ khoa: uniqueKey('lt'), thaoTac: 'CAP_NHAT', maLuotTiep: id, duLieu: { ...body, phienBanNguon: 2 } }] }, key: uniqueKey('lo') });
    expect(b.json.ketQua[0]).toMatchObject({ trangThai: 200, duLieu: { maLuotTiep: id, phienBanNguon: 2 } });
  });

  it('over 100 items → 413', async () => {
    const muc = Array.from({ length: 101 }, (_, i) => ({ khoa: `k${i}`, thaoTac: 'TAO', duLieu: {} }));
    const r = await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc }, key: uniqueKey('lo') });
    expect(r.status).toBe(413);
  });
});

describe('luot-tiep (§8)', () => {
  it('create, DA_TON_TAI with maLuotTiep, update, listing, validation', async () => {
    const body = luotTiep();
    const c = await call(sim, tok, 'POST', '/luot-tiep', { body, key: uniqueKey('lt') });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ maLuotTiep: expect.any(String), phienBanNguon: 1, bamNoiDung: bamNoiDung(body) });
    const dup = await call(sim, tok, 'POST', '/luot-tiep', { body, key: uniqueKey('lt') });
    expect(dup.json).toMatchObject({ ma: 'DA_TON_TAI', maLuotTiep: c.json.maLuotTiep, phienBanNguon: 1 });
    const u = await call(sim, tok, 'PUT', `/luot-tiep/${c.json.maLuotTiep}`, { body: { ...body, phienBanNguon: 2 } });
    expect(u.status).toBe(200);
    const l = await call(sim, tok, 'GET', '/luot-tiep?maDonVi=000.00.00.H34');
    expect(l.json.duLieu).toEqual([expect.objectContaining({ maLuotTiep: c.json.maLuotTiep, maLuotTiepNguon: 'KT25-0041', phienBanNguon: 2, trangThai: 'HOAT_DONG' })]);
    const bad = await call(sim, tok, 'POST', '/luot-tiep', { body: luotTiep({ maLuotTiepNguon: 'KT25-0099', soNguoi: 6 }), key: uniqueKey('lt') });
    expect(bad.status).toBe(422);
    expect(bad.json.chiTiet).toContainEqual(expect.objectContaining({ truong: '/congDan/0/laDaiDien', ma: 'KHONG_NHAT_QUAN' }));
  });
});
