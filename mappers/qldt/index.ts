/**
 * qldt — provincial petition-management software, JSON Lines export (one JSON object
 * per line; every change is a new line with a higher `phien_ban`). One line → one
 * ho-so-don. Field meanings: ../shared/design/local-sources.md §A.
 */
import type { MapContext, MapResult, ParsedRecord, SourceMapper } from '../types.js';
import { MA_NGUON_RE } from '../../src/contract/schemas.js';
import { eraOf } from '../../src/vn/dates.js';
import { makeIssue } from '../issues.js';
import { Draft, finishDraft } from '../common/draft.js';
import { put, readAgencyName, readDate, readLabel, readText } from '../common/fields.js';
import {
  DIEU_KIEN_LABELS, HUONG_XU_LY_LABELS, KET_QUA_LABELS, LINH_VUC_LABELS, LOAI_DON_LABELS,
  NGUON_DON_LABELS, TRANG_THAI_LABELS, lookupFixed,
} from '../common/labels.js';
import { buildPerson, splitPeople } from '../common/person.js';
import { classifyDoiTuong } from '../common/doi-tuong.js';
import { agency } from '../common/memo.js';
import { assemble, guarded } from '../common/result.js';
import { blank, flag, int, isRecord, text } from '../common/values.js';

export const MAPPING_VERSION = 'qldt@1.0.0';
const SOURCE = 'qldt';

export type QldtRaw = Record<string, unknown>;

function parse(textIn: string): ParsedRecord<QldtRaw>[] {
  const out: ParsedRecord<QldtRaw>[] = [];
  const lines = textIn.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const v: unknown = JSON.parse(line);
      if (!isRecord(v)) throw new Error('not an object');
      out.push({ ok: true, raw: v, line: i + 1 });
    } catch {
      out.push({
        ok: false, line: i + 1, text: line,
        issue: makeIssue('KHONG_DOC_DUOC', { source: '', truong: String(i + 1), chiTiet: 'dòng không phải một đối tượng JSON hợp lệ.' }),
      });
    }
  });
  return out;
}

function identify(raw: QldtRaw): { localId: string; version: number; agency: string } | undefined {
  if (!isRecord(raw)) return undefined;
  const localId = typeof raw.id_don === 'string' ? raw.id_don.trim() : undefined;
  const version = int(raw.phien_ban);
  if (!localId || !MA_NGUON_RE.test(localId) || version === undefined || version < 1) return undefined;
  return { localId, version, agency: typeof raw.ma_don_vi === 'string' ? raw.ma_don_vi.trim() : '' };
}

