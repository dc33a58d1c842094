import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startTestSim, getToken, call, uniqueKey } from './harness.js';
import { hoSoDon, type Body } from './fixtures.js';

let sim: RunningSimulator;
let tok: string;

beforeAll(async () => {
  // A frozen clock: capNhatLuc must still be strictly increasing (logical bump).
  sim = await startTestSim({
    limits: { enabled: false },
    clients: [
      { id: 'demo-connector', secret: 'demo-secret', agencies: ['*'] },
      { id: 'kon-tum', secret: 'kt-secret', agencies: ['tinh:51'] },
      { id: 'ha-noi', secret: 'hn-secret', agencies: ['tinh:01'] },
    ],
  });
  tok = await getToken(sim);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const create = async (body: Body) => {
  const r = await call(sim, tok, 'POST', '/ho-so-don', { body, key: uniqueKey('c') });
  expect(r.status).toBe(201);
  return r.json as { maHoSo: string; capNhatLuc: string };
};

describe('listing with stable cursors', () => {
  it('returns every record that did not change during the walk, despite writes between pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await create(hoSoDon({ maHoSoNguon: `P-${i}` }))).maHoSo);
    await create(hoSoDon({ maDonVi: '000.00.01.H29', maHoSoNguon: 'OTHER-AGENCY' }));
    const changed = new Set<string>();
    const seen: { maHoSo: string; capNhatLuc: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/ho-so-don?maDonVi=000.00.00.H29&gioiHan=7${cursor ? `&sau=${encodeURIComponent(cursor)}` : ''}`;
      const r = await call(sim, tok, 'GET', q);
      expect(r.status).toBe(200);
      seen.push(...(r.json.duLieu as { maHoSo: string; capNhatLuc: string }[]));
      cursor = r.json.tiepTheo;
      pages++;
      // writes between pages: update a record already seen and one not yet seen, create one, cancel one
      const a = ids[pages - 1] as string;
      const b = ids[29 - pages] as string;
      for (const id of [a, b]) {
        const cur = await call(sim, tok, 'GET', `/ho-so-don/${id}`);
        const { maHoSo: _m, bamNoiDung: _b, capNhatLuc: _c, trangThai: _t, ...body } = cur.json;
        expect((await call(sim, tok, 'PUT', `/ho-so-don/${id}`, { body: { ...body, phienBanNguon: body.phienBanNguon + 1 } })).status).toBe(200);
        changed.add(id);
      }
      await create(hoSoDon({ maHoSoNguon: `NEW-${pages}` }));
      const cancelId = ids[10 + pages] as string;
      await call(sim, tok, 'POST', `/ho-so-don/${cancelId}/huy`, { body: { lyDo: 'Nhập nhầm' }, key: uniqueKey('h') });
      changed.add(cancelId);
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(4);
    const seenIds = new Set(seen.map((s) => s.maHoSo));
    for (const id of ids) if (!changed.has(id)) expect(seenIds.has(id), id).toBe(true);
    // order: (capNhatLuc, maHoSo) strictly increasing over the whole walk
    for (let i = 1; i < seen.length; i++) {
      const p = seen[i - 1]!, c = seen[i]!;
      expect(p.capNhatLuc < c.capNhatLuc || (p.capNhatLuc === c.capNhatLuc && p.maHoSo < c.maHoSo)).toBe(true);
    }
    expect(seen.every((s) => (s as unknown as { maDonVi: string }).maDonVi === '000.00.00.H29')).toBe(true);
  });

  it('capNhatTu is inclusive; a no-op PUT keeps capNhatLuc; maDonVi is required', async () => {
    const a = await create(hoSoDon({ maHoSoNguon: 'A' }));
    const b = await create(hoSoDon({ maHoSoNguon: 'B' }));
    const from = await call(sim, tok, 'GET', `/ho-so-don?maDonVi=000.00.00.H29&capNhatTu=${encodeURIComponent(b.capNhatLuc)}`);
    expect(from.json.duLieu.map((x: { maHoSo: string }) => x.maHoSo)).toEqual([b.maHoSo]);
    const noop = await call(sim, tok, 'PUT', `/ho-so-don/${a.maHoSo}`, { body: hoSoDon({ maHoSoNguon: 'A' }) });
    expect(noop.json.capNhatLuc).toBe(a.capNhatLuc);
    expect((await call(sim, tok, 'GET', '/ho-so-don')).status).toBe(400);
    expect((await call(sim, tok, 'GET', '/ho-so-don?maDonVi=000.00.00.H29&gioiHan=1001')).status).toBe(400);
    expect((await call(sim, tok, 'GET', '/ho-so-don?maDonVi=000.00.00.H29&sau=garbage')).status).toBe(400);
  });
});

describe('tim-trung (§6)', () => {
  it('ranks by shared keys then newest ngayNhanDon, leaves out cancelled records, masks identities', async () => {
    const A = await create(hoSoDon({ maHoSoNguon: 'A', dacTrungLienKet: { thuatToan: 'hmac-v1', khoa: ['k:1', 'k:2', 'k:3'], dacTrung: { ten: 'abc' } } }));
    const B = await create(
      hoSoDon({
        maDonVi: '000.00.00.H34', maHoSoNguon: 'B', loaiDon: 'TO_CAO', baoMatDanhTinh: true, ngayNhanDon: '2025-04-22',
        xuLy: { huong: 'THU_LY', ngayXuLy: '2025-04-25' }, giaiQuyet: undefined,
        dacTrungLienKet: { thuatToan: 'hmac-v1', khoa: ['k:1', 'k:2'], dacTrung: {} },
      }),
    );
    const C = await create(
      hoSoDon({
        maDonVi: '000.00.00.H37', maHoSoNguon: 'C', anDanh: true, nguoiDungDon: [], ngayNhanDon: '2025-01-02', loaiDon: 'KIEN_NGHI_PHAN_ANH',
        xuLy: { huong: 'THU_LY', ngayXuLy: '2025-01-05' }, giaiQuyet: undefined, doiTuongBiKNTC: undefined,
        dacTrungLienKet: { thuatToan: 'hmac-v1', khoa: ['k:1'], dacTrung: {} },
      }),
    );
    const D = await create(hoSoDon({ maHoSoNguon: 'D', dacTrungLienKet: { thuatToan: 'hmac-v1', khoa: ['k:1', 'k:2', 'k:3'], dacTrung: {} } }));
    await call(sim, tok, 'POST', `/ho-so-don/${D.maHoSo}/huy`, { body: { lyDo: 'Trùng' }, key: uniqueKey('h') });
    const E = await create(hoSoDon({ maHoSoNguon: 'E', ngayNhanDon: '2025-06-01', xuLy: { huong: 'THU_LY', ngayXuLy: '2025-06-02' }, giaiQuyet: undefined, dacTrungLienKet: { thuatToan: 'hmac-v1', khoa: ['k:1'], dacTrung: {} } }));

    // tim-trung needs no Idempotency-Key
    const r = await call(sim, tok, 'POST', '/ho-so-don/tim-trung', { body: { khoa: ['k:1', 'k:2', 'k:3'] } });
    expect(r.status).toBe(200);
    expect(r.json.conNua).toBe(false);
    expect(r.json.ungVien.map((u: { maHoSo: string }) => u.maHoSo)).toEqual([A.maHoSo, B.maHoSo, E.maHoSo, C.maHoSo]);
    const [a, b, e, c] = r.json.ungVien;
    expect(a.khoaChung.sort()).toEqual(['k:1', 'k:2', 'k:3']);
    expect(a.nguoiDungDon).toEqual([{ hoTen: 'Sùng Văn Toàn', namSinh: 1983, diaChi: { maTinh: '51', maXa: '23538' } }]);
    expect(a.dacTrungLienKet).toEqual({ thuatToan: 'hmac-v1', dacTrung: { ten: 'abc' } });
    expect(a.doiTuongBiKNTC).toEqual({ loai: 'CO_QUAN_TO_CHUC', ten: "Ủy ban nhân dân huyện Ia H'Drai" });
    expect(b.nguoiDungDon).toEqual([]); // tố cáo
    expect(c.nguoiDungDon).toEqual([]); // nặc danh
    expect(e.nguoiDungDon).toHaveLength(1);
    const text = r.bytes.toString('utf8');
    for (const secret of ['012083004719', '0912884301', 'Thôn 3', 'soDinhDanh', 'soDienThoai', 'chiTiet', 'giayTo']) expect(text).not.toContain(secret);

    const limited = await call(sim, tok, 'POST', '/ho-so-don/tim-trung', { body: { khoa: ['k:1'], gioiHan: 2, loaiTru: [A.maHoSo] } });
    expect(limited.json.ungVien).toHaveLength(2);
    expect(limited.json.conNua).toBe(true);
    expect(limited.json.ungVien.map((u: { maHoSo: string }) => u.maHoSo)).not.toContain(A.maHoSo);
    const dated = await call(sim, tok, 'POST', '/ho-so-don/tim-trung', { body: { khoa: ['k:1'], tuNgay: '2025-03-14', denNgay: '2025-04-22' } });
    expect(dated.json.ungVien.map((u: { maHoSo: string }) => u.maHoSo).sort()).toEqual([A.maHoSo, B.maHoSo].sort());
    const empty = await call(sim, tok, 'POST', '/ho-so-don/tim-trung', { body: { khoa: [] } });
    expect([empty.status, empty.json.ma, empty.json.chiTiet]).toEqual([422, 'DU_LIEU_KHONG_HOP_LE', [expect.objectContaining({ truong: '/khoa', ma: 'QUA_DO_DAI' })]]);
  });

  it('answers in plain JSON (as JSON.stringify writes it) and shows a record as last stored: an update changes its candidate, masking included', async () => {
    const lk = (khoa: string[]) => ({ thuatToan: 'hmac-v1', khoa, dacTrung: { note: '"khoaChung":[] inside a value' } });
    const A = await create(hoSoDon({ maHoSoNguon: 'A', dacTrungLienKet: lk(['k:1', 'k:2']) }));
    await create(hoSoDon({ maHoSoNguon: 'B', dacTrungLienKet: lk(['k:2']) }));
    const q = { khoa: ['k:2', 'k:1', 'k:9'] };
    const r1 = await call(sim, tok, 'POST', '/ho-so-don/tim-trung', { body: q });
    expect(r1.bytes.toString('utf8')).toBe(JSON.stringify(r1.json));
    expect(r1.json.ungVien.map((u: { khoaChung: string[] }) => u.khoaChung)).toEqual([['k:2', 'k:1'], ['k:2']]);
    expect(r1.json.ungVien[0].dacTrungLienKet.dacTrung).toEqual({ note: '"khoaChung":[] inside a value' });
    expect(r1.json.ungVien[0].nguoiDungDon).toHaveLength(1);
    const put = await call(sim, tok, 'PUT', `/ho-so-don/${A.maHoSo}`, {
      body: hoSoDon({ maHoSoNguon: 'A', phienBanNguon: 2, loaiDon: 'TO_CAO', baoMatDanhTinh: true, noiDungTomTat: 'Nội dung đã sửa sau khi cập nhật hồ sơ', dacTrungLienKet: lk(['k:1']) }),
    });
    expect(put.status).toBe(200);
    const r2 = await call(sim, tok, 'POST', '/ho-so-don/tim-trung', { body: q });
    expect(r2.bytes.toString('utf8')).toBe(JSON.stringify(r2.json));
    const a = r2.json.ungVien.find((u: { maHoSo: string }) => u.maHoSo === A.maHoSo);
    expect([a.khoaChung, a.noiDungTomTat, a.loaiDon, a.nguoiDungDon]).toEqual([['k:1'], 'Nội dung đã sửa sau khi cập nhật hồ sơ', 'TO_CAO', []]);
  });
});

describe('lien-ket-trung (§6)', () => {
  it('one link per unordered pair from any client; delete and re-create bring the same link back', async () => {
    const A = await create(hoSoDon({ maHoSoNguon: 'A' }));
    const B = await create(hoSoDon({ maDonVi: '000.00.00.H34', maHoSoNguon: 'B' }));
    const l1 = await call(sim, tok, 'POST', `/ho-so-don/${A.maHoSo}/lien-ket-trung`, { body: { maHoSoKhac: B.maHoSo, mucDo: 'NGHI_TRUNG', diem: 0.71 }, key: uniqueKey('l') });
    expect(l1.status).toBe(201);
    expect(l1.json).toMatchObject({ maHoSo: A.maHoSo, maHoSoKhac: B.maHoSo, maDonVi: '000.00.00.H29', maDonViKhac: '000.00.00.H34', mucDo: 'NGHI_TRUNG', taoBoi: 'demo-connector', trangThai: 'HIEU_LUC' });
    const kt = await getToken(sim, 'kon-tum', 'kt-secret');
    const l2 = await call(sim, kt, 'POST', `/ho-so-don/${B.maHoSo}/lien-ket-trung`, { body: { maHoSoKhac: A.maHoSo, mucDo: 'TRUNG', diem: 0.95, xacNhanBoi: 'can-bo-01' }, key: uniqueKey('l') });
    expect(l2.status).toBe(200);
    expect(l2.json).toMatchObject({ maLienKet: l1.json.maLienKet, mucDo: 'TRUNG', diem: 0.95 });
    const hn = await getToken(sim, 'ha-noi', 'hn-secret');
    expect((await call(sim, hn, 'POST', `/ho-so-don/${A.maHoSo}/lien-ket-trung`, { body: { maHoSoKhac: B.maHoSo, mucDo: 'TRUNG', diem: 1 }, key: uniqueKey('l') })).status).toBe(403);
    const del = await call(sim, kt, 'DELETE', `/ho-so-don/${B.maHoSo}/lien-ket-trung/${l1.json.maLienKet}`);
    expect(del.status).toBe(204);
    const listed = await call(sim, tok, 'GET', '/lien-ket-trung?maDonVi=000.00.00.H29');
    expect(listed.json.duLieu).toEqual([expect.objectContaining({ maLienKet: l1.json.maLienKet, trangThai: 'DA_GO' })]);
    const back = await call(sim, tok, 'POST', `/ho-so-don/${A.maHoSo}/lien-ket-trung`, { body: { maHoSoKhac: B.maHoSo, mucDo: 'TRUNG', diem: 0.9 }, key: uniqueKey('l') });
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ maLienKet: l1.json.maLienKet, trangThai: 'HIEU_LUC' });
    expect((await call(sim, kt, 'GET', '/lien-ket-trung?maDonVi=000.00.00.H34')).json.duLieu).toHaveLength(1);
    expect((await call(sim, tok, 'POST', `/ho-so-don/${A.maHoSo}/lien-ket-trung`, { body: { maHoSoKhac: 'HS-404', mucDo: 'TRUNG', diem: 1 }, key: uniqueKey('l') })).status).toBe(404);
  });
});

describe('catalogues (§7)', () => {
  it('serves catalogues with ETag and answers If-None-Match with 304', async () => {
    const r = await call(sim, tok, 'GET', '/danh-muc/tinh');
    expect(r.status).toBe(200);
    expect(r.json.ten).toBe('tinh');
    expect(r.json.muc).toHaveLength(34);
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await call(sim, tok, 'GET', '/danh-muc/tinh', { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    const xa = await call(sim, tok, 'GET', '/danh-muc/xa?maTinh=12');
    expect(xa.json.muc.length).toBeGreaterThan(10);
    expect(xa.json.muc.every((m: { maTinh: string }) => m.maTinh === '12')).toBe(true);
    expect(xa.headers.get('etag')).not.toBe(etag);
    const loai = await call(sim, tok, 'GET', '/danh-muc/loai-don');
    expect(loai.json.muc.map((m: { ma: string }) => m.ma)).toEqual(['KHIEU_NAI', 'TO_CAO', 'KIEN_NGHI_PHAN_ANH', 'NHIEU_NOI_DUNG']);
    const donVi = await call(sim, tok, 'GET', '/danh-muc/don-vi');
    expect(donVi.json.muc).toContainEqual(expect.objectContaining({ ma: '000.00.00.H34', ten: 'Ban Tiếp công dân tỉnh Kon Tum', maTinh: '51', cap: 'TINH' }));
    expect((await call(sim, tok, 'GET', '/danh-muc/khong-co')).status).toBe(404);
  });
});
