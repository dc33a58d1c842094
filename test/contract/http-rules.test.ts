/**
 * Each national validation rule over HTTP, one failing case per rule (contract §1 text rules, §5.1 rules 1–4,
 * §8, and the §6 / §5.2 request bodies lien-ket-trung, tim-trung and huy): one POST to the simulator each,
 * asserting 422 DU_LIEU_KHONG_HOP_LE with exactly one chiTiet entry at the expected pointer with the expected code.
 * (test/contract/validate.test.ts covers the same rules by calling the validator directly.)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startTestSim, getToken, call, uniqueKey } from '../simulator/harness.js';
import { hoSoDon, luotTiep, withAt, type Body } from '../simulator/fixtures.js';

let sim: RunningSimulator;
let tok: string;
let A: string;
let B: string;

beforeAll(async () => {
  sim = await startTestSim({ limits: { enabled: false } });
  tok = await getToken(sim);
  A = (await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon({ maHoSoNguon: 'RULES-A' }), key: uniqueKey('a') })).json.maHoSo;
  B = (await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon({ maHoSoNguon: 'RULES-B' }), key: uniqueKey('b') })).json.maHoSo;
  expect([typeof A, typeof B]).toEqual(['string', 'string']);
});
afterAll(async () => {
  await sim.close();
});

const P0 = '/nguoiDungDon/0';
const C0 = '/congDan/0';
const rep = (n: number) => Array.from({ length: n }, (_, i) => ({ hoTen: `Người Số ${i}`, laDaiDien: true, diaChi: { maTinh: '12' } }));
const noResolution = { giaiQuyet: undefined };

/** [name, path (A/B substituted), body, truong, ma] */
type Row = [string, string, () => Body, string, string];

