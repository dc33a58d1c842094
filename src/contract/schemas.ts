/**
 * National contract v1 as code (../shared/design/national-api.md).
 *
 * Everything contract-specific lives under src/contract so that a v2 (or the real
 * national interface, once published) is one adapter away. These zod schemas are
 * the *structural* shape of every body; the full §5.1 rule set (catalogue lookups,
 * CCCD checks, cross-field rules, JSON Pointers) lives in ./validate.ts and is
 * shared by the simulator and the mappers' local pre-check.
 */
import { z } from 'zod';

export const CONTRACT_VERSION = 'v1';

// ---------- primitives ----------
export const MA_DON_VI_RE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
export const MA_NGUON_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._:-]{1,255}$/;
export const LINK_KEY_RE = /^[A-Za-z0-9:_+/=.-]{1,128}$/;
export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export const MaDonVi = z.string().regex(MA_DON_VI_RE);
export const MaNguon = z.string().regex(MA_NGUON_RE);
export const IsoDate = z.string().regex(DATE_RE);
export const PhienBan = z.number().int().min(1);

/** Small fixed enumerations written inline in the contract (values outside → SAI_DINH_DANG). */
export const GioiTinh = z.enum(['NAM', 'NU']);
export const LoaiDoiTuong = z.enum(['CA_NHAN', 'CO_QUAN_TO_CHUC']);
export const LoaiGiayTo = z.enum(['CMND', 'HO_CHIEU']);
export const DieuKienXuLy = z.enum(['DU_DIEU_KIEN', 'KHONG_DU_DIEU_KIEN']);
export const MucDoTrung = z.enum(['TRUNG', 'NGHI_TRUNG']);
export const TrangThaiHoSo = z.enum(['HOAT_DONG', 'DA_HUY']);
export const TrangThaiLienKet = z.enum(['HIEU_LUC', 'DA_GO']);
export const HinhThucTiep = z.enum(['TRUC_TIEP', 'TRUC_TUYEN']);
export const HuongKetQuaTiep = z.enum(['NHAN_DON', 'HUONG_DAN', 'CHUYEN_DON', 'GIAI_THICH']);
export const ThaoTacLo = z.enum(['TAO', 'CAP_NHAT']);

