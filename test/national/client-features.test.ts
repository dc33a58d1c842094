/**
 * National client: idempotency-key determinism, batch, listings, catalogues, rate limiter / in-flight cap,
 * error taxonomy and the documented retry budget.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { loadConfig, projectPath } from '../../config/index.js';
import {
  NationalError,
  idempotencyKey,
  isLinkagePlaceholder,
  retryBudgetFromConfig,
  optionsFromConfig as createNationalClientOptions,
  type NationalClient,
  type WriteResult,
} from '../../src/national/client.js';
import { ERROR_CATALOG, errorFromResponse } from '../../src/national/errors.js';
import { ERROR_CODES } from '../../src/contract/schemas.js';
import { queueSpecs } from '../../queues/catalog.js';
import { bamNoiDung } from '../../src/contract/hash.js';
import { HOST, created, hoSo, luotTiep, mockToken, sleep, testClient } from './helpers.js';

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

const KEY_RE = /^[A-Za-z0-9._:-]{1,255}$/;

describe('idempotencyKey', () => {
  it('is deterministic: same logical write → same key, whatever the property order', () => {
    const a = hoSo();
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(idempotencyKey('ho-so-don', 'create', a)).toBe(idempotencyKey('ho-so-don', 'create', structuredClone(a)));
    expect(idempotencyKey('ho-so-don', 'create', reordered)).toBe(idempotencyKey('ho-so-don', 'create', a));
  });

  it('changes with the body, the version, the op and the kind', () => {
    const base = idempotencyKey('ho-so-don', 'create', hoSo());
    const variants = [
      idempotencyKey('ho-so-don', 'create', hoSo({ noiDungTomTat: 'Kiến nghị về việc cấp giấy chứng nhận.' })),
      idempotencyKey('ho-so-don', 'create', hoSo({ phienBanNguon: 2 })),
      idempotencyKey('ho-so-don', 'update', hoSo(), 'HS-1'),
      idempotencyKey('ho-so-don', 'create', hoSo({ maHoSoNguon: 'HS-0002' })),
      idempotencyKey('ho-so-don', 'create', hoSo({ maDonVi: '001.00.00.H02' })),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('the push path\'s base hash (the mapped body\'s bamNoiDung) gives the very key computed from the body sent', () => {
    const mapped = hoSo();
    expect(isLinkagePlaceholder(mapped.dacTrungLienKet)).toBe(true);
    const sent = { ...mapped, dacTrungLienKet: { thuatToan: 'lk1', khoa: ['id:abc', 'ten:def'], dacTrung: { namSinh: 1970 } } } as unknown as typeof mapped;
    const hinted = idempotencyKey('ho-so-don', 'create', sent, undefined, bamNoiDung(mapped));
    expect(hinted).toBe(idempotencyKey('ho-so-don', 'create', sent));
    // other features or another body: another key, with or without the hint
    const otherLk = { ...sent, dacTrungLienKet: { ...sent.dacTrungLienKet, khoa: ['id:abd', 'ten:def'] } } as typeof sent;
    expect(idempotencyKey('ho-so-don', 'create', otherLk, undefined, bamNoiDung(mapped))).not.toBe(hinted);
    const otherBody = { ...sent, noiDungTomTat: 'Khác.' } as typeof sent;
    expect(idempotencyKey('ho-so-don', 'create', otherBody)).not.toBe(hinted);
    expect(isLinkagePlaceholder({ thuatToan: 'none', khoa: ['x'], dacTrung: {} })).toBe(false);
    expect(isLinkagePlaceholder(undefined)).toBe(false);
  });

  it('has the documented shape and matches the contract pattern', () => {
    const k = idempotencyKey('ho-so-don', 'create', hoSo({ phienBanNguon: 12 }));
    expect(k).toMatch(/^ho-so-don:create:001\.00\.00\.H01:HS-0001:v12:[0-9a-f]{24}$/);
    const l = idempotencyKey('luot-tiep', 'update', luotTiep({ maLuotTiepNguon: 'LT.9_x-1' }), 'LT-1');
    expect(l).toMatch(/^luot-tiep:update:001\.00\.00\.H01:LT\.9_x-1:v1:[0-9a-f]{24}$/);
    for (const key of [k, l]) expect(key).toMatch(KEY_RE);
  });

  it('stays within the contract pattern for hostile ids and very long ids', () => {
    const k1 = idempotencyKey('ho-so-don', 'create', hoSo({ maHoSoNguon: 'có dấu/và khoảng trắng' }));
    const k2 = idempotencyKey('ho-so-don', 'create', hoSo({ maHoSoNguon: 'x'.repeat(500), maDonVi: 'y'.repeat(300) }));
    expect(k1).toMatch(KEY_RE);
    expect(k2).toMatch(KEY_RE);
    expect(k2.length).toBeLessThanOrEqual(255);
  });
});

describe('batch /lo', () => {
  it('splits 230 items into calls of 100, 100, 30 with per-item keys; item errors become NationalErrors in place', async () => {
    mockToken();
    const calls: { n: number; khoa: string[]; key: string; thaoTac: string[] }[] = [];
    nock(HOST)
      .post('/api/v1/ho-so-don/lo')
      .times(3)
      .reply(function (_uri, body) {
        const muc = (body as { muc: { khoa: string; thaoTac: string; maHoSo?: string; duLieu: { maHoSoNguon: string } }[] }).muc;
        calls.push({ n: muc.length, khoa: muc.map((m) => m.khoa), key: this.req.headers['idempotency-key']!, thaoTac: muc.map((m) => m.thaoTac) });
        return [
          200,
          {
            ketQua: muc.map((m) => {
              const src = m.duLieu.maHoSoNguon;
              if (src === 'S-0105') return { khoa: m.khoa, trangThai: 422, loi: { ma: 'DU_LIEU_KHONG_HOP_LE', thongDiep: 'x', chiTiet: [{ truong: '/linhVuc', ma: 'MA_KHONG_TON_TAI', thongDiep: 'Mã không tồn tại' }] } };
              if (src === 'S-0210') return { khoa: m.khoa, trangThai: 409, loi: { ma: 'DA_TON_TAI', thongDiep: 'x', maHoSo: 'N-OLD', phienBanNguon: 4 } };
              return { khoa: m.khoa, trangThai: m.thaoTac === 'TAO' ? 201 : 200, duLieu: { ...created(m.maHoSo ?? `N-${src}`) } };
            }),
          },
        ];
      });
    const items = Array.from({ length: 230 }, (_, i) => {
      const src = `S-${String(i).padStart(4, '0')}`;
      return i === 7
        ? { op: 'update' as const, body: hoSo({ maHoSoNguon: src, phienBanNguon: 2 }), nationalId: 'N-UPD' }
        : { op: 'create' as const, body: hoSo({ maHoSoNguon: src }) };
    });
    const out = await client().batch('ho-so-don', items);
    expect(calls.map((c) => c.n).sort((a, b) => b - a)).toEqual([100, 100, 30]);
    expect(new Set(calls.map((c) => c.key)).size).toBe(3);
    const allKeys = calls.flatMap((c) => c.khoa);
    expect(new Set(allKeys).size).toBe(230);
    for (const it of items) expect(allKeys).toContain(idempotencyKey('ho-so-don', it.op, it.body, (it as { nationalId?: string }).nationalId));
    expect(calls.flatMap((c) => c.thaoTac).filter((t) => t === 'CAP_NHAT')).toHaveLength(1);
    expect(out).toHaveLength(230);
    expect((out[0] as WriteResult).nationalId).toBe('N-S-0000');
    expect((out[7] as WriteResult).nationalId).toBe('N-UPD');
    expect((out[229] as WriteResult).nationalId).toBe('N-S-0229');
    const e105 = out[105] as NationalError;
    expect(e105).toBeInstanceOf(NationalError);
    expect(e105.code).toBe('DU_LIEU_KHONG_HOP_LE');
    expect(e105.retryable).toBe(false);
    expect(e105.details[0]).toMatchObject({ truong: '/linhVuc', ma: 'MA_KHONG_TON_TAI' });
    const e210 = out[210] as NationalError;
    expect(e210.code).toBe('DA_TON_TAI');
    expect(e210.existing('ho-so-don')).toEqual({ nationalId: 'N-OLD', phienBanNguon: 4 });
    expect(out.filter((r) => r instanceof NationalError)).toHaveLength(2);
  });

  it('retries a whole-batch transport failure with the same batch key; a 413 fails only its own chunk', async () => {
    mockToken();
    const keys: string[] = [];
    let n = 0;
    nock(HOST)
      .post('/api/v1/luot-tiep/lo')
      .times(4)
      .reply(function (_uri, body) {
        const muc = (body as { muc: { khoa: string }[] }).muc;
        if (muc.length === 3) return [413, { ma: 'QUA_KICH_THUOC', thongDiep: 'Quá lớn' }];
        keys.push(this.req.headers['idempotency-key']!);
        n++;
        if (n <= 2) return [503, { ma: 'TAM_NGUNG', thongDiep: 'x' }];
        return [200, { ketQua: muc.map((m, i) => ({ khoa: m.khoa, trangThai: 201, duLieu: { maLuotTiep: `LT-${i}`, phienBanNguon: 1, bamNoiDung: 'b'.repeat(64), capNhatLuc: '2025-08-01T00:00:00Z' } })) }];
      });
    const mk = (i: number) => ({ op: 'create' as const, body: luotTiep({ maLuotTiepNguon: `L-${i}` }) });
    const c = client({ batchSize: 5 });
    const out = await c.batch('luot-tiep', Array.from({ length: 8 }, (_, i) => mk(i)));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(out.slice(0, 5).map((r) => (r as WriteResult).nationalId)).toEqual(['LT-0', 'LT-1', 'LT-2', 'LT-3', 'LT-4']);
    for (const r of out.slice(5)) {
      expect(r).toBeInstanceOf(NationalError);
      expect((r as NationalError).code).toBe('QUA_KICH_THUOC');
      expect((r as NationalError).retryable).toBe(false);
    }
  });
  it('re-sends only items with a retryable item error, alone and with the same khoa', async () => {
    mockToken();
    const calls: { khoa: string[]; key: string }[] = [];
    const failedOnce = new Set<string>();
    nock(HOST)
      .post('/api/v1/ho-so-don/lo')
      .times(3)
      .reply(function (_uri, body) {
        const muc = (body as { muc: { khoa: string; duLieu: { maHoSoNguon: string } }[] }).muc;
        calls.push({ khoa: muc.map((m) => m.khoa), key: this.req.headers['idempotency-key']! });
        return [200, {
          ketQua: muc.map((m) => {
            const src = m.duLieu.maHoSoNguon;
            if (src === 'S-1' && !failedOnce.has(src)) {
              failedOnce.add(src);
              return { khoa: m.khoa, trangThai: 500, loi: { ma: 'LOI_HE_THONG', thongDiep: 'x' } }; // applied, answer lost
            }
            if (src === 'S-2') return { khoa: m.khoa, trangThai: 422, loi: { ma: 'DU_LIEU_KHONG_HOP_LE', thongDiep: 'x', chiTiet: [] } };
            return { khoa: m.khoa, trangThai: 201, duLieu: created(`N-${src}`) };
          }),
        }];
      });
    const items = [0, 1, 2, 3].map((i) => ({ op: 'create' as const, body: hoSo({ maHoSoNguon: `S-${i}` }) }));
    const c = client();
    const out = await c.batch('ho-so-don', items);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.khoa).toHaveLength(4);
    expect(calls[1]!.khoa).toEqual([idempotencyKey('ho-so-don', 'create', items[1]!.body)]);
    expect(calls[1]!.key).not.toBe(calls[0]!.key);
    expect(calls.every((x) => /^[A-Za-z0-9._:-]{1,255}$/.test(x.key))).toBe(true);
    expect(out.map((r) => (r instanceof NationalError ? r.code : r.nationalId))).toEqual(['N-S-0', 'N-S-1', 'DU_LIEU_KHONG_HOP_LE', 'N-S-3']);
    expect(c.stats().itemRetries).toBe(1);
  });
});

describe('listings', () => {
  it('follows tiepTheo, skips repeats of the same (id, capNhatLuc), yields a changed record again', async () => {
    mockToken();
    const row = (id: string, t: string) => ({ maHoSo: id, maDonVi: '001.00.00.H01', maHoSoNguon: `S-${id}`, phienBanNguon: 1, bamNoiDung: 'c'.repeat(64), trangThai: 'HOAT_DONG', capNhatLuc: t });
    const t1 = '2025-08-01T00:00:01.000Z';
    const t2 = '2025-08-01T00:00:02.000Z';
    const t3 = '2025-08-01T00:00:03.000Z';
    const queries: Record<string, string>[] = [];
    nock(HOST)
      .get('/api/v1/ho-so-don')
      .query(true)
      .times(3)
      .reply(function (uri) {
        const q = Object.fromEntries(new URL(uri, HOST).searchParams);
        queries.push(q);
        if (!q.sau) return [200, { duLieu: [row('A', t1), row('B', t1)], tiepTheo: 'c1' }];
        if (q.sau === 'c1') return [200, { duLieu: [row('B', t1), row('C', t2)], tiepTheo: 'c2' }];
        return [200, { duLieu: [row('A', t3), row('C', t2)], tiepTheo: null }];
      });
    const got: string[] = [];
    for await (const it of client().list('ho-so-don', { maDonVi: '001.00.00.H01', capNhatTu: '2025-01-01T00:00:00Z', pageSize: 2 })) {
      got.push(`${it.nationalId}@${it.capNhatLuc.slice(17, 19)}:${it.maNguon}`);
    }
    expect(got).toEqual(['A@01:S-A', 'B@01:S-B', 'C@02:S-C', 'A@03:S-A']);
    expect(queries).toHaveLength(3);
    expect(queries[0]).toEqual({ maDonVi: '001.00.00.H01', capNhatTu: '2025-01-01T00:00:00Z', gioiHan: '2' });
    expect(queries[1]!.sau).toBe('c1');
    expect(queries[2]!.sau).toBe('c2');
  });

  it('listLinks walks /lien-ket-trung; a page failing with 500 is retried', async () => {
    mockToken();
    const link = (id: string) => ({ maLienKet: id, maHoSo: 'H1', maHoSoKhac: 'H2', maDonVi: '001.00.00.H01', maDonViKhac: '001.00.00.H02', mucDo: 'NGHI_TRUNG', diem: 0.7, taoBoi: 'x', trangThai: 'HIEU_LUC', capNhatLuc: '2025-08-01T00:00:00Z' });
    let n = 0;
    nock(HOST)
      .get('/api/v1/lien-ket-trung')
      .query(true)
      .times(3)
      .reply((uri) => {
        n++;
        if (n === 2) return [500, { ma: 'LOI_HE_THONG', thongDiep: 'x' }];
        return uri.includes('sau=') ? [200, { duLieu: [link('L2'), link('L1')], tiepTheo: null }] : [200, { duLieu: [link('L1')], tiepTheo: 'p2' }];
      });
    const ids: string[] = [];
    for await (const l of client().listLinks({ maDonVi: '001.00.00.H01' })) ids.push(l.maLienKet);
    expect(ids).toEqual(['L1', 'L2']);
    expect(n).toBe(3);
  });
});

describe('catalogues', () => {
  const cat = { ten: 'loai-don', phienBan: '2025.1', muc: [{ ma: 'KHIEU_NAI', ten: 'Khiếu nại', conHieuLuc: true }] };

  it('sends If-None-Match with the cached ETag; 304 returns the cached body', async () => {
    mockToken();
    const inm: (string | undefined)[] = [];
    let n = 0;
    nock(HOST)
      .get('/api/v1/danh-muc/loai-don')
      .times(2)
      .reply(function () {
        inm.push(this.req.headers['if-none-match']);
        n++;
        return n === 1 ? [200, cat, { ETag: '"v1"' }] : [304, ''];
      });
    const c = client();
    const first = await c.catalogue('loai-don');
    const second = await c.catalogue('loai-don');
    expect(first).toEqual(cat);
    expect(second).toEqual(cat);
    expect(inm).toEqual([undefined, '"v1"']);
  });

  it('catalogueConditional reports 304 and new ETags; maTinh is passed as a query', async () => {
    mockToken();
    nock(HOST).get('/api/v1/danh-muc/xa').query({ maTinh: '01' }).reply(200, { ten: 'xa', phienBan: '1', muc: [] }, { ETag: 'W/"x1"' });
    nock(HOST).get('/api/v1/danh-muc/xa').matchHeader('if-none-match', 'W/"x1"').reply(304);
    const c = client();
    const a = await c.catalogueConditional('xa', undefined, { maTinh: '01' });
    expect(a).toEqual({ status: 200, etag: 'W/"x1"', catalogue: { ten: 'xa', phienBan: '1', muc: [] } });
    const b = await c.catalogueConditional('xa', 'W/"x1"');
    expect(b).toEqual({ status: 304, etag: 'W/"x1"' });
  });
});

describe('admission control', () => {
  it('token bucket spaces requests at 1/rps once the burst is spent', async () => {
    mockToken();
    const times: number[] = [];
    nock(HOST)
      .get(/\/api\/v1\/ho-so-don\/R\d/)
      .times(5)
      .reply(() => {
        times.push(performance.now());
        return [200, { ok: true }];
      });
    const c = client({ rateLimitRps: 10, rateBurst: 1 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => c.get('ho-so-don', `R${i}`)));
    expect(times).toHaveLength(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(85);
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(380);
  });

  it('never has more than maxInFlight requests open', async () => {
    mockToken();
    let open = 0;
    let peak = 0;
    nock(HOST)
      .get(/\/api\/v1\/ho-so-don\/F\d/)
      .times(6)
      .reply(async () => {
        open++;
        peak = Math.max(peak, open);
        await sleep(60);
        open--;
        return [200, { ok: true }];
      });
    const c = client({ maxInFlight: 2 });
    const t0 = performance.now();
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => c.get('ho-so-don', `F${i}`)));
    expect(peak).toBe(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(170);
  });
});

describe('error taxonomy', () => {
  it('ERROR_CATALOG covers every contract code and the transport codes, each with en + vi', () => {
    for (const code of [...ERROR_CODES, 'NETWORK_TIMEOUT', 'NETWORK_RESET', 'NETWORK_ERROR', 'BAD_RESPONSE']) {
      const e = (ERROR_CATALOG as Record<string, { retryable: boolean; en: string; vi: string }>)[code];
      expect(e, code).toBeDefined();
      expect(e!.en.length).toBeGreaterThan(5);
      expect(e!.vi).toMatch(/[àáảãạăâđèéêìíòóôơùúưỳý]/i);
    }
  });

  it('retryable exactly for DANG_XU_LY, VUOT_HAN_MUC, LOI_HE_THONG, TAM_NGUNG and transport faults', () => {
    const retryable = Object.entries(ERROR_CATALOG).filter(([, v]) => v.retryable).map(([k]) => k).sort();
    expect(retryable).toEqual(['BAD_RESPONSE', 'DANG_XU_LY', 'LOI_HE_THONG', 'NETWORK_ERROR', 'NETWORK_RESET', 'NETWORK_TIMEOUT', 'TAM_NGUNG', 'VUOT_HAN_MUC']);
    const cases: [number, unknown, string, boolean][] = [
      [400, { ma: 'THIEU_KHOA_LUY_DANG', thongDiep: 'x' }, 'THIEU_KHOA_LUY_DANG', false],
      [409, { ma: 'DANG_XU_LY', thongDiep: 'x' }, 'DANG_XU_LY', true],
      [409, { ma: 'DA_TON_TAI', thongDiep: 'x' }, 'DA_TON_TAI', false],
      [502, undefined, 'LOI_HE_THONG', true],
      [504, 'gateway', 'LOI_HE_THONG', true],
      [503, undefined, 'TAM_NGUNG', true],
      [429, undefined, 'VUOT_HAN_MUC', true],
      [404, undefined, 'KHONG_TIM_THAY', false],
      [418, undefined, 'BAD_RESPONSE', false],
    ];
    for (const [status, body, code, retry] of cases) {
      const e = errorFromResponse(status, body, { retryAfter: '3' });
      expect([e.code, e.retryable], `${status}`).toEqual([code, retry]);
      expect(e.retryAfterMs).toBe(3000);
    }
  });
});

describe('retry budget', () => {
  const header = readFileSync(projectPath('src', 'national', 'client.ts'), 'utf8').split('*/')[0]!;
  const num = (s: string) => Number(s.replace(/\s/g, ''));

  it('the documented default numbers follow from the config defaults', () => {
    const cfg = loadConfig({});
    const N = cfg.NATIONAL_RETRIES;
    const T = cfg.NATIONAL_TIMEOUT_MS;
    const m = cfg.NATIONAL_RETRY_MIN_MS;
    const M = cfg.NATIONAL_RETRY_MAX_MS;
    const A = cfg.JOB_ATTEMPTS;
    const B = cfg.JOB_BACKOFF_MS;
    let backoff = 0;
    for (let i = 0; i < N; i++) backoff += Math.min(2 * m * 2 ** i, M);
    const C = (N + 1) * T + backoff;
    let jobBackoff = 0;
    for (let k = 1; k < A; k++) jobBackoff += Math.min(B * 2 ** (k - 1), 15 * 60_000);
    // the push queue really uses these settings
    const push = queueSpecs(cfg).push;
    expect([push.attempts, push.backoffMs, push.maxBackoffMs]).toEqual([A, B, 15 * 60_000]);
    const J = A * C + jobBackoff;

    const b = retryBudgetFromConfig(cfg);
    expect(b.perCallWorstMs).toBe(C);
    expect(b.perJobWorstMs).toBe(J);
    expect(b.requestsPerJobWorst).toBe(A * (N + 1));

    // the numbers written in the doc comment at the top of client.ts
    const c = /C = [^=]+= ([\d ]+) ms/.exec(header);
    const j = /J = [^=]+= ([\d ]+) ms/.exec(header);
    const bo = /in-call backoffs ≤ [^=]+= ([\d ]+) ms/.exec(header);
    const jb = /job backoffs = [^=]+= ([\d ]+) ms/.exec(header);
    expect(c && num(c[1]!)).toBe(C);
    expect(j && num(j[1]!)).toBe(J);
    expect(bo && num(bo[1]!)).toBe(backoff);
    expect(jb && num(jb[1]!)).toBe(jobBackoff);
    expect(header).toContain(`(N=${N}, T=${T.toLocaleString('en').replace(/,/g, ' ')}, m=${m}, M=${M.toLocaleString('en').replace(/,/g, ' ')}, A=${A}, B=${B.toLocaleString('en').replace(/,/g, ' ')})`);
  });

  it('batched path: the bound keeps a job attempt inside the push job timeout; docs/retry-budget.md and the header say so', () => {
    const cfg = loadConfig({});
    const N = cfg.NATIONAL_RETRIES;
    const A = cfg.JOB_ATTEMPTS;
    const b = retryBudgetFromConfig(cfg);
    const push = queueSpecs(cfg).push;
    const C = b.perCallWorstMs;
    const rounds = b.roundBackoffsMs.reduce((x, y) => x + y, 0);
    expect(b.batchRoundsMax).toBe(N + 1);
    expect(b.perBatchUnboundedWorstMs).toBe((N + 1) * C + rounds);
    // the mismatch this bound fixes: unbounded, one attempt (create + DA_TON_TAI update, each after a slot wait) exceeds the timeout
    expect(b.perAttemptUnboundedWorstMs).toBe(4 * b.perBatchUnboundedWorstMs);
    expect(b.perAttemptUnboundedWorstMs).toBeGreaterThan(push.timeoutMs);
    const beta = Math.max(C, Math.floor((push.timeoutMs - 10_000) / 4));
    expect(b.batchBudgetMs).toBe(beta);
    expect(b.perAttemptWorstMs).toBe(4 * beta);
    expect(b.perAttemptWorstMs).toBeLessThanOrEqual(push.timeoutMs - 10_000);
    expect(b.perAttemptSingleWorstMs).toBe(2 * (beta + C));
    expect(b.perJobBatchedWorstMs).toBe(A * 4 * beta + b.jobBackoffWorstMs);
    expect([b.requestsPerBatchRunWorst, b.requestsPerAttemptWorst, b.requestsPerJobBatchedWorst]).toEqual([(N + 1) ** 2, 2 * (N + 1) ** 2, A * 2 * (N + 1) ** 2]);
    // a client built from the config carries β
    expect(createNationalClientOptions(cfg).batchBudgetMs).toBe(beta);

    const doc = readFileSync(projectPath('docs', 'retry-budget.md'), 'utf8');
    const row = (label: string) => {
      const m = new RegExp(`^\\| ${label.replace(/[()·]/g, (c) => `\\${c}`)} \\|[^|]*\\| ([\\d ]+) ms \\|$`, 'm').exec(doc);
      return m ? num(m[1]!) : undefined;
    };
    expect(row('in-call backoffs')).toBe(b.backoffWorstMs);
    expect(row('C (one call)')).toBe(C);
    expect(row('job backoffs')).toBe(b.jobBackoffWorstMs);
    expect(row('single path, job (calls only)')).toBe(b.perJobWorstMs);
    expect(row('one batch() run, unbounded')).toBe(b.perBatchUnboundedWorstMs);
    expect(row('one attempt, unbounded')).toBe(b.perAttemptUnboundedWorstMs);
    expect(row('β (batch budget)')).toBe(beta);
    expect(row('one batch() run')).toBe(b.perBatchWorstMs);
    expect(row('one attempt, batched')).toBe(b.perAttemptWorstMs);
    expect(row('one attempt, single')).toBe(b.perAttemptSingleWorstMs);
    expect(row('one job, batched')).toBe(b.perJobBatchedWorstMs);
    expect(doc).toContain(`| per job | A · 2 · (N + 1) = ${A * 2 * (N + 1)} | A · 2 · (N + 1)² = ${b.requestsPerJobBatchedWorst} |`);
    const fmt = (n: number) => n.toLocaleString('en').replace(/,/g, ' ');
    expect(header).toContain(`(N+1)·C + ${fmt(rounds)} = ${fmt(b.perBatchUnboundedWorstMs)} ms per run`);
    expect(header).toContain(`(defaults: β = ${fmt(beta)} ms)`);
    expect(header).toContain(`≤ 4 · β = ${fmt(b.perAttemptWorstMs)} ms < ${fmt(push.timeoutMs)} ms`);
  });

  it("the client's actual backoff schedule stays within the documented bounds", async () => {
    mockToken();
    const times: number[] = [];
    nock(HOST)
      .get('/api/v1/ho-so-don/B1')
      .times(5)
      .reply(() => {
        times.push(performance.now());
        return [500, { ma: 'LOI_HE_THONG', thongDiep: 'x' }];
      });
    const opts = { retries: 4, retryMinMs: 40, retryMaxMs: 200, timeoutMs: 1000 };
    const cfg = loadConfig({}, { NATIONAL_RETRIES: 4, NATIONAL_RETRY_MIN_MS: 40, NATIONAL_RETRY_MAX_MS: 200, NATIONAL_TIMEOUT_MS: 1000 });
    const budget = retryBudgetFromConfig(cfg);
    expect(budget.backoffBoundsMs).toEqual([[40, 80], [80, 160], [160, 200], [200, 200]]);
    const err = (await client(opts).get('ho-so-don', 'B1').catch((e: unknown) => e)) as NationalError;
    expect(err.code).toBe('LOI_HE_THONG');
    expect(times).toHaveLength(budget.attemptsPerCall);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.forEach((g, i) => {
      const [lo, hi] = budget.backoffBoundsMs[i]!;
      expect(g, `gap ${i}`).toBeGreaterThanOrEqual(lo - 2);
      expect(g, `gap ${i}`).toBeLessThanOrEqual(hi + 150); // scheduling slack on a loaded shared 2-core box
    });
    expect(times.at(-1)! - times[0]!).toBeLessThanOrEqual(budget.backoffWorstMs + 400);
  });
});
