/**
 * National client: retry, idempotency, auth, Retry-After, reset and timeout paths (nock, no network).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';
import { NationalError, type NationalClient } from '../../src/national/client.js';
import { BASE, HOST, created, hoSo, mockToken, sleep, testClient } from './helpers.js';

interface Seen { t: number; key?: string; rid?: string; auth?: string; body?: unknown }
const record = (into: Seen[]) =>
  function (this: nock.ReplyFnContext, _uri: string, body: unknown): void {
    into.push({ t: performance.now(), key: this.req.headers['idempotency-key'], rid: this.req.headers['x-request-id'], auth: this.req.headers.authorization, body });
  };

/** nock 14 only fails the request when given an Error instance (a plain `{code}` object leaves it hanging). */
const econnreset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

let clients: NationalClient[] = [];
const client = (...a: Parameters<typeof testClient>) => {
  const c = testClient(...a);
  clients.push(c);
  return c;
};

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('retries keep one Idempotency-Key', () => {
  it('503, 503, 503 then 201: exactly 4 requests, all with the same key and request id', async () => {
    mockToken();
    const seen: Seen[] = [];
    const rec = record(seen);
    const statuses = [503, 503, 503, 201];
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .times(4)
      .reply(function (uri, body) {
        rec.call(this, uri, body);
        const s = statuses[seen.length - 1]!;
        return s === 201 ? [201, created('HS-NAT-9')] : [503, { ma: 'TAM_NGUNG', thongDiep: 'Tạm ngừng' }];
      });
    const c = client();
    const body = hoSo();
    const r = await c.write('ho-so-don', 'create', body);
    expect(r).toEqual({ nationalId: 'HS-NAT-9', phienBanNguon: 1, bamNoiDung: 'a'.repeat(64), capNhatLuc: '2025-08-01T01:02:03.000Z', replayed: false });
    expect(seen).toHaveLength(4);
    const keys = new Set(seen.map((s) => s.key));
    expect(keys.size).toBe(1);
    const key = seen[0]!.key!;
    expect(key).toMatch(/^[A-Za-z0-9._:-]{1,255}$/);
    expect(key.startsWith('ho-so-don:create:001.00.00.H01:HS-0001:v1:')).toBe(true);
    expect(new Set(seen.map((s) => s.rid)).size).toBe(1);
    expect(seen.every((s) => s.auth === 'Bearer tok-1')).toBe(true);
    expect(seen.every((s) => JSON.stringify(s.body) === JSON.stringify(body))).toBe(true);
    expect(c.stats().retries).toBe(3);
    expect(c.stats().unavailable).toBe(3);
    expect(nock.isDone()).toBe(true);
  });

  it('gives up after NATIONAL_RETRIES retries with the last retryable error', async () => {
    mockToken();
    let n = 0;
    nock(HOST).post('/api/v1/ho-so-don').times(3).reply(() => (n++, [500, { ma: 'LOI_HE_THONG', thongDiep: 'Lỗi' }]));
    const err = await client({ retries: 2 }).write('ho-so-don', 'create', hoSo()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NationalError);
    expect((err as NationalError).code).toBe('LOI_HE_THONG');
    expect((err as NationalError).retryable).toBe(true);
    expect((err as NationalError).status).toBe(500);
    expect(n).toBe(3);
  });

  it('409 DANG_XU_LY is retried; a 502 with an HTML body maps to LOI_HE_THONG and is retried', async () => {
    mockToken();
    const answers: [number, unknown][] = [
      [409, { ma: 'DANG_XU_LY', thongDiep: 'Đang xử lý' }],
      [502, '<html>bad gateway</html>'],
      [201, created('HS-NAT-2')],
    ];
    let n = 0;
    nock(HOST).post('/api/v1/ho-so-don').times(3).reply(() => answers[n++]!);
    const r = await client().write('ho-so-don', 'create', hoSo());
    expect(r.nationalId).toBe('HS-NAT-2');
    expect(n).toBe(3);
  });
});