/** v1 values of the small catalogues (§7). The simulator serves them; the connector fetches them. */
export const V1_CATALOGUES = {
  'loai-don': [
    ['KHIEU_NAI', 'Khiếu nại'],
    ['TO_CAO', 'Tố cáo'],
    ['KIEN_NGHI_PHAN_ANH', 'Kiến nghị, phản ánh'],
    ['NHIEU_NOI_DUNG', 'Đơn có nhiều nội dung'],
  ],
  'nguon-don': [
    ['TRUC_TIEP', 'Qua tiếp công dân'],
    ['BUU_CHINH', 'Bưu chính'],
    ['HOM_THU', 'Hòm thư'],
    ['TRUC_TUYEN', 'Trực tuyến (cổng, ứng dụng, thư điện tử)'],
    ['CQ_CHUYEN', 'Cơ quan, tổ chức khác chuyển đến'],
    ['DBQH_HDND', 'Đại biểu, cơ quan dân cử chuyển'],
    ['BAO_CHI', 'Báo chí'],
    ['KHAC', 'Khác'],
  ],
  'linh-vuc': [
    ['HC', 'Hành chính'],
    ['HC.DD', 'Đất đai', 'HC'],
    ['HC.NO', 'Nhà ở', 'HC'],
    ['HC.MT', 'Môi trường', 'HC'],
    ['HC.CS', 'Chế độ, chính sách', 'HC'],
    ['HC.LD', 'Lao động, bảo hiểm xã hội', 'HC'],
    ['HC.DTXD', 'Đầu tư, xây dựng', 'HC'],
    ['HC.TC', 'Tài chính, ngân hàng, chứng khoán', 'HC'],
    ['HC.YT', 'Y tế', 'HC'],
    ['HC.GD', 'Giáo dục', 'HC'],
    ['HC.DTTG', 'Dân tộc, tôn giáo', 'HC'],
    ['HC.HT', 'Hộ tịch, tư pháp hành chính', 'HC'],
    ['HC.KHAC', 'Hành chính khác', 'HC'],
    ['TP', 'Tư pháp'],
    ['TP.TT', 'Tố tụng', 'TP'],
    ['TP.THA', 'Thi hành án', 'TP'],
    ['DANG', 'Đảng'],
    ['DANG.DV', 'Đảng viên, tổ chức đảng', 'DANG'],
    ['TN', 'Tham nhũng'],
    ['TN.TN', 'Tham nhũng, lãng phí, tiêu cực', 'TN'],
    ['KHAC', 'Khác'],
    ['KHAC.KHAC', 'Khác', 'KHAC'],
  ],
  'huong-xu-ly': [
    ['THU_LY', 'Thụ lý giải quyết'],
    ['CHUYEN_DON', 'Chuyển đơn'],
    ['HUONG_DAN', 'Hướng dẫn'],
    ['TRA_LAI', 'Trả lại đơn'],
    ['LUU_DON', 'Lưu đơn'],
    ['DON_DOC', 'Đôn đốc'],
  ],
  'trang-thai-giai-quyet': [
    ['DANG_GIAI_QUYET', 'Đang giải quyết'],
    ['DA_GIAI_QUYET', 'Đã giải quyết'],
    ['TAM_DINH_CHI', 'Tạm đình chỉ'],
    ['DINH_CHI', 'Đình chỉ'],
    ['DA_RUT', 'Đã rút'],
  ],
  'ket-qua': [
    ['DUNG', 'Đúng'],
    ['DUNG_MOT_PHAN', 'Đúng một phần'],
    ['SAI', 'Sai'],
    ['DA_TRA_LOI', 'Đã trả lời'],
  ],
} as const satisfies Record<string, readonly (readonly [string, string] | readonly [string, string, string])[]>;

export type SmallCatalogueName = keyof typeof V1_CATALOGUES;
export const CATALOGUE_NAMES = [
  'loai-don', 'nguon-don', 'linh-vuc', 'huong-xu-ly', 'trang-thai-giai-quyet', 'ket-qua',
  'don-vi', 'tinh', 'xa', 'tinh-truoc-2025', 'xa-truoc-2025',
] as const;
export type CatalogueName = (typeof CATALOGUE_NAMES)[number];

// ---------- §5.1 HoSoDon ----------
export const DiaChi = z.strictObject({
  maTinh: z.string(),
  maXa: z.string().optional(),
  chiTiet: z.string().max(500).optional(),
});
export type DiaChi = z.infer<typeof DiaChi>;

export const NguoiDungDon = z.strictObject({
  hoTen: z.string().min(2).max(100),
  soDinhDanh: z.string().regex(/^\d{12}$/).optional(),
  giayTo: z.strictObject({ loai: LoaiGiayTo, so: z.string().min(1).max(500) }).optional(),
  namSinh: z.number().int().min(1900).optional(),
  gioiTinh: GioiTinh.optional(),
  diaChi: DiaChi,
  soDienThoai: z.string().regex(/^0\d{9}$/).optional(),
  laDaiDien: z.boolean().optional(),
});
export type NguoiDungDon = z.infer<typeof NguoiDungDon>;

export const CoQuanChuyenDen = z.strictObject({
  ten: z.string().min(1).max(500),
  maDonVi: MaDonVi.optional(),
  soVanBan: z.string().max(500).optional(),
  ngayChuyen: IsoDate.optional(),
});

export const DoiTuongBiKNTC = z.strictObject({
  loai: LoaiDoiTuong,
  ten: z.string().min(1).max(500),
  chucVu: z.string().max(500).optional(),
  coQuan: z.string().max(500).optional(),
});

