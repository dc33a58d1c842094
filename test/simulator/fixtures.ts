/**
 * Valid national records built by hand (not by the mappers), with real codes from
 * ../shared/data: agency 000.00.00.H29 (UBND tỉnh Lai Châu, province 12), commune
 * 12/03408 Phường Tân Phong, commune 51/23538 Ia H'Drai.
 */
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { buildCatalogues, loadReferenceData, SHARED_DVHC, SHARED_DON_VI } from '../../src/reference/dvhc.js';
import type { Catalogues } from '../../mappers/types.js';

export const TODAY = '2026-03-31';

let cat: Catalogues | undefined;
/** Full catalogues from ../shared/data (tests never rely on the built-in sample). */
export function sharedCatalogues(): Catalogues {
  cat ??= makeCatalogues(buildCatalogues(loadReferenceData({ dvhcPath: SHARED_DVHC, donViPath: SHARED_DON_VI })));
  return cat;
}
export const sharedReference = () => loadReferenceData({ dvhcPath: SHARED_DVHC, donViPath: SHARED_DON_VI });

export type Body = Record<string, unknown>;

export function hoSoDon(over: Body = {}): Body {
  return {
    maDonVi: '000.00.00.H29',
    maHoSoNguon: 'LC25-000118',
    phienBanNguon: 1,
    ngayNhanDon: '2025-03-14',
    nguonDon: 'TRUC_TIEP',
    loaiDon: 'KHIEU_NAI',
    linhVuc: 'HC.DD',
    noiDungTomTat: 'Khiếu nại việc thu hồi đất nương để làm thủy điện nhưng chưa được bồi thường.',
    anDanh: false,
    baoMatDanhTinh: false,
    soNguoi: 1,
    nguoiDungDon: [
      {
        hoTen: 'Sùng Văn Toàn',
        soDinhDanh: '012083004719',
        namSinh: 1983,
        gioiTinh: 'NAM',
        diaChi: { maTinh: '51', maXa: '23538', chiTiet: 'Thôn 3' },
        soDienThoai: '0912884301',
      },
    ],
    doiTuongBiKNTC: { loai: 'CO_QUAN_TO_CHUC', ten: 'Ủy ban nhân dân huyện Ia H\'Drai', chucVu: 'Chủ tịch' },
    dieuKienXuLy: 'DU_DIEU_KIEN',
    xuLy: { huong: 'THU_LY', ngayXuLy: '2025-03-20' },
    giaiQuyet: { trangThai: 'DANG_GIAI_QUYET', lan: 1, ngayThuLy: '2025-03-25', hanGiaiQuyet: '2025-04-25' },
    dacTrungLienKet: { thuatToan: 'none', khoa: [], dacTrung: {} },
    ...over,
  };
}

export function luotTiep(over: Body = {}): Body {
  return {
    maDonVi: '000.00.00.H34',
    maLuotTiepNguon: 'KT25-0041',
    phienBanNguon: 1,
    ngayTiep: '2025-04-22',
    hinhThuc: 'TRUC_TIEP',
    congDan: [{ hoTen: 'Sung Van Toan', giayTo: { loai: 'CMND', so: '040512387' }, diaChi: { maTinh: '51', maXa: '23538' } }],
    soNguoi: 1,
    noiDung: 'Công dân trình bày việc đất nương bị thu hồi\nchưa được bồi thường.',
    phanLoai: 'KHIEU_NAI',
    ketQua: { huong: 'NHAN_DON', maHoSoNguon: 'KT25-0041-D' },
    ...over,
  };
}

/** Deep clone + set a value at a JSON Pointer (undefined deletes it). */
export function withAt(body: Body, pointer: string, value: unknown): Body {
  const copy = structuredClone(body) as Body;
  const parts = pointer.split('/').slice(1);
  let o: Record<string, unknown> | unknown[] = copy;
  for (const p of parts.slice(0, -1)) o = (o as Record<string, unknown>)[p] as Record<string, unknown>;
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete (o as Record<string, unknown>)[last];
  else (o as Record<string, unknown>)[last] = value;
  return copy;
}