describe('non-retryable answers', () => {
  const chiTiet = [{ truong: '/nguoiDungDon/0/soDinhDanh', ma: 'DINH_DANH_KHONG_HOP_LE', thongDiep: 'Số định danh không khớp năm sinh' }];

  it('422 DU_LIEU_KHONG_HOP_LE: exactly 1 request, chiTiet carried, body not leaked', async () => {
    mockToken();
    let n = 0;
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .times(5)
      .reply(() => (n++, [422, { ma: 'DU_LIEU_KHONG_HOP_LE', thongDiep: 'Dữ liệu không hợp lệ', chiTiet, maYeuCau: 'r1' }]));
    const body = hoSo({ noiDungTomTat: 'Nội dung riêng tư không được lộ ra' });
    const err = (await client().write('ho-so-don', 'create', body).catch((e: unknown) => e)) as NationalError;
    expect(err).toBeInstanceOf(NationalError);
    expect(n).toBe(1);
    expect(err.code).toBe('DU_LIEU_KHONG_HOP_LE');
    expect(err.status).toBe(422);
    expect(err.retryable).toBe(false);
    expect(err.details).toEqual(chiTiet);
    expect(err.vi).toMatch(/không hợp lệ/);
    const dump = JSON.stringify(err) + err.message + String(err.stack) + String((err as Error).cause ?? '');
    expect(dump).not.toContain('riêng tư');
  });

  it('400 YEU_CAU_KHONG_HOP_LE: exactly 1 request, not retryable', async () => {
    mockToken();
    let n = 0;
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .times(5)
      .reply(() => (n++, [400, { ma: 'YEU_CAU_KHONG_HOP_LE', thongDiep: 'Yêu cầu không hợp lệ', chiTiet: [{ truong: '', ma: 'SAI_KIEU', thongDiep: 'JSON hỏng' }] }]));
    const err = (await client().write('ho-so-don', 'create', hoSo()).catch((e: unknown) => e)) as NationalError;
    expect(n).toBe(1);
    expect(err.code).toBe('YEU_CAU_KHONG_HOP_LE');
    expect(err.retryable).toBe(false);
    expect(err.details).toHaveLength(1);
  });

  it.each([
    [403, 'KHONG_CO_QUYEN'],
    [404, 'KHONG_TIM_THAY'],
    [409, 'PHIEN_BAN_CU'],
    [409, 'XUNG_DOT_PHIEN_BAN'],
    [413, 'QUA_KICH_THUOC'],
    [422, 'KHOA_TRUNG_NOI_DUNG_KHAC'],
  ])('%i %s: one request, not retryable', async (status, ma) => {
    mockToken();
    let n = 0;
    nock(HOST).put('/api/v1/ho-so-don/HS-1').times(3).reply(() => (n++, [status, { ma, thongDiep: 'x', phienBanNguon: 7 }]));
    const err = (await client().write('ho-so-don', 'update', hoSo({ phienBanNguon: 2 }), 'HS-1').catch((e: unknown) => e)) as NationalError;
    expect(n).toBe(1);
    expect(err.code).toBe(ma);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(false);
  });

  it('409 DA_TON_TAI surfaces the national id and the stored phienBanNguon', async () => {
    mockToken();
    let n = 0;
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .times(3)
      .reply(() => (n++, [409, { ma: 'DA_TON_TAI', thongDiep: 'Đã tồn tại', maHoSo: 'HS-EXIST-42', phienBanNguon: 3 }]));
    const err = (await client().write('ho-so-don', 'create', hoSo({ phienBanNguon: 5 })).catch((e: unknown) => e)) as NationalError;
    expect(n).toBe(1);
    expect(err.code).toBe('DA_TON_TAI');
    expect(err.status).toBe(409);
    expect(err.retryable).toBe(false);
    expect(err.body?.maHoSo).toBe('HS-EXIST-42');
    expect(err.body?.phienBanNguon).toBe(3);
    expect(err.existing('ho-so-don')).toEqual({ nationalId: 'HS-EXIST-42', phienBanNguon: 3 });
  });

  it('luot-tiep DA_TON_TAI carries maLuotTiep', async () => {
    mockToken();
    nock(HOST).post('/api/v1/luot-tiep').reply(409, { ma: 'DA_TON_TAI', thongDiep: 'Đã tồn tại', maLuotTiep: 'LT-9', phienBanNguon: 1 });
    const { luotTiep } = await import('./helpers.js');
    const err = (await client().write('luot-tiep', 'create', luotTiep()).catch((e: unknown) => e)) as NationalError;
    expect(err.existing('luot-tiep')).toEqual({ nationalId: 'LT-9', phienBanNguon: 1 });
  });
});