export const XuLy = z.strictObject({
  huong: z.string(),
  ngayXuLy: IsoDate,
  maDonViNhan: MaDonVi.optional(),
  soVanBan: z.string().max(500).optional(),
});

export const GiaiQuyet = z.strictObject({
  trangThai: z.string(),
  lan: z.union([z.literal(1), z.literal(2)]).optional(),
  ngayThuLy: IsoDate.optional(),
  hanGiaiQuyet: IsoDate.optional(),
  ngayKetThuc: IsoDate.optional(),
  soQuyetDinh: z.string().max(500).optional(),
  ketQua: z.string().optional(),
});

export const TepDinhKem = z.strictObject({
  ten: z.string().min(1).max(500),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kichThuoc: z.number().int().min(0).max(52428800),
});

export const DacTrungLienKet = z.strictObject({
  thuatToan: z.string().min(1).max(32),
  khoa: z.array(z.string().regex(LINK_KEY_RE)).max(64),
  dacTrung: z.record(z.string(), z.unknown()),
});
export type DacTrungLienKet = z.infer<typeof DacTrungLienKet>;
export const NO_LINKAGE: DacTrungLienKet = Object.freeze({ thuatToan: 'none', khoa: [], dacTrung: {} }) as DacTrungLienKet;

export const HoSoDon = z.strictObject({
  maDonVi: MaDonVi,
  maHoSoNguon: MaNguon,
  phienBanNguon: PhienBan,
  ngayNhanDon: IsoDate,
  nguonDon: z.string(),
  coQuanChuyenDen: CoQuanChuyenDen.optional(),
  loaiDon: z.string(),
  linhVuc: z.string(),
  noiDungTomTat: z.string().min(10).max(4000),
  anDanh: z.boolean(),
  baoMatDanhTinh: z.boolean(),
  soNguoi: z.number().int().min(1),
  nguoiDungDon: z.array(NguoiDungDon).max(5),
  doiTuongBiKNTC: DoiTuongBiKNTC.optional(),
  dieuKienXuLy: DieuKienXuLy,
  lyDoKhongDu: z.string().max(500).optional(),
  xuLy: XuLy.optional(),
  giaiQuyet: GiaiQuyet.optional(),
  tepDinhKem: z.array(TepDinhKem).max(20).optional(),
  dacTrungLienKet: DacTrungLienKet,
});
export type HoSoDon = z.infer<typeof HoSoDon>;

// ---------- §8 LuotTiep ----------
export const LuotTiep = z.strictObject({
  maDonVi: MaDonVi,
  maLuotTiepNguon: MaNguon,
  phienBanNguon: PhienBan,
  ngayTiep: IsoDate,
  hinhThuc: HinhThucTiep,
  congDan: z.array(NguoiDungDon).min(1).max(5),
  soNguoi: z.number().int().min(1),
  noiDung: z.string().min(10).max(4000),
  phanLoai: z.string(),
  coQuanDaGiaiQuyet: z.string().max(500).optional(),
  ketQua: z.strictObject({
    huong: HuongKetQuaTiep,
    maDonViNhan: MaDonVi.optional(),
    maHoSoNguon: MaNguon.optional(),
  }),
  ghiChu: z.string().max(1000).optional(),
});
export type LuotTiep = z.infer<typeof LuotTiep>;

/** The two kinds of national record the connector writes. */
export type RecordKind = 'ho-so-don' | 'luot-tiep';
export const RECORD_KINDS: readonly RecordKind[] = ['ho-so-don', 'luot-tiep'];
/** Field holding the local id, per kind. */
export const SOURCE_ID_FIELD = { 'ho-so-don': 'maHoSoNguon', 'luot-tiep': 'maLuotTiepNguon' } as const;
/** Field holding the national id in answers and listings, per kind. */
export const NATIONAL_ID_FIELD = { 'ho-so-don': 'maHoSo', 'luot-tiep': 'maLuotTiep' } as const;