function mapQldt(raw: QldtRaw, ctx: MapContext): MapResult {
  const cat = ctx.catalogues;
  const today = ctx.clock.today();
  const meta = {
    source: SOURCE,
    localId: isRecord(raw) && typeof raw.id_don === 'string' ? raw.id_don.trim() : '',
    version: (isRecord(raw) ? int(raw.phien_ban) : undefined) ?? 0,
    agency: isRecord(raw) && typeof raw.ma_don_vi === 'string' ? raw.ma_don_vi.trim() : '',
    mappingVersion: MAPPING_VERSION,
  };
  if (!isRecord(raw)) {
    return assemble(meta, [], [makeIssue('SAI_KIEU', { source: '', recordKind: 'ho-so-don' })]);
  }
  const d = new Draft('ho-so-don');
  const b = d.body;

  d.from('/maDonVi', '/ma_don_vi').from('/maHoSoNguon', '/id_don').from('/phienBanNguon', '/phien_ban');
  put(b, 'maDonVi', text(raw.ma_don_vi)?.trim());
  put(b, 'maHoSoNguon', text(raw.id_don)?.trim());
  if (!blank(raw.phien_ban)) {
    const v = int(raw.phien_ban);
    if (v === undefined) d.add('SAI_KIEU', { national: '/phienBanNguon', source: '/phien_ban' });
    else b.phienBanNguon = v;
  }

  const ngayNhan = readDate(d, '/ngayNhanDon', raw.ngay_nhan, '/ngay_nhan', { today, notFuture: true, required: true });
  put(b, 'ngayNhanDon', ngayNhan);
  const era = ngayNhan ? eraOf(ngayNhan) : null;

  const nguon = readLabel(d, '/nguonDon', raw.nguon, '/nguon', NGUON_DON_LABELS, 'nguon-don', cat, { required: true });
  put(b, 'nguonDon', nguon);

  // forwarding body: sent whenever named; its code only when the name matches the catalogue exactly enough
  d.from('/coQuanChuyenDen', '/co_quan_chuyen');
  if (!blank(raw.co_quan_chuyen)) {
    const cq: Record<string, unknown> = {};
    put(cq, 'ten', readText(d, '/coQuanChuyenDen/ten', raw.co_quan_chuyen, '/co_quan_chuyen'));
    if (typeof cq.ten === 'string') {
      const m = agency(cq.ten, cat);
      if (m.ok) cq.maDonVi = m.ma;
    }
    put(cq, 'soVanBan', readText(d, '/coQuanChuyenDen/soVanBan', raw.so_cv_chuyen, '/so_cv_chuyen'));
    put(cq, 'ngayChuyen', readDate(d, '/coQuanChuyenDen/ngayChuyen', raw.ngay_chuyen, '/ngay_chuyen', { today, notFuture: true }));
    b.coQuanChuyenDen = cq;
  }

  const loaiDon = readLabel(d, '/loaiDon', raw.loai_don, '/loai_don', LOAI_DON_LABELS, 'loai-don', cat, { required: true });
  put(b, 'loaiDon', loaiDon);
  put(b, 'linhVuc', readLabel(d, '/linhVuc', raw.linh_vuc, '/linh_vuc', LINH_VUC_LABELS, 'linh-vuc', cat, { required: true }));
  put(b, 'noiDungTomTat', readText(d, '/noiDungTomTat', raw.noi_dung, '/noi_dung', { multiline: true, required: true }));

  d.from('/anDanh', '/nac_danh');
  const anDanh = blank(raw.nac_danh) ? false : flag(raw.nac_danh);
  if (anDanh === undefined) d.add('SAI_KIEU', { national: '/anDanh', source: '/nac_danh' });
  else b.anDanh = anDanh;
  // Luật Tố cáo Đ56: the identity of a người tố cáo is protected
  d.from('/baoMatDanhTinh', '/loai_don');
  b.baoMatDanhTinh = loaiDon === 'TO_CAO';

  d.from('/soNguoi', '/so_nguoi');
  let soNguoi: number | undefined;
  if (!blank(raw.so_nguoi)) {
    soNguoi = int(raw.so_nguoi);
    if (soNguoi === undefined) d.add('SAI_KIEU', { national: '/soNguoi', source: '/so_nguoi' });
    else b.soNguoi = soNguoi;
  }

  // petitioners
  d.from('/nguoiDungDon', '/nguoi_dung_don');
  const nd = raw.nguoi_dung_don;
  const people: Record<string, unknown>[] = [];
  const daiDien = soNguoi !== undefined && soNguoi >= 5; // đơn đông người: the listed ones are the representatives
  const pctx = { catalogues: cat, era, year: Number(today.slice(0, 4)) };
  if (anDanh === true) {
    if ((Array.isArray(nd) && nd.length > 0) || (typeof nd === 'string' && nd.trim() !== '')) {
      d.add('KHONG_NHAT_QUAN', { national: '/nguoiDungDon', source: '/nguoi_dung_don', chiTiet: 'Đơn nặc danh nhưng có người đứng đơn.' });
    }
  } else if (Array.isArray(nd)) {
    nd.forEach((p, i) => {
      const s = `/nguoi_dung_don/${i}`;
      const base = `/nguoiDungDon/${i}`;
      if (!isRecord(p)) {
        d.add('SAI_KIEU', { national: base, source: s });
        return;
      }
      people.push(buildPerson(d, base, {
        hoTen: p.ho_ten, hoTenSource: `${s}/ho_ten`,
        idNumber: p.cmnd_cccd, idSource: `${s}/cmnd_cccd`,
        namSinh: p.nam_sinh, namSinhSource: `${s}/nam_sinh`,
        gioiTinh: p.gioi_tinh, gioiTinhSource: `${s}/gioi_tinh`,
        phone: p.dien_thoai, phoneSource: `${s}/dien_thoai`,
        address: { text: p.dia_chi, source: `${s}/dia_chi` },
        laDaiDien: daiDien,
      }, pctx));
    });
  } else if (typeof nd === 'string') {
    // older export: "Nguyễn Văn A; Trần Thị B" — names only; no address is assumed
    splitPeople(nd).forEach((name, i) => {
      people.push(buildPerson(d, `/nguoiDungDon/${i}`, { hoTen: name, hoTenSource: '/nguoi_dung_don', laDaiDien: daiDien }, pctx));
    });
  } else if (!blank(nd)) {
    d.add('SAI_KIEU', { national: '/nguoiDungDon', source: '/nguoi_dung_don' });
  }
  b.nguoiDungDon = people;

  if (!blank(raw.doi_tuong)) {
    d.from('/doiTuongBiKNTC', '/doi_tuong');
    const ten = readText(d, '/doiTuongBiKNTC/ten', raw.doi_tuong, '/doi_tuong');
    if (ten) b.doiTuongBiKNTC = { loai: classifyDoiTuong(ten), ten };
  } else {
    d.from('/doiTuongBiKNTC', '/doi_tuong');
  }

  d.from('/dieuKienXuLy', '/du_dieu_kien');
  let dieuKien: string | undefined;
  if (blank(raw.du_dieu_kien)) d.add('THIEU_TRUONG', { national: '/dieuKienXuLy', source: '/du_dieu_kien' });
  else {
    dieuKien = typeof raw.du_dieu_kien === 'string' ? lookupFixed(raw.du_dieu_kien, DIEU_KIEN_LABELS) : undefined;
    if (!dieuKien) d.add('NHAN_KHONG_XAC_DINH', { national: '/dieuKienXuLy', source: '/du_dieu_kien', nhan: 'điều kiện xử lý' });
    else b.dieuKienXuLy = dieuKien;
  }
  d.from('/lyDoKhongDu', '/ly_do_khong_du');
  if (dieuKien === 'KHONG_DU_DIEU_KIEN') put(b, 'lyDoKhongDu', readText(d, '/lyDoKhongDu', raw.ly_do_khong_du, '/ly_do_khong_du', { multiline: true, required: true }));

  // handling
  d.from('/xuLy', '/huong_xu_ly');
  if (!blank(raw.huong_xu_ly) || !blank(raw.ngay_xu_ly) || !blank(raw.noi_nhan_chuyen)) {
    const x: Record<string, unknown> = {};
    put(x, 'huong', readLabel(d, '/xuLy/huong', raw.huong_xu_ly, '/huong_xu_ly', HUONG_XU_LY_LABELS, 'huong-xu-ly', cat, { required: true }));
    put(x, 'ngayXuLy', readDate(d, '/xuLy/ngayXuLy', raw.ngay_xu_ly, '/ngay_xu_ly', { today, notFuture: true, required: true }));
    d.from('/xuLy/maDonViNhan', '/noi_nhan_chuyen');
    put(x, 'maDonViNhan', readAgencyName(d, '/xuLy/maDonViNhan', raw.noi_nhan_chuyen, '/noi_nhan_chuyen', cat));
    b.xuLy = x;
  }

  // resolution
  d.from('/giaiQuyet', '/ket_qua_giai_quyet');
  const kq = raw.ket_qua_giai_quyet;
  if (isRecord(kq)) {
    const s = '/ket_qua_giai_quyet';
    const g: Record<string, unknown> = {};
    put(g, 'trangThai', readLabel(d, '/giaiQuyet/trangThai', kq.trang_thai, `${s}/trang_thai`, TRANG_THAI_LABELS, 'trang-thai-giai-quyet', cat, { required: true }));
    d.from('/giaiQuyet/lan', `${s}/lan`);
    if (!blank(kq.lan)) {
      const lan = int(kq.lan);
      if (lan === 1 || lan === 2) g.lan = lan;
      else d.add('SAI_DINH_DANG', { national: '/giaiQuyet/lan', source: `${s}/lan` });
    }
    put(g, 'ngayThuLy', readDate(d, '/giaiQuyet/ngayThuLy', kq.ngay_thu_ly, `${s}/ngay_thu_ly`, { today, notFuture: true }));
    put(g, 'hanGiaiQuyet', readDate(d, '/giaiQuyet/hanGiaiQuyet', kq.han_giai_quyet, `${s}/han_giai_quyet`, { today }));
    put(g, 'ngayKetThuc', readDate(d, '/giaiQuyet/ngayKetThuc', kq.ngay_ket_thuc, `${s}/ngay_ket_thuc`, { today, notFuture: true }));
    put(g, 'soQuyetDinh', readText(d, '/giaiQuyet/soQuyetDinh', kq.so_qd, `${s}/so_qd`));
    put(g, 'ketQua', readLabel(d, '/giaiQuyet/ketQua', kq.ket_luan, `${s}/ket_luan`, KET_QUA_LABELS, 'ket-qua', cat));
    b.giaiQuyet = g;
  } else if (!blank(kq)) {
    d.add('SAI_KIEU', { national: '/giaiQuyet', source: '/ket_qua_giai_quyet' });
  }

  b.dacTrungLienKet = { thuatToan: 'none', khoa: [], dacTrung: {} };
  return assemble(meta, [finishDraft(d, { catalogues: cat, today })]);
}

export const qldt: SourceMapper<QldtRaw> = {
  name: SOURCE,
  title: 'Phần mềm quản lý đơn thư cấp tỉnh (JSON Lines)',
  mappingVersion: MAPPING_VERSION,
  parse,
  identify: (raw) => {
    try {
      return identify(raw);
    } catch {
      return undefined;
    }
  },
  map: guarded({ source: SOURCE, mappingVersion: MAPPING_VERSION, kinds: ['ho-so-don'] }, identify, mapQldt),
};