describe('authentication', () => {
  it('401 then success: one token refresh, not counted as an attempt (retries = 0 still succeeds)', async () => {
    const tok = mockToken(2);
    const seen: Seen[] = [];
    const rec = record(seen);
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .times(2)
      .reply(function (uri, body) {
        rec.call(this, uri, body);
        return seen.length === 1
          ? [401, { ma: 'CHUA_XAC_THUC', thongDiep: 'Chưa xác thực' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }]
          : [201, created('HS-NAT-5')];
      });
    const c = client({ retries: 0 });
    const r = await c.write('ho-so-don', 'create', hoSo());
    expect(r.nationalId).toBe('HS-NAT-5');
    expect(tok.calls()).toBe(2);
    expect(seen.map((s) => s.auth)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(seen[0]!.key).toBe(seen[1]!.key);
    expect(c.stats().tokenRefreshes).toBe(1);
    expect(c.stats().retries).toBe(0);
  });

  it('a second 401 after the refresh fails as CHUA_XAC_THUC without looping', async () => {
    const tok = mockToken(3);
    let n = 0;
    nock(HOST).get('/api/v1/ho-so-don/HS-1').times(5).reply(() => (n++, [401, { ma: 'CHUA_XAC_THUC', thongDiep: 'x' }]));
    const err = (await client({ retries: 3 }).get('ho-so-don', 'HS-1').catch((e: unknown) => e)) as NationalError;
    expect(err.code).toBe('CHUA_XAC_THUC');
    expect(err.retryable).toBe(false);
    expect(n).toBe(2);
    expect(tok.calls()).toBe(2);
  });

  it('bad client credentials: token endpoint 401 → CHUA_XAC_THUC, not retried', async () => {
    let n = 0;
    nock(HOST).post('/api/v1/oauth/token').times(3).reply(() => (n++, [401, { ma: 'CHUA_XAC_THUC', thongDiep: 'Sai thông tin' }]));
    const err = (await client().get('ho-so-don', 'HS-1').catch((e: unknown) => e)) as NationalError;
    expect(err.code).toBe('CHUA_XAC_THUC');
    expect(n).toBe(1);
  });

  it('concurrent callers share one token fetch; the token is reused', async () => {
    let fetches = 0;
    nock(HOST)
      .post('/api/v1/oauth/token')
      .times(5)
      .reply(async () => {
        fetches++;
        await sleep(50);
        return [200, { access_token: 'shared', token_type: 'Bearer', expires_in: 3600 }];
      });
    const auths: string[] = [];
    nock(HOST)
      .get(/\/api\/v1\/ho-so-don\/HS-\d/)
      .times(6)
      .reply(function () {
        auths.push(this.req.headers.authorization!);
        return [200, { maHoSo: 'x' }];
      });
    const c = client();
    await Promise.all([1, 2, 3, 4, 5].map((i) => c.get('ho-so-don', `HS-${i}`)));
    await c.get('ho-so-don', 'HS-6');
    expect(fetches).toBe(1);
    expect(auths).toEqual(Array(6).fill('Bearer shared'));
  });

  it('refreshes the token shortly before it expires', async () => {
    const tok = mockToken(2, 1); // 1 s lifetime → refreshed after 0.9 s
    nock(HOST).get('/api/v1/ho-so-don/HS-1').times(2).reply(200, { maHoSo: 'HS-1' });
    const c = client();
    await c.get('ho-so-don', 'HS-1');
    await sleep(950);
    await c.get('ho-so-don', 'HS-1');
    expect(tok.calls()).toBe(2);
    expect(c.stats().tokenRefreshes).toBe(0);
  });
});

describe('Retry-After is honoured client-wide', () => {
  it('429 with Retry-After: 2 delays the retry AND a concurrent caller that did not get the 429', async () => {
    mockToken();
    const seen: (Seen & { who: string })[] = [];
    let t429 = 0;
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .times(3)
      .reply(function (_uri, body) {
        const who = (body as { maHoSoNguon: string }).maHoSoNguon;
        seen.push({ t: performance.now(), who, key: this.req.headers['idempotency-key'] });
        if (who === 'A' && t429 === 0) {
          t429 = performance.now();
          return [429, { ma: 'VUOT_HAN_MUC', thongDiep: 'Vượt hạn mức' }, { 'Retry-After': '2' }];
        }
        return [201, created(`N-${who}`)];
      });
    const c = client({ retryMinMs: 10, retryMaxMs: 20 });
    const a = c.write('ho-so-don', 'create', hoSo({ maHoSoNguon: 'A' }));
    while (t429 === 0) await sleep(5);
    await sleep(100); // B starts while A is waiting; B itself never gets a 429
    expect(c.pausedForMs()).toBeGreaterThan(1500);
    const bStart = performance.now();
    const b = c.write('ho-so-don', 'create', hoSo({ maHoSoNguon: 'B' }));
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.nationalId).toBe('N-A');
    expect(rb.nationalId).toBe('N-B');
    const aRetry = seen.filter((s) => s.who === 'A')[1]!;
    const bFirst = seen.find((s) => s.who === 'B')!;
    expect(bStart - t429).toBeLessThan(1000);
    expect(aRetry.t - t429).toBeGreaterThanOrEqual(1990);
    expect(bFirst.t - t429).toBeGreaterThanOrEqual(1990);
    expect(seen.filter((s) => s.who === 'A').map((s) => s.key)[0]).toBe(aRetry.key);
    expect(c.stats().rateLimited).toBe(1);
  });
});