// ---------- §4 errors ----------
export const ChiTietLoi = z.object({
  truong: z.string(),
  ma: z.string(),
  thongDiep: z.string(),
});
export type ChiTietLoi = z.infer<typeof ChiTietLoi>;

export const ErrorBody = z.looseObject({
  ma: z.string(),
  thongDiep: z.string(),
  chiTiet: z.array(ChiTietLoi).optional(),
  maYeuCau: z.string().optional(),
  // DA_TON_TAI / PHIEN_BAN_CU extras
  maHoSo: z.string().optional(),
  maLuotTiep: z.string().optional(),
  phienBanNguon: z.number().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const ERROR_CODES = [
  'YEU_CAU_KHONG_HOP_LE', 'THIEU_KHOA_LUY_DANG', 'CHUA_XAC_THUC', 'KHONG_CO_QUYEN', 'KHONG_TIM_THAY',
  'DA_TON_TAI', 'PHIEN_BAN_CU', 'XUNG_DOT_PHIEN_BAN', 'DANG_XU_LY', 'QUA_KICH_THUOC',
  'DU_LIEU_KHONG_HOP_LE', 'KHOA_TRUNG_NOI_DUNG_KHAC', 'VUOT_HAN_MUC', 'LOI_HE_THONG', 'TAM_NGUNG',
] as const;
export type NationalErrorCode = (typeof ERROR_CODES)[number];

export const DETAIL_CODES = [
  'THIEU_TRUONG', 'SAI_KIEU', 'SAI_DINH_DANG', 'QUA_DO_DAI', 'MA_KHONG_TON_TAI', 'MA_HET_HIEU_LUC',
  'DINH_DANH_KHONG_HOP_LE', 'NGAY_KHONG_HOP_LE', 'KHONG_NHAT_QUAN', 'TRUONG_KHONG_DUOC_PHEP',
] as const;
export type DetailCode = (typeof DETAIL_CODES)[number];

// ---------- write answers ----------
export const WriteResultHoSo = z.looseObject({
  maHoSo: z.string(),
  phienBanNguon: z.number().int(),
  bamNoiDung: z.string(),
  capNhatLuc: z.string(),
});
export const WriteResultLuotTiep = z.looseObject({
  maLuotTiep: z.string(),
  phienBanNguon: z.number().int(),
  bamNoiDung: z.string(),
  capNhatLuc: z.string(),
});

export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number(),
});

// ---------- batch ----------
export const BatchItem = z.strictObject({
  khoa: z.string().regex(IDEMPOTENCY_KEY_RE),
  thaoTac: ThaoTacLo,
  maHoSo: z.string().optional(),
  maLuotTiep: z.string().optional(),
  duLieu: z.unknown(),
});
export const BatchRequest = z.strictObject({ muc: z.array(BatchItem).min(1).max(100) });
export const BatchResultItem = z.object({
  khoa: z.string(),
  trangThai: z.number().int(),
  duLieu: z.unknown().optional(),
  loi: ErrorBody.optional(),
});
export const BatchResponse = z.object({ ketQua: z.array(BatchResultItem) });

// ---------- listings ----------
export const ListingItemHoSo = z.looseObject({
  maHoSo: z.string(),
  maDonVi: z.string(),
  maHoSoNguon: z.string(),
  phienBanNguon: z.number().int(),
  bamNoiDung: z.string(),
  trangThai: TrangThaiHoSo,
  capNhatLuc: z.string(),
});
export const ListingItemLuotTiep = z.looseObject({
  maLuotTiep: z.string(),
  maDonVi: z.string(),
  maLuotTiepNguon: z.string(),
  phienBanNguon: z.number().int(),
  bamNoiDung: z.string(),
  trangThai: TrangThaiHoSo,
  capNhatLuc: z.string(),
});
export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ duLieu: z.array(item), tiepTheo: z.string().nullable() });
export const ListingPageHoSo = page(ListingItemHoSo);
export const ListingPageLuotTiep = page(ListingItemLuotTiep);