const HO_SO = '/ho-so-don';
const LUOT = '/luot-tiep';
const RECORD_ROWS: Row[] = [
  // §1 text rules
  ['§1 name in NFD', HO_SO, () => withAt(hoSoDon(), `${P0}/hoTen`, 'Đoàn Bích Ngọc'.normalize('NFD')), `${P0}/hoTen`, 'SAI_DINH_DANG'],
  ['§1 control character (tab) in a name', HO_SO, () => withAt(hoSoDon(), `${P0}/hoTen`, 'Sùng\tVăn Toàn'), `${P0}/hoTen`, 'SAI_DINH_DANG'],
  ['§1 line break in a short-text field', HO_SO, () => withAt(hoSoDon(), `${P0}/diaChi/chiTiet`, 'Thôn 3\nxã X'), `${P0}/diaChi/chiTiet`, 'SAI_DINH_DANG'],
  ['§1 not trimmed', HO_SO, () => withAt(hoSoDon(), '/noiDungTomTat', 'Khiếu nại việc thu hồi đất nương chưa được bồi thường. '), '/noiDungTomTat', 'SAI_DINH_DANG'],
  ['§1 giayTo.so has no stated maximum → 501 code points is too long', LUOT, () => withAt(luotTiep(), `${C0}/giayTo/so`, 'Ễ'.repeat(501)), `${C0}/giayTo/so`, 'QUA_DO_DAI'],
  ['§1 lyDoKhongDu (long text, no stated maximum) over 500', HO_SO, () => hoSoDon({ dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', lyDoKhongDu: 'x'.repeat(501), xuLy: { huong: 'TRA_LAI', ngayXuLy: '2025-03-20' }, ...noResolution }), '/lyDoKhongDu', 'QUA_DO_DAI'],
  // §5.1 rule 1: current province / commune codes
  ['§5.1-1 pre-2025 province', HO_SO, () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '62' }), `${P0}/diaChi/maTinh`, 'MA_HET_HIEU_LUC'],
  ['§5.1-1 unknown province', HO_SO, () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '99' }), `${P0}/diaChi/maTinh`, 'MA_KHONG_TON_TAI'],
  ['§5.1-1 pre-2025 commune', HO_SO, () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '15', maXa: '04540' }), `${P0}/diaChi/maXa`, 'MA_HET_HIEU_LUC'],
  ['§5.1-1 commune of another province', HO_SO, () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '12', maXa: '23538' }), `${P0}/diaChi/maXa`, 'KHONG_NHAT_QUAN'],
  ['§5.1-1 unknown commune', HO_SO, () => withAt(hoSoDon(), `${P0}/diaChi/maXa`, '99999'), `${P0}/diaChi/maXa`, 'MA_KHONG_TON_TAI'],
  // §5.1 rule 2: CCCD
  ['§5.1-2 CCCD of 11 digits', HO_SO, () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '62086001457'), `${P0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  ['§5.1-2 9-digit CMND in soDinhDanh', HO_SO, () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '040512387'), `${P0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  ['§5.1-2 CCCD province 099', HO_SO, () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '099083004719'), `${P0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  ['§5.1-2 CCCD century digit 5', HO_SO, () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '012583004719'), `${P0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  ['§5.1-2 CCCD year disagrees with namSinh', HO_SO, () => withAt(hoSoDon(), `${P0}/namSinh`, 1984), `${P0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  ['§5.1-2 CCCD sex disagrees with gioiTinh', HO_SO, () => withAt(hoSoDon(), `${P0}/gioiTinh`, 'NU'), `${P0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  // §5.1 rule 3: dates
  ['§5.1-3 ngayNhanDon in the future', HO_SO, () => hoSoDon({ ngayNhanDon: '2026-04-01', xuLy: undefined, ...noResolution }), '/ngayNhanDon', 'NGAY_KHONG_HOP_LE'],
  ['§5.1-3 ngayXuLy before ngayNhanDon', HO_SO, () => withAt(hoSoDon(), '/xuLy/ngayXuLy', '2025-03-13'), '/xuLy/ngayXuLy', 'NGAY_KHONG_HOP_LE'],
  ['§5.1-3 ngayThuLy before ngayNhanDon', HO_SO, () => withAt(hoSoDon(), '/giaiQuyet/ngayThuLy', '2025-03-13'), '/giaiQuyet/ngayThuLy', 'NGAY_KHONG_HOP_LE'],
  ['§5.1-3 ngayKetThuc before ngayThuLy', HO_SO, () => withAt(hoSoDon(), '/giaiQuyet/ngayKetThuc', '2025-03-24'), '/giaiQuyet/ngayKetThuc', 'NGAY_KHONG_HOP_LE'],
  // §5.1 rule 4: cross-field
  ['§5.1-4 anDanh=false ⇒ a petitioner', HO_SO, () => hoSoDon({ nguoiDungDon: [] }), '/nguoiDungDon', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 anDanh=true ⇒ no petitioner', HO_SO, () => hoSoDon({ anDanh: true }), '/nguoiDungDon', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 soNguoi ≥ petitioners', HO_SO, () => hoSoDon({ nguoiDungDon: rep(3) }), '/soNguoi', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 soNguoi ≥ 5 ⇒ laDaiDien', HO_SO, () => hoSoDon({ soNguoi: 9, nguoiDungDon: [rep(1)[0], { hoTen: 'Lò Văn Minh', diaChi: { maTinh: '12' } }] }), '/nguoiDungDon/1/laDaiDien', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 TO_CAO ⇒ baoMatDanhTinh', HO_SO, () => hoSoDon({ loaiDon: 'TO_CAO' }), '/baoMatDanhTinh', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 CQ_CHUYEN ⇒ coQuanChuyenDen', HO_SO, () => hoSoDon({ nguonDon: 'CQ_CHUYEN' }), '/coQuanChuyenDen', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 DBQH_HDND ⇒ coQuanChuyenDen', HO_SO, () => hoSoDon({ nguonDon: 'DBQH_HDND' }), '/coQuanChuyenDen', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 CHUYEN_DON ⇒ maDonViNhan ≠ maDonVi', HO_SO, () => hoSoDon({ xuLy: { huong: 'CHUYEN_DON', ngayXuLy: '2025-03-20', maDonViNhan: '000.00.00.H29' }, ...noResolution }), '/xuLy/maDonViNhan', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 giaiQuyet ⇒ THU_LY', HO_SO, () => withAt(hoSoDon(), '/xuLy/huong', 'DON_DOC'), '/xuLy/huong', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 KHONG_DU_DIEU_KIEN ⇒ TRA_LAI/LUU_DON/HUONG_DAN', HO_SO, () => hoSoDon({ dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', lyDoKhongDu: 'Đơn không ký tên', ...noResolution }), '/xuLy/huong', 'KHONG_NHAT_QUAN'],
  ['§5.1 KHONG_DU_DIEU_KIEN ⇒ lyDoKhongDu', HO_SO, () => hoSoDon({ dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', xuLy: { huong: 'LUU_DON', ngayXuLy: '2025-03-20' }, ...noResolution }), '/lyDoKhongDu', 'KHONG_NHAT_QUAN'],
  ['§5.1-4 KHIEU_NAI + DU_DIEU_KIEN ⇒ doiTuongBiKNTC', HO_SO, () => hoSoDon({ doiTuongBiKNTC: undefined }), '/doiTuongBiKNTC', 'KHONG_NHAT_QUAN'],
  // §8 luot-tiep
  ['§8 congDan rule 1 (pre-2025 province)', LUOT, () => withAt(luotTiep(), `${C0}/diaChi`, { maTinh: '62' }), `${C0}/diaChi/maTinh`, 'MA_HET_HIEU_LUC'],
  ['§8 congDan rule 2 (CCCD)', LUOT, () => withAt(luotTiep(), `${C0}/soDinhDanh`, '099083004719'), `${C0}/soDinhDanh`, 'DINH_DANH_KHONG_HOP_LE'],
  ['§8 ngayTiep in the future', LUOT, () => luotTiep({ ngayTiep: '2026-04-01' }), '/ngayTiep', 'NGAY_KHONG_HOP_LE'],
  ['§8 congDan 1–5', LUOT, () => luotTiep({ congDan: [] }), '/congDan', 'QUA_DO_DAI'],
  ['§8 soNguoi ≥ congDan', LUOT, () => luotTiep({ congDan: rep(2).map((p) => ({ ...p, laDaiDien: undefined })) }), '/soNguoi', 'KHONG_NHAT_QUAN'],
  ['§8 soNguoi ≥ 5 ⇒ laDaiDien', LUOT, () => luotTiep({ soNguoi: 7 }), `${C0}/laDaiDien`, 'KHONG_NHAT_QUAN'],
  ['§8 maDonViNhan ≠ maDonVi', LUOT, () => luotTiep({ ketQua: { huong: 'CHUYEN_DON', maDonViNhan: '000.00.00.H34' } }), '/ketQua/maDonViNhan', 'KHONG_NHAT_QUAN'],
  ['§8 maDonViNhan in don-vi', LUOT, () => luotTiep({ ketQua: { huong: 'CHUYEN_DON', maDonViNhan: '000.00.99.H99' } }), '/ketQua/maDonViNhan', 'MA_KHONG_TON_TAI'],
  ['§8 hinhThuc enumeration', LUOT, () => luotTiep({ hinhThuc: 'DIEN_THOAI' }), '/hinhThuc', 'SAI_DINH_DANG'],
  ['§8 ketQua.huong enumeration', LUOT, () => luotTiep({ ketQua: { huong: 'LUU_DON' } }), '/ketQua/huong', 'SAI_DINH_DANG'],
  ['§8 noiDung 10–4000', LUOT, () => luotTiep({ noiDung: 'Đất đai' }), '/noiDung', 'QUA_DO_DAI'],
  ['§8 coQuanDaGiaiQuyet ≤ 500', LUOT, () => luotTiep({ coQuanDaGiaiQuyet: 'x'.repeat(501) }), '/coQuanDaGiaiQuyet', 'QUA_DO_DAI'],
  ['§8 ghiChu ≤ 1000', LUOT, () => luotTiep({ ghiChu: 'x'.repeat(1001) }), '/ghiChu', 'QUA_DO_DAI'],
];

const lk = (over: Body = {}): Body => ({ maHoSoKhac: '{B}', mucDo: 'NGHI_TRUNG', diem: 0.7, ...over });
const LINK = '/ho-so-don/{A}/lien-ket-trung';
const TIM = '/ho-so-don/tim-trung';
const HUY = '/ho-so-don/{A}/huy';
const REQUEST_ROWS: Row[] = [
  ['lien-ket mucDo outside TRUNG|NGHI_TRUNG', LINK, () => lk({ mucDo: 'CHAC_CHAN' }), '/mucDo', 'SAI_DINH_DANG'],
  ['lien-ket diem not a number', LINK, () => lk({ diem: '0.9' }), '/diem', 'SAI_KIEU'],
  ['lien-ket diem null', LINK, () => lk({ diem: null }), '/diem', 'SAI_KIEU'],
  ['lien-ket maHoSoKhac missing', LINK, () => lk({ maHoSoKhac: undefined }), '/maHoSoKhac', 'THIEU_TRUONG'],
  ['lien-ket lyDo over 1000', LINK, () => lk({ lyDo: 'Ễ'.repeat(1001) }), '/lyDo', 'QUA_DO_DAI'],
  ['lien-ket lyDo in NFD', LINK, () => lk({ lyDo: 'Trùng người đứng đơn'.normalize('NFD') }), '/lyDo', 'SAI_DINH_DANG'],
  ['lien-ket lyDo with a control character', LINK, () => lk({ lyDo: 'Trùng\u0007' }), '/lyDo', 'SAI_DINH_DANG'],
  ['lien-ket lyDo not trimmed', LINK, () => lk({ lyDo: ' Trùng' }), '/lyDo', 'SAI_DINH_DANG'],
  ['lien-ket xacNhanBoi over 64', LINK, () => lk({ xacNhanBoi: 'c'.repeat(65) }), '/xacNhanBoi', 'QUA_DO_DAI'],
  ['lien-ket xacNhanBoi with a line break (short text)', LINK, () => lk({ xacNhanBoi: 'can-bo\n01' }), '/xacNhanBoi', 'SAI_DINH_DANG'],
  ['lien-ket unknown field', LINK, () => lk({ ghiChu: 'x' }), '/ghiChu', 'TRUONG_KHONG_DUOC_PHEP'],
  ['lien-ket with itself', LINK, () => lk({ maHoSoKhac: '{A}' }), '/maHoSoKhac', 'KHONG_NHAT_QUAN'],
  ['tim-trung khoa empty', TIM, () => ({ khoa: [] }), '/khoa', 'QUA_DO_DAI'],
  ['tim-trung key with a space', TIM, () => ({ khoa: ['a b'] }), '/khoa/0', 'SAI_DINH_DANG'],
  ['tim-trung gioiHan over 200', TIM, () => ({ khoa: ['k:1'], gioiHan: 201 }), '/gioiHan', 'SAI_DINH_DANG'],
  ['tim-trung gioiHan a string', TIM, () => ({ khoa: ['k:1'], gioiHan: '5' }), '/gioiHan', 'SAI_KIEU'],
  ['tim-trung impossible date', TIM, () => ({ khoa: ['k:1'], tuNgay: '2025-02-31' }), '/tuNgay', 'NGAY_KHONG_HOP_LE'],
  ['tim-trung loaiTru entry with a tab', TIM, () => ({ khoa: ['k:1'], loaiTru: ['HS-1\t'] }), '/loaiTru/0', 'SAI_DINH_DANG'],
  ['tim-trung unknown field', TIM, () => ({ khoa: ['k:1'], maDonVi: '000.00.00.H29' }), '/maDonVi', 'TRUONG_KHONG_DUOC_PHEP'],
  ['huy lyDo missing', HUY, () => ({}), '/lyDo', 'THIEU_TRUONG'],
  ['huy lyDo empty', HUY, () => ({ lyDo: '' }), '/lyDo', 'QUA_DO_DAI'],
  ['huy lyDo (no stated maximum) over 500', HUY, () => ({ lyDo: 'Ễ'.repeat(501) }), '/lyDo', 'QUA_DO_DAI'],
  ['huy lyDo in NFD', HUY, () => ({ lyDo: 'Nhập nhầm'.normalize('NFD') }), '/lyDo', 'SAI_DINH_DANG'],
  ['huy unknown field', HUY, () => ({ lyDo: 'Nhập nhầm', by: 'x' }), '/by', 'TRUONG_KHONG_DUOC_PHEP'],
];

const ids = (s: string) => s.replace('{A}', A).replace('{B}', B);
/** JSON round trip with {A}/{B} replaced (drops undefined overrides, as a real body would). */
const sent = (b: Body) => JSON.parse(ids(JSON.stringify(b))) as Body;

async function post(path: string, body: Body) {
  return call(sim, tok, 'POST', ids(path), { body: sent(body), ...(path === TIM ? {} : { key: uniqueKey('rule') }) });
}

describe('every validation rule over HTTP: 422 DU_LIEU_KHONG_HOP_LE with one chiTiet entry', () => {
  it.each([...RECORD_ROWS, ...REQUEST_ROWS])('%s', async (_name, path, body, truong, ma) => {
    const r = await post(path, body());
    expect(r.status).toBe(422);
    expect(r.json.ma).toBe('DU_LIEU_KHONG_HOP_LE');
    expect((r.json.chiTiet as { truong: string; ma: string }[]).map((e) => ({ truong: e.truong, ma: e.ma }))).toEqual([{ truong, ma }]);
  });
});

describe('the limits at their boundary are accepted', () => {
  it('records: giayTo.so of 500, lyDoKhongDu of 500 with a line break', async () => {
    const lt = await post(LUOT, withAt(luotTiep({ maLuotTiepNguon: 'RULES-LT-500' }), `${C0}/giayTo/so`, 'Ễ'.repeat(500)));
    expect(lt.status).toBe(201);
    const lyDo = 'Đơn không đủ điều kiện\n' + 'x'.repeat(500 - 23);
    expect([...lyDo].length).toBe(500);
    const hs = await post(HO_SO, hoSoDon({ maHoSoNguon: 'RULES-KDD', dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', lyDoKhongDu: lyDo, xuLy: { huong: 'TRA_LAI', ngayXuLy: '2025-03-20' }, ...noResolution }));
    expect(hs.status).toBe(201);
  });

  it('lien-ket lyDo of 1000 with a line break and xacNhanBoi of 64; tim-trung with every field; huy lyDo of 500 with a line break', async () => {
    const l = await post(LINK, lk({ lyDo: 'Trùng\n' + 'Ễ'.repeat(994), xacNhanBoi: 'c'.repeat(64) }));
    expect(l.status).toBe(201);
    const t = await post(TIM, { khoa: ['k:1'], loaiTru: [A], tuNgay: '2025-01-01', denNgay: '2026-03-31', gioiHan: 200 });
    expect(t.status).toBe(200);
    const h = await post(HUY, { lyDo: 'Nhập nhầm\n' + 'Ễ'.repeat(490) });
    expect(h.status).toBe(200);
    expect(h.json.trangThai).toBe('DA_HUY');
  });
});
