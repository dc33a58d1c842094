import { describe, it, expect } from 'vitest';
import { validateHoSoDon, validateLuotTiep, validateDetailed, listRuleIds, type RuleId } from '../../src/contract/validate.js';
import { hoSoDon, luotTiep, withAt, sharedCatalogues, TODAY, type Body } from '../simulator/fixtures.js';

const ctx = () => ({ catalogues: sharedCatalogues(), today: TODAY });
const P0 = '/nguoiDungDon/0';

interface Case {
  name: string;
  rule: RuleId;
  kind?: 'ho-so-don' | 'luot-tiep';
  body: () => Body;
  truong: string;
  ma: string;
}

const bigDacTrung = { blob: 'x'.repeat(9000) };
const six = Array.from({ length: 6 }, (_, i) => ({ hoTen: `Người Số ${i}`, laDaiDien: true, diaChi: { maTinh: '12' } }));

const CASES: Case[] = [
  { name: 'field not in the contract', rule: 'unknown-field', body: () => ({ ...hoSoDon(), ghiChuNoiBo: 'x' }), truong: '/ghiChuNoiBo', ma: 'TRUONG_KHONG_DUOC_PHEP' },
  { name: 'unknown field inside a petitioner', rule: 'unknown-field', body: () => withAt(hoSoDon(), `${P0}/email`, 'a@example.com'), truong: `${P0}/email`, ma: 'TRUONG_KHONG_DUOC_PHEP' },
  { name: 'ngayNhanDon missing', rule: 'required', body: () => withAt(hoSoDon(), '/ngayNhanDon', undefined), truong: '/ngayNhanDon', ma: 'THIEU_TRUONG' },
  { name: 'whole address of a petitioner missing', rule: 'required', body: () => withAt(hoSoDon(), `${P0}/diaChi`, undefined), truong: `${P0}/diaChi`, ma: 'THIEU_TRUONG' },
  { name: 'commune given without its province', rule: 'required', body: () => withAt(hoSoDon(), `${P0}/diaChi`, { maXa: '23538' }), truong: `${P0}/diaChi/maTinh`, ma: 'THIEU_TRUONG' },
  { name: 'dacTrungLienKet missing', rule: 'required', body: () => withAt(hoSoDon(), '/dacTrungLienKet', undefined), truong: '/dacTrungLienKet', ma: 'THIEU_TRUONG' },
  { name: 'soNguoi is null', rule: 'type', body: () => withAt(hoSoDon(), '/soNguoi', null), truong: '/soNguoi', ma: 'SAI_KIEU' },
  { name: 'anDanh is the string "false"', rule: 'type', body: () => withAt(hoSoDon(), '/anDanh', 'false'), truong: '/anDanh', ma: 'SAI_KIEU' },
  { name: 'phienBanNguon is 1.5', rule: 'type', body: () => withAt(hoSoDon(), '/phienBanNguon', 1.5), truong: '/phienBanNguon', ma: 'SAI_KIEU' },
  { name: 'name in NFD', rule: 'text-nfc', body: () => withAt(hoSoDon(), `${P0}/hoTen`, 'Đoàn Bích Ngọc'.normalize('NFD')), truong: `${P0}/hoTen`, ma: 'SAI_DINH_DANG' },
  { name: 'tab inside a name', rule: 'text-control', body: () => withAt(hoSoDon(), `${P0}/hoTen`, 'Sùng\tVăn Toàn'), truong: `${P0}/hoTen`, ma: 'SAI_DINH_DANG' },
  { name: 'line break in a short-text field (address detail)', rule: 'text-control', body: () => withAt(hoSoDon(), `${P0}/diaChi/chiTiet`, 'Thôn 3\nxã X'), truong: `${P0}/diaChi/chiTiet`, ma: 'SAI_DINH_DANG' },
  { name: 'carriage return in the summary', rule: 'text-control', body: () => withAt(hoSoDon(), '/noiDungTomTat', 'Nội dung khiếu nại\r\ndòng hai dài'), truong: '/noiDungTomTat', ma: 'SAI_DINH_DANG' },
  { name: 'name not trimmed', rule: 'text-trim', body: () => withAt(hoSoDon(), `${P0}/hoTen`, ' Sùng Văn Toàn'), truong: `${P0}/hoTen`, ma: 'SAI_DINH_DANG' },
  { name: 'summary shorter than 10 characters', rule: 'length', body: () => withAt(hoSoDon(), '/noiDungTomTat', 'Đất đai'), truong: '/noiDungTomTat', ma: 'QUA_DO_DAI' },
  { name: 'name of 101 code points', rule: 'length', body: () => withAt(hoSoDon(), `${P0}/hoTen`, 'Ễ'.repeat(101)), truong: `${P0}/hoTen`, ma: 'QUA_DO_DAI' },
  { name: 'address detail over the default 500', rule: 'length', body: () => withAt(hoSoDon(), `${P0}/diaChi/chiTiet`, 'a'.repeat(501)), truong: `${P0}/diaChi/chiTiet`, ma: 'QUA_DO_DAI' },
  { name: 'six petitioners', rule: 'array-size', body: () => hoSoDon({ nguoiDungDon: six, soNguoi: 6 }), truong: '/nguoiDungDon', ma: 'QUA_DO_DAI' },
  { name: 'luot-tiep without any citizen', rule: 'array-size', kind: 'luot-tiep', body: () => luotTiep({ congDan: [] }), truong: '/congDan', ma: 'QUA_DO_DAI' },
  { name: 'dacTrung over 8 KiB', rule: 'size', body: () => withAt(hoSoDon(), '/dacTrungLienKet/dacTrung', bigDacTrung), truong: '/dacTrungLienKet/dacTrung', ma: 'QUA_DO_DAI' },
  { name: 'attachment over 50 MiB', rule: 'size', body: () => hoSoDon({ tepDinhKem: [{ ten: 'don.pdf', sha256: 'a'.repeat(64), kichThuoc: 52428801 }] }), truong: '/tepDinhKem/0/kichThuoc', ma: 'QUA_DO_DAI' },
  { name: 'agency code without dots', rule: 'pattern', body: () => withAt(hoSoDon(), '/maDonVi', 'H29'), truong: '/maDonVi', ma: 'SAI_DINH_DANG' },
  { name: 'phone without the leading 0', rule: 'pattern', body: () => withAt(hoSoDon(), `${P0}/soDienThoai`, '912884301'), truong: `${P0}/soDienThoai`, ma: 'SAI_DINH_DANG' },
  { name: 'date written dd/mm/yyyy', rule: 'pattern', body: () => withAt(hoSoDon(), '/ngayNhanDon', '14/03/2025'), truong: '/ngayNhanDon', ma: 'SAI_DINH_DANG' },
  { name: 'linkage key with a space', rule: 'pattern', body: () => withAt(hoSoDon(), '/dacTrungLienKet/khoa', ['a b']), truong: '/dacTrungLienKet/khoa/0', ma: 'SAI_DINH_DANG' },
  { name: 'gioiTinh MALE', rule: 'enum', body: () => withAt(hoSoDon(), `${P0}/gioiTinh`, 'MALE'), truong: `${P0}/gioiTinh`, ma: 'SAI_DINH_DANG' },
  { name: 'hinhThuc by phone', rule: 'enum', kind: 'luot-tiep', body: () => luotTiep({ hinhThuc: 'DIEN_THOAI' }), truong: '/hinhThuc', ma: 'SAI_DINH_DANG' },
  { name: 'phienBanNguon 0', rule: 'number-range', body: () => withAt(hoSoDon(), '/phienBanNguon', 0), truong: '/phienBanNguon', ma: 'SAI_DINH_DANG' },
  { name: 'third resolution round', rule: 'number-range', body: () => withAt(hoSoDon(), '/giaiQuyet/lan', 3), truong: '/giaiQuyet/lan', ma: 'SAI_DINH_DANG' },
  { name: '31 February', rule: 'date-invalid', body: () => withAt(hoSoDon(), '/ngayNhanDon', '2025-02-31'), truong: '/ngayNhanDon', ma: 'NGAY_KHONG_HOP_LE' },
  { name: 'received in the future (2052 typo)', rule: 'date-range', body: () => hoSoDon({ ngayNhanDon: '2052-10-07', xuLy: undefined, giaiQuyet: undefined }), truong: '/ngayNhanDon', ma: 'NGAY_KHONG_HOP_LE' },
  { name: 'reception in the future', rule: 'date-range', kind: 'luot-tiep', body: () => luotTiep({ ngayTiep: '2026-04-01' }), truong: '/ngayTiep', ma: 'NGAY_KHONG_HOP_LE' },
  { name: 'birth year 1890', rule: 'date-range', body: () => withAt(withAt(hoSoDon(), `${P0}/namSinh`, 1890), `${P0}/soDinhDanh`, undefined), truong: `${P0}/namSinh`, ma: 'NGAY_KHONG_HOP_LE' },
  { name: 'processed before received', rule: 'date-order', body: () => withAt(hoSoDon(), '/xuLy/ngayXuLy', '2025-03-01'), truong: '/xuLy/ngayXuLy', ma: 'NGAY_KHONG_HOP_LE' },
  { name: 'closed before accepted', rule: 'date-order', body: () => withAt(hoSoDon(), '/giaiQuyet/ngayKetThuc', '2025-03-24'), truong: '/giaiQuyet/ngayKetThuc', ma: 'NGAY_KHONG_HOP_LE' },
  { name: 'source of the đơn FAX', rule: 'catalogue', body: () => withAt(hoSoDon(), '/nguonDon', 'FAX'), truong: '/nguonDon', ma: 'MA_KHONG_TON_TAI' },
  { name: 'agency not in don-vi', rule: 'catalogue', body: () => withAt(hoSoDon(), '/maDonVi', '000.00.99.H99'), truong: '/maDonVi', ma: 'MA_KHONG_TON_TAI' },
  { name: 'province 99', rule: 'catalogue', body: () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '99' }), truong: `${P0}/diaChi/maTinh`, ma: 'MA_KHONG_TON_TAI' },
  { name: 'commune 99999', rule: 'catalogue', body: () => withAt(hoSoDon(), `${P0}/diaChi/maXa`, '99999'), truong: `${P0}/diaChi/maXa`, ma: 'MA_KHONG_TON_TAI' },
  { name: 'luot-tiep transferred to an unknown agency', rule: 'catalogue', kind: 'luot-tiep', body: () => luotTiep({ ketQua: { huong: 'CHUYEN_DON', maDonViNhan: '000.00.99.H99' } }), truong: '/ketQua/maDonViNhan', ma: 'MA_KHONG_TON_TAI' },
  { name: 'linhVuc is the group HC', rule: 'linh-vuc-leaf', body: () => withAt(hoSoDon(), '/linhVuc', 'HC'), truong: '/linhVuc', ma: 'MA_KHONG_TON_TAI' },
  { name: 'old Kon Tum province 62', rule: 'province-expired', body: () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '62' }), truong: `${P0}/diaChi/maTinh`, ma: 'MA_HET_HIEU_LUC' },
  { name: 'old Âu Lâu commune 04540 under current Lào Cai', rule: 'commune-expired', body: () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '15', maXa: '04540' }), truong: `${P0}/diaChi/maXa`, ma: 'MA_HET_HIEU_LUC' },
  { name: 'Ia H\'Drai commune under Lai Châu', rule: 'commune-province', body: () => withAt(hoSoDon(), `${P0}/diaChi`, { maTinh: '12', maXa: '23538' }), truong: `${P0}/diaChi/maXa`, ma: 'KHONG_NHAT_QUAN' },
  { name: 'CCCD of 11 digits (Excel dropped the 0)', rule: 'cccd-format', body: () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '62086001457'), truong: `${P0}/soDinhDanh`, ma: 'DINH_DANH_KHONG_HOP_LE' },
  { name: 'CCCD of province 099', rule: 'cccd-province', body: () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '099083004719'), truong: `${P0}/soDinhDanh`, ma: 'DINH_DANH_KHONG_HOP_LE' },
  { name: 'CCCD century digit 5', rule: 'cccd-century', body: () => withAt(hoSoDon(), `${P0}/soDinhDanh`, '012583004719'), truong: `${P0}/soDinhDanh`, ma: 'DINH_DANH_KHONG_HOP_LE' },
  { name: 'CCCD year 88 but born 1986 (I2)', rule: 'cccd-year', body: () => withAt(withAt(hoSoDon(), `${P0}/soDinhDanh`, '036188002415'), `${P0}/gioiTinh`, 'NU'), truong: `${P0}/soDinhDanh`, ma: 'DINH_DANH_KHONG_HOP_LE' },
  { name: 'CCCD male digit for a woman', rule: 'cccd-sex', body: () => withAt(hoSoDon(), `${P0}/gioiTinh`, 'NU'), truong: `${P0}/soDinhDanh`, ma: 'DINH_DANH_KHONG_HOP_LE' },
  { name: 'not anonymous and nobody listed', rule: 'xf-an-danh-requires-petitioner', body: () => hoSoDon({ nguoiDungDon: [] }), truong: '/nguoiDungDon', ma: 'KHONG_NHAT_QUAN' },
  { name: 'anonymous with a petitioner', rule: 'xf-an-danh-no-petitioner', body: () => hoSoDon({ anDanh: true }), truong: '/nguoiDungDon', ma: 'KHONG_NHAT_QUAN' },
  { name: 'soNguoi 1 with 3 petitioners (C5)', rule: 'xf-so-nguoi', body: () => hoSoDon({ nguoiDungDon: six.slice(0, 3) }), truong: '/soNguoi', ma: 'KHONG_NHAT_QUAN' },
  { name: 'đơn đông người with a non-representative', rule: 'xf-dai-dien', body: () => hoSoDon({ soNguoi: 14, nguoiDungDon: [six[0], { hoTen: 'Lò Văn Minh', diaChi: { maTinh: '12' } }] }), truong: '/nguoiDungDon/1/laDaiDien', ma: 'KHONG_NHAT_QUAN' },
  { name: 'đoàn đông người at reception without representative flag', rule: 'xf-dai-dien', kind: 'luot-tiep', body: () => luotTiep({ soNguoi: 12 }), truong: '/congDan/0/laDaiDien', ma: 'KHONG_NHAT_QUAN' },
  { name: 'tố cáo without identity protection', rule: 'xf-to-cao-bao-mat', body: () => hoSoDon({ loaiDon: 'TO_CAO' }), truong: '/baoMatDanhTinh', ma: 'KHONG_NHAT_QUAN' },
  { name: 'forwarded by another body that is not named (C8)', rule: 'xf-co-quan-chuyen-den', body: () => hoSoDon({ nguonDon: 'CQ_CHUYEN' }), truong: '/coQuanChuyenDen', ma: 'KHONG_NHAT_QUAN' },
  { name: 'chuyển đơn with no receiving body (C6)', rule: 'xf-chuyen-don-nhan', body: () => hoSoDon({ xuLy: { huong: 'CHUYEN_DON', ngayXuLy: '2025-03-20' }, giaiQuyet: undefined }), truong: '/xuLy/maDonViNhan', ma: 'KHONG_NHAT_QUAN' },
  { name: 'chuyển đơn to itself', rule: 'xf-chuyen-don-nhan', body: () => hoSoDon({ xuLy: { huong: 'CHUYEN_DON', ngayXuLy: '2025-03-20', maDonViNhan: '000.00.00.H29' }, giaiQuyet: undefined }), truong: '/xuLy/maDonViNhan', ma: 'KHONG_NHAT_QUAN' },
  { name: 'resolution without thụ lý', rule: 'xf-giai-quyet-thu-ly', body: () => withAt(hoSoDon(), '/xuLy/huong', 'DON_DOC'), truong: '/xuLy/huong', ma: 'KHONG_NHAT_QUAN' },
  { name: 'not eligible but thụ lý', rule: 'xf-khong-du-huong', body: () => hoSoDon({ dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', lyDoKhongDu: 'Đơn không ký tên', giaiQuyet: undefined }), truong: '/xuLy/huong', ma: 'KHONG_NHAT_QUAN' },
  { name: 'not eligible without a reason', rule: 'xf-khong-du-ly-do', body: () => hoSoDon({ dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', xuLy: { huong: 'LUU_DON', ngayXuLy: '2025-03-20' }, giaiQuyet: undefined }), truong: '/lyDoKhongDu', ma: 'KHONG_NHAT_QUAN' },
  { name: 'eligible khiếu nại without đối tượng (C7)', rule: 'xf-doi-tuong', body: () => hoSoDon({ doiTuongBiKNTC: undefined }), truong: '/doiTuongBiKNTC', ma: 'KHONG_NHAT_QUAN' },
  { name: 'reception transferred to itself', rule: 'xf-don-vi-nhan-khac', kind: 'luot-tiep', body: () => luotTiep({ ketQua: { huong: 'CHUYEN_DON', maDonViNhan: '000.00.00.H34' } }), truong: '/ketQua/maDonViNhan', ma: 'KHONG_NHAT_QUAN' },
];

/** JSON round trip drops `undefined` overrides, as a real body would. */
const asSent = (b: Body) => JSON.parse(JSON.stringify(b)) as unknown;

describe('national validator', () => {
  it('accepts the valid fixtures', () => {
    expect(validateHoSoDon(asSent(hoSoDon()), ctx())).toEqual([]);
    expect(validateLuotTiep(asSent(luotTiep()), ctx())).toEqual([]);
    // anonymous, no petitioner, stored as not eligible; line breaks allowed in long text
    const anon = hoSoDon({ anDanh: true, nguoiDungDon: [], dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', lyDoKhongDu: 'Nặc danh,\nkhông rõ nội dung', xuLy: { huong: 'LUU_DON', ngayXuLy: '2025-03-20' }, giaiQuyet: undefined, doiTuongBiKNTC: undefined });
    expect(validateHoSoDon(asSent(anon), ctx())).toEqual([]);
    // a reception that points elsewhere may name no agency
    expect(validateLuotTiep(asSent(luotTiep({ ketQua: { huong: 'CHUYEN_DON' } })), ctx())).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('rejects: %s', (_name, c) => {
    const got = validateDetailed(c.kind ?? 'ho-so-don', asSent(c.body()), ctx());
    expect(got).toContainEqual(expect.objectContaining({ truong: c.truong, ma: c.ma, rule: c.rule }));
    // one wrong thing → one entry (no cascade), with a Vietnamese message
    expect(got).toHaveLength(1);
    expect(got[0]?.thongDiep).toMatch(/[àáảãạăâđêôơưế ]/i);
  });

  it('has a failing case for every rule', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(listRuleIds().filter((r) => !covered.has(r))).toEqual([]);
  });

  it('reports every failure of one record at once', () => {
    const body = hoSoDon({
      maHoSoNguon: 'LC25 000007', // space
      loaiDon: 'TO_CAO', // → baoMatDanhTinh must be true
      linhVuc: 'AN_NINH',
      soNguoi: null,
      nguonDon: 'DBQH_HDND',
      ngayNhanDon: '2025-04-03',
      xuLy: { huong: 'THU_LY', ngayXuLy: '2025-04-01' },
      nguoiDungDon: [
        { hoTen: 'Lò Thanh Thuỷ', soDinhDanh: '036188002415', namSinh: 1986, diaChi: { maTinh: '10', maXa: '02644' }, soDienThoai: '+84912345678' },
        { hoTen: 'Đặng Minh Hoà' },
      ],
      ketQuaGiaiQuyet: 'x',
    });
    const got = validateHoSoDon(asSent(body), ctx()).map((e) => `${e.truong} ${e.ma}`).sort();
    expect(got).toEqual(
      [
        '/maHoSoNguon SAI_DINH_DANG',
        '/linhVuc MA_KHONG_TON_TAI',
        '/soNguoi SAI_KIEU',
        '/ketQuaGiaiQuyet TRUONG_KHONG_DUOC_PHEP',
        '/baoMatDanhTinh KHONG_NHAT_QUAN',
        '/coQuanChuyenDen KHONG_NHAT_QUAN',
        '/xuLy/ngayXuLy NGAY_KHONG_HOP_LE',
        '/nguoiDungDon/0/diaChi/maTinh MA_HET_HIEU_LUC',
        '/nguoiDungDon/0/diaChi/maXa MA_HET_HIEU_LUC',
        '/nguoiDungDon/0/soDinhDanh DINH_DANH_KHONG_HOP_LE',
        '/nguoiDungDon/0/soDienThoai SAI_DINH_DANG',
        '/nguoiDungDon/1/diaChi THIEU_TRUONG',
        '/giaiQuyet/ngayThuLy NGAY_KHONG_HOP_LE',
      ].sort(),
    );
  });

  it('reports a body that is not an object at the root pointer', () => {
    expect(validateHoSoDon(null, ctx())).toEqual([expect.objectContaining({ truong: '', ma: 'SAI_KIEU' })]);
    expect(validateLuotTiep([], ctx())).toEqual([expect.objectContaining({ truong: '', ma: 'SAI_KIEU' })]);
  });
});