describe('transport faults', () => {
  it('connection reset after the request was sent: retried with the same key', async () => {
    mockToken();
    const resetKeys: string[] = [];
    let resetBody: unknown;
    nock(HOST)
      .post('/api/v1/ho-so-don', (b: unknown) => ((resetBody = b), true))
      .matchHeader('idempotency-key', (v: string) => (resetKeys.push(v), true))
      .replyWithError(econnreset());
    const seen: Seen[] = [];
    const rec = record(seen);
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .reply(function (uri, body) {
        rec.call(this, uri, body);
        return [200, created('HS-R')];
      });
    const c = client();
    const body = hoSo();
    const r = await c.write('ho-so-don', 'create', body);
    expect(r.nationalId).toBe('HS-R');
    expect(resetBody).toEqual(body); // the request had been sent in full when the connection dropped
    expect(resetKeys.length).toBeGreaterThanOrEqual(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.key).toBe(resetKeys[0]);
    expect(c.stats().resets).toBe(1);
    expect(c.stats().retries).toBe(1);
  });

  it('reset on every attempt → retryable NETWORK_RESET', async () => {
    mockToken();
    nock(HOST).post('/api/v1/ho-so-don').times(2).replyWithError(econnreset());
    const err = (await client({ retries: 1 }).write('ho-so-don', 'create', hoSo()).catch((e: unknown) => e)) as NationalError;
    expect(err.code).toBe('NETWORK_RESET');
    expect(err.retryable).toBe(true);
  });

  it('no answer within timeoutMs → retryable NETWORK_TIMEOUT, retried with the same key', async () => {
    mockToken();
    const keys: string[] = [];
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .delay(1000)
      .reply(function () {
        keys.push(this.req.headers['idempotency-key']!);
        return [201, created('late')];
      });
    nock(HOST)
      .post('/api/v1/ho-so-don')
      .reply(function () {
        keys.push(this.req.headers['idempotency-key']!);
        return [200, created('HS-T')];
      });
    const c = client({ timeoutMs: 150 });
    const t0 = performance.now();
    const r = await c.write('ho-so-don', 'create', hoSo());
    expect(r.nationalId).toBe('HS-T');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(c.stats().timeouts).toBe(1);
    expect(c.stats().retries).toBe(1);
    expect(new Set(keys).size).toBe(1);
  });

  it('timeout on the only attempt → NETWORK_TIMEOUT, retryable', async () => {
    mockToken();
    nock(HOST).get('/api/v1/ho-so-don/HS-1').delay(1000).reply(200, { maHoSo: 'HS-1' });
    const err = (await client({ timeoutMs: 100, retries: 0 }).get('ho-so-don', 'HS-1').catch((e: unknown) => e)) as NationalError;
    expect(err).toBeInstanceOf(NationalError);
    expect(err.code).toBe('NETWORK_TIMEOUT');
    expect(err.retryable).toBe(true);
  });

  it('a replayed answer is reported as replayed', async () => {
    mockToken();
    nock(HOST).post('/api/v1/ho-so-don').reply(201, created('HS-P'), { 'Idempotent-Replayed': 'true' });
    const c = client();
    const r = await c.write('ho-so-don', 'create', hoSo());
    expect(r.replayed).toBe(true);
    expect(c.stats().replayed).toBe(1);
  });
});