// ---------- §6 duplicates ----------
export const TimTrungRequest = z.strictObject({
  khoa: z.array(z.string().regex(LINK_KEY_RE)).min(1).max(64),
  loaiTru: z.array(z.string()).optional(),
  tuNgay: IsoDate.optional(),
  denNgay: IsoDate.optional(),
  gioiHan: z.number().int().min(1).max(200).optional(),
});
export type TimTrungRequest = z.infer<typeof TimTrungRequest>;

export const MaskedNguoi = z.object({
  hoTen: z.string(),
  namSinh: z.number().int().optional(),
  diaChi: z.object({ maTinh: z.string(), maXa: z.string().optional() }),
});
export const Candidate = z.object({
  maHoSo: z.string(),
  maDonVi: z.string(),
  ngayNhanDon: z.string(),
  loaiDon: z.string(),
  linhVuc: z.string(),
  noiDungTomTat: z.string(),
  soNguoi: z.number().int(),
  nguoiDungDon: z.array(MaskedNguoi),
  doiTuongBiKNTC: z.object({ loai: z.string(), ten: z.string() }).optional(),
  khoaChung: z.array(z.string()),
  dacTrungLienKet: z.object({ thuatToan: z.string(), dacTrung: z.record(z.string(), z.unknown()) }),
});
export type Candidate = z.infer<typeof Candidate>;
export const TimTrungResponse = z.object({ ungVien: z.array(Candidate), conNua: z.boolean() });

export const LienKetRequest = z.strictObject({
  maHoSoKhac: z.string(),
  mucDo: MucDoTrung,
  diem: z.number(),
  lyDo: z.string().max(1000).optional(),
  xacNhanBoi: z.string().max(64).optional(),
});
export type LienKetRequest = z.infer<typeof LienKetRequest>;
export const LienKet = z.looseObject({
  maLienKet: z.string(),
  maHoSo: z.string(),
  maHoSoKhac: z.string(),
  maDonVi: z.string(),
  maDonViKhac: z.string(),
  mucDo: MucDoTrung,
  diem: z.number(),
  taoBoi: z.string(),
  trangThai: TrangThaiLienKet,
  capNhatLuc: z.string(),
  lyDo: z.string().optional(),
  xacNhanBoi: z.string().optional(),
});
export type LienKet = z.infer<typeof LienKet>;
export const ListingPageLienKet = page(LienKet);

// ---------- §7 catalogues ----------
/**
 * Catalogue item shapes. The contract fixes `ma, ten, maCha?, conHieuLuc` and the
 * per-catalogue extras it names; the simulator serves exactly these and the connector
 * tolerates extra fields (looseObject).
 *  - `don-vi`: + maTinh, cap (TW|TINH|XA)
 *  - `tinh`: + tenDayDu
 *  - `xa`: + tenDayDu, maTinh (= maCha)
 *  - `tinh-truoc-2025`: + maMoi[{ma, loai}]
 *  - `xa-truoc-2025`: + maTinh, maHuyen, tenHuyen, maMoi[{ma, loai: TOAN_BO|MOT_PHAN}]
 */
export const MaMoi = z.object({ ma: z.string(), loai: z.enum(['TOAN_BO', 'MOT_PHAN']) });
export const CatalogueItem = z.looseObject({
  ma: z.string(),
  ten: z.string(),
  maCha: z.string().optional(),
  conHieuLuc: z.boolean(),
  tenDayDu: z.string().optional(),
  maTinh: z.string().optional(),
  cap: z.enum(['TW', 'TINH', 'XA']).optional(),
  maHuyen: z.string().optional(),
  tenHuyen: z.string().optional(),
  maMoi: z.array(MaMoi).optional(),
});
export type CatalogueItem = z.infer<typeof CatalogueItem>;
export const Catalogue = z.object({ ten: z.string(), phienBan: z.string(), muc: z.array(CatalogueItem) });
export type Catalogue = z.infer<typeof Catalogue>;