describe('write routing', () => {
  it('update PUTs to /{kind}/{id} with an update key; missing id is refused', async () => {
    mockToken();
    let key = '';
    nock(HOST)
      .put('/api/v1/ho-so-don/HS-77')
      .reply(function () {
        key = this.req.headers['idempotency-key']!;
        return [200, created('HS-77', 2)];
      });
    const c = client();
    const r = await c.write('ho-so-don', 'update', hoSo({ phienBanNguon: 2 }), 'HS-77');
    expect(r).toMatchObject({ nationalId: 'HS-77', phienBanNguon: 2 });
    expect(key.startsWith('ho-so-don:update:001.00.00.H01:HS-0001:v2:')).toBe(true);
    await expect(c.write('ho-so-don', 'update', hoSo())).rejects.toThrow(TypeError);
  });

  it('tim-trung carries no Idempotency-Key; cancel and link do', async () => {
    mockToken();
    const hdr: Record<string, string | undefined> = {};
    nock(HOST)
      .post('/api/v1/ho-so-don/tim-trung')
      .reply(function () {
        hdr.tim = this.req.headers['idempotency-key'];
        return [200, { ungVien: [], conNua: false }];
      })
      .post('/api/v1/ho-so-don/HS-1/huy', { lyDo: 'Nhập nhầm' })
      .reply(function () {
        hdr.huy = this.req.headers['idempotency-key'];
        return [200, { maHoSo: 'HS-1', trangThai: 'DA_HUY' }];
      })
      .post('/api/v1/ho-so-don/HS-1/lien-ket-trung')
      .reply(function () {
        hdr.link = this.req.headers['idempotency-key'];
        return [201, { maLienKet: 'LK-1', maHoSo: 'HS-1', maHoSoKhac: 'HS-2', maDonVi: '001.00.00.H01', maDonViKhac: '001.00.00.H02', mucDo: 'TRUNG', diem: 0.9, taoBoi: 'cid', trangThai: 'HIEU_LUC', capNhatLuc: '2025-08-01T00:00:00Z' }];
      })
      .delete('/api/v1/ho-so-don/HS-1/lien-ket-trung/LK-1')
      .reply(204);
    const c = client();
    expect(await c.timTrung({ khoa: ['k1'] })).toEqual({ ungVien: [], conNua: false });
    await c.cancel('ho-so-don', 'HS-1', 'Nhập nhầm');
    const l = await c.link('HS-1', { maHoSoKhac: 'HS-2', mucDo: 'TRUNG', diem: 0.9 });
    expect(l.maLienKet).toBe('LK-1');
    await c.unlink('HS-1', 'LK-1');
    expect(hdr.tim).toBeUndefined();
    expect(hdr.huy).toMatch(/^[A-Za-z0-9._:-]{1,255}$/);
    expect(hdr.link).toMatch(/^[A-Za-z0-9._:-]{1,255}$/);
    expect(hdr.huy).not.toBe(hdr.link);
    expect(nock.isDone()).toBe(true);
  });

  it('sends X-Request-Id: the caller\'s correlation id when given', async () => {
    mockToken();
    let rid = '';
    nock(HOST)
      .get('/api/v1/ho-so-don/HS-1')
      .reply(function () {
        rid = this.req.headers['x-request-id']!;
        return [200, { maHoSo: 'HS-1' }];
      });
    await client().get('ho-so-don', 'HS-1', { requestId: 'corr-123' });
    expect(rid).toBe('corr-123');
    void BASE;
  });
});

describe('logging', () => {
  it('logs ids, status, codes and durations — never the body, the token or the secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString('utf8')); cb(); } });
    const logger = createLogger({ level: 'debug' }, sink);
    mockToken();
    const answers: [number, unknown][] = [[500, { ma: 'LOI_HE_THONG', thongDiep: 'x' }], [422, { ma: 'DU_LIEU_KHONG_HOP_LE', thongDiep: 'x', chiTiet: [{ truong: '/nguoiDungDon/0/hoTen', ma: 'QUA_DO_DAI', thongDiep: 'Quá dài' }] }]];
    let n = 0;
    nock(HOST).post('/api/v1/luot-tiep').times(2).reply(() => answers[n++]!);
    const { luotTiep } = await import('./helpers.js');
    const body = luotTiep({ congDan: [{ hoTen: 'Trần Thị Bí Mật', soDinhDanh: '001190012345', soDienThoai: '0912345678', diaChi: { maTinh: '01', chiTiet: 'Số 9 ngõ Kín' } }] });
    await client({ logger }).write('luot-tiep', 'create', body, undefined, { requestId: 'corr-log-1' }).catch(() => undefined);
    const all = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(all).toContain('corr-log-1');
    expect(all).toContain('"status":500');
    expect(all).toContain('DU_LIEU_KHONG_HOP_LE');
    for (const secret of ['Bí Mật', '001190012345', '0912345678', 'ngõ Kín', 'tok-1', 'csecret']) expect(all).not.toContain(secret);
  });
});

