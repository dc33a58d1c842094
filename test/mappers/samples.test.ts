/**
 * Acceptance: every deliberate problem of ../shared/samples/README.md ends with the
 * outcome listed there. Expected values are written from the README, not from output.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { HoSoDon as HoSoDonSchema, LuotTiep as LuotTiepSchema, NO_LINKAGE } from '../../src/contract/schemas.js';
import { validateHoSoDon, validateLuotTiep } from '../../src/contract/validate.js';
import { resolveAddressCodes } from '../../src/vn/address.js';
import { foldKey } from '../../src/vn/text.js';
import { bamNoiDung } from '../../src/contract/hash.js';
import type { MapResult } from '../../mappers/types.js';
import { ISSUE_CATALOGUE } from '../../mappers/issues.js';
import {
  TODAY, catalogues, mapFile, latest, hoSo, luot, candidate, errors, warnings, has, type Mapped,
} from './helpers.js';

let qldtAll: Mapped[];
let qldt: Map<string, Mapped>;
let soTiep: Map<string, Mapped>;
let soTiepAll: Mapped[];
let pakn: Map<string, Mapped>;

beforeAll(() => {
  qldtAll = mapFile('qldt');
  qldt = latest(qldtAll);
  soTiepAll = mapFile('so-tiep');
  soTiep = latest(soTiepAll);
  pakn = latest(mapFile('pakn'));
});

const Q = (id: string): MapResult => {
  const r = qldt.get(id);
  if (!r) throw new Error(`qldt ${id} missing`);
  return r.result;
};
const S = (id: string): MapResult => {
  const r = soTiep.get(id);
  if (!r) throw new Error(`so-tiep ${id} missing`);
  return r.result;
};
const P = (id: string): MapResult => {
  const r = pakn.get(id);
  if (!r) throw new Error(`pakn ${id} missing`);
  return r.result;
};
const addr = (b: { nguoiDungDon?: { diaChi: unknown }[]; congDan?: { diaChi: unknown }[] }, i = 0) =>
  (b.nguoiDungDon ?? b.congDan ?? [])[i]?.diaChi as { maTinh: string; maXa?: string; chiTiet?: string };

describe('expected totals', () => {
  it('qldt: 34 lines, 27 records: 9 errors, 2 warnings, 16 clean', () => {
    expect(qldtAll).toHaveLength(34);
    expect(qldt.size).toBe(27);
    const err = [...qldt.values()].filter((m) => !m.result.ok).map((m) => m.result.localId).sort();
    expect(err).toEqual(['LC24-001187', 'LC24-001254', 'LC25-000064', 'LC25-000248', 'LC25-000259', 'LC25-000274', 'LC25-000296', 'LC25-000398', 'LC25-000451']);
    const warn = [...qldt.values()].filter((m) => m.result.ok && warnings(m.result).length > 0).map((m) => m.result.localId).sort();
    expect(warn).toEqual(['LC25-000263', 'LC25-000412']);
    const clean = [...qldt.values()].filter((m) => m.result.ok && m.result.issues.length === 0);
    expect(clean).toHaveLength(16);
  });

  it('pakn: 25 records: 2 errors, 1 sent with a warning, 22 sent clean', () => {
    expect(pakn.size).toBe(25);
    const err = [...pakn.values()].filter((m) => !m.result.ok).map((m) => m.result.localId).sort();
    expect(err).toEqual(['LCI-2025-000458', 'LCI-2025-000548']);
    const sent = [...pakn.values()].filter((m) => m.result.ok);
    expect(sent).toHaveLength(23);
    expect(sent.filter((m) => m.result.issues.length === 0)).toHaveLength(22);
    expect(sent.filter((m) => warnings(m.result).length > 0).map((m) => m.result.localId)).toEqual(['LCI-2025-000231']);
  });

  it('so-tiep: 25 rows; 17 received a đơn (→ luot-tiep + ho-so-don), 8 guidance only', () => {
    expect(soTiepAll).toHaveLength(25);
    const guidance = ['KT25-0004', 'KT25-0027', 'KT25-0053', 'KT25-0077', 'KT25-0108', 'KT25-0126', 'KT26-0011', 'KT26-0024'];
    const kinds = (r: MapResult) => [...r.records.map((x) => x.kind), ...r.blocked].sort();
    for (const { result } of soTiepAll) {
      if (guidance.includes(result.localId)) expect(kinds(result), result.localId).toEqual(['luot-tiep']);
      else expect(kinds(result), result.localId).toEqual(['ho-so-don', 'luot-tiep']);
    }
    expect(soTiepAll.filter((m) => !guidance.includes(m.result.localId))).toHaveLength(17);
  });

  it('so-tiep: version is the export timestamp 2026-03-31T17:00+07:00 as an integer', () => {
    for (const { result } of soTiepAll) expect(result.version).toBe(20260331170000);
    expect(luot(S('KT25-0004')).phienBanNguon).toBe(20260331170000);
  });

  it('so-tiep: a luot-tiep that received a đơn names it in ketQua.maHoSoNguon (same local id)', () => {
    const r = S('KT25-0048');
    expect(luot(r).ketQua.maHoSoNguon).toBe('KT25-0048');
    expect(hoSo(r).maHoSoNguon).toBe('KT25-0048');
    expect(luot(S('KT25-0004')).ketQua.maHoSoNguon).toBeUndefined();
  });

  it('every record sent passes the national schema and validator, and carries NO_LINKAGE', () => {
    const cat = catalogues();
    let n = 0;
    for (const m of [...qldt.values(), ...soTiep.values(), ...pakn.values()]) {
      for (const rec of m.result.records) {
        n++;
        if (rec.kind === 'ho-so-don') {
          expect(HoSoDonSchema.safeParse(rec.body).success).toBe(true);
          expect(validateHoSoDon(rec.body, { catalogues: cat, today: TODAY })).toEqual([]);
          expect(rec.body.dacTrungLienKet).toEqual(NO_LINKAGE);
        } else {
          expect(LuotTiepSchema.safeParse(rec.body).success).toBe(true);
          expect(validateLuotTiep(rec.body, { catalogues: cat, today: TODAY })).toEqual([]);
        }
      }
      expect(m.result.mappingVersion).toMatch(/^(qldt|so-tiep|pakn)@\d+\.\d+\.\d+$/);
    }
    expect(n).toBeGreaterThan(60);
  });

  it('every issue code raised is in the issue catalogue (or is a national detail code)', () => {
    for (const m of [...qldt.values(), ...soTiep.values(), ...pakn.values()]) {
      for (const i of m.result.issues) expect(Object.keys(ISSUE_CATALOGUE), i.code).toContain(i.code);
    }
    for (const [code, def] of Object.entries(ISSUE_CATALOGUE)) {
      expect(def.vi, code).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
      expect(def.en.length, code).toBeGreaterThan(5);
    }
  });

  it('every blocked result explains itself with an error issue; messages carry no personal value', () => {
    for (const m of [...qldt.values(), ...soTiep.values(), ...pakn.values()]) {
      if (!m.result.ok) expect(errors(m.result).length, m.result.localId).toBeGreaterThan(0);
      for (const i of m.result.issues) {
        expect(i.message).not.toMatch(/\d{9,}/); // no ID number or phone
        expect(i.hint ?? '').not.toMatch(/\d{9,}/);
      }
    }
  });
});

describe('D — dates', () => {
  it('D1 03/04/2025 is 3 April (day first)', () => {
    const b = hoSo(Q('LC25-000142'));
    expect(b.ngayNhanDon).toBe('2025-04-03');
    expect(b.xuLy?.ngayXuLy).toBe('2025-04-08');
  });
  it('D2 d/m/yy', () => {
    const b = hoSo(Q('LC25-000007'));
    expect(b.ngayNhanDon).toBe('2025-01-05');
    expect(b.xuLy?.ngayXuLy).toBe('2025-01-09');
  });
  it('D3 ISO dates unchanged', () => {
    const b = hoSo(Q('LC25-000368'));
    expect(b.ngayNhanDon).toBe('2025-09-18');
    expect(b.xuLy?.ngayXuLy).toBe('2025-09-25');
  });
  it('D4 31/02/2025 → error on the luot-tiep and the ho-so-don, never rolled over', () => {
    const r = S('KT25-0021');
    expect(r.records).toEqual([]);
    expect(r.blocked.sort()).toEqual(['ho-so-don', 'luot-tiep']);
    expect(has(r, 'NGAY_KHONG_HOP_LE', '/ngayTiep', 'luot-tiep')).toBe(true);
    expect(has(r, 'NGAY_KHONG_HOP_LE', '/ngayNhanDon', 'ho-so-don')).toBe(true);
    expect(r.issues.find((i) => i.national === '/ngayTiep')?.source).toBe('/Ngày tiếp');
    expect(JSON.stringify(r.candidates)).not.toContain('2025-03-0');
  });
  it('D5 a future date is NGAY_KHONG_HOP_LE and not corrected', () => {
    const r = Q('LC25-000398');
    expect(r.ok).toBe(false);
    expect(has(r, 'NGAY_KHONG_HOP_LE', '/ngayNhanDon')).toBe(true);
    expect(r.issues.find((i) => i.national === '/ngayNhanDon')?.source).toBe('/ngay_nhan');
    expect(candidate(r, 'ho-so-don').ngayNhanDon).toBeUndefined();
  });
  it('D6 a UTC instant is read in Vietnam time: 2025-07-01, post-merger code 15/02647 is current', () => {
    const b = hoSo(P('LCI-2025-000451'));
    expect(b.ngayNhanDon).toBe('2025-07-01');
    expect(addr(b)).toMatchObject({ maTinh: '15', maXa: '02647' });
    expect(resolveAddressCodes({ maTinh: '15', maXa: '02647' }, 'truoc-2025', catalogues()).ok).toBe(false);
  });
  it('D7 last pre-merger day: old 15/04540 → 15/04543', () => {
    const b = hoSo(P('LCI-2025-000446'));
    expect(b.ngayNhanDon).toBe('2025-06-30');
    expect(addr(b)).toMatchObject({ maTinh: '15', maXa: '04543' });
  });
});

describe('T — text', () => {
  it('T1 NFD name and street are sent as NFC', () => {
    const raw = pakn.get('LCI-2025-000523')!.raw as { citizen: { fullName: string; address: { street: string } } };
    expect(raw.citizen.fullName).not.toBe(raw.citizen.fullName.normalize('NFC'));
    const p = hoSo(P('LCI-2025-000523')).nguoiDungDon[0]!;
    expect(p.hoTen).toBe('Đoàn Bích Ngọc'.normalize('NFC'));
    expect(p.diaChi.chiTiet).toBe(raw.citizen.address.street.normalize('NFC'));
  });
  it('T2 old-style tone placement is sent as written; matching keys equal the new style', () => {
    const hoa = hoSo(Q('LC25-000031')).nguoiDungDon[0]!.hoTen;
    const thuy = hoSo(Q('LC25-000231')).nguoiDungDon[0]!.hoTen;
    expect(hoa).toBe('Đặng Minh Hoà');
    expect(thuy).toBe('Lò Thanh Thuỷ');
    expect(foldKey(hoa)).toBe(foldKey('Đặng Minh Hòa'));
    expect(foldKey(thuy)).toBe(foldKey(hoSo(P('LCI-2025-000341')).nguoiDungDon[0]!.hoTen));
  });
  it('T3 a double space is collapsed, nothing else changed', () => {
    const names = hoSo(Q('LC25-000311')).nguoiDungDon.map((p) => p.hoTen);
    expect(names).toContain('Lường Văn Tuyển');
  });
  it('T4 a Telex leftover is sent as typed; its key equals the corrected name', () => {
    const n = luot(S('KT25-0016')).congDan[0]!.hoTen;
    expect(n).toBe('Nguyeenx Thanh Tùng');
    expect(hoSo(S('KT25-0016')).nguoiDungDon[0]!.hoTen).toBe('Nguyeenx Thanh Tùng');
    expect(foldKey(n)).toBe(foldKey('Nguyễn Thanh Tùng'));
  });
  it('T5 no diacritics: accepted; the unaccented address of LC25-000327 still resolves to 12/03424', () => {
    const b = hoSo(Q('LC25-000327'));
    expect(b.nguoiDungDon[0]!.hoTen).toBe('Lo Van Minh');
    expect(addr(b)).toMatchObject({ maTinh: '12', maXa: '03424' });
    expect(luot(S('KT25-0041')).congDan[0]!.hoTen).toBe('Sung Van Toan');
    expect(hoSo(P('LCI-2025-000497')).nguoiDungDon[0]!.hoTen).toBe('Tran Minh Duc');
  });
});

describe('I — identity and phones', () => {
  it('I1 a CCCD consistent with year and sex → soDinhDanh', () => {
    expect(hoSo(Q('LC25-000118')).nguoiDungDon[0]!.soDinhDanh).toBe('012083004719');
  });
  it('I2 CCCD year digits disagree with nam_sinh → DINH_DANH_KHONG_HOP_LE at the national pointer', () => {
    const r = Q('LC25-000248');
    expect(r.ok).toBe(false);
    expect(has(r, 'DINH_DANH_KHONG_HOP_LE', '/nguoiDungDon/0/soDinhDanh')).toBe(true);
    expect(r.issues.find((i) => i.code === 'DINH_DANH_KHONG_HOP_LE')?.source).toBe('/nguoi_dung_don/0/cmnd_cccd');
  });
  it('I3 a 9-digit CMND → giayTo, no soDinhDanh', () => {
    const so = luot(S('KT25-0041')).congDan[0]!;
    expect(so.giayTo).toEqual({ loai: 'CMND', so: '040512387' });
    expect(so.soDinhDanh).toBeUndefined();
    const pk = hoSo(P('LCI-2025-000419')).nguoiDungDon[0]!;
    expect(pk.giayTo).toEqual({ loai: 'CMND', so: '151276903' });
    expect(pk.soDinhDanh).toBeUndefined();
  });
  it('I4 11 digits (Excel dropped the 0) → error; the 0 is not added back', () => {
    const r = S('KT25-0059');
    expect(r.records).toEqual([]);
    expect(has(r, 'DINH_DANH_KHONG_HOP_LE', '/congDan/0/soDinhDanh', 'luot-tiep')).toBe(true);
    expect(has(r, 'DINH_DANH_KHONG_HOP_LE', '/nguoiDungDon/0/soDinhDanh', 'ho-so-don')).toBe(true);
    expect(r.issues.find((i) => i.code === 'DINH_DANH_KHONG_HOP_LE')?.source).toBe('/CMND~1Hộ chiếu của công dân/0');
    expect(JSON.stringify(r.candidates)).not.toContain('062086001457');
  });
  it('I5 phone formats → 10 digits starting with 0', () => {
    expect(hoSo(P('LCI-2025-000341')).nguoiDungDon[0]!.soDienThoai).toBe('0912345678');
    expect(hoSo(Q('LC25-000007')).nguoiDungDon[0]!.soDienThoai).toBe('0912884301');
    expect(hoSo(P('LCI-2025-000433')).nguoiDungDon[0]!.soDienThoai).toBe('0356201874');
    expect(hoSo(P('LCI-2025-000497')).nguoiDungDon[0]!.soDienThoai).toBe('0983472615');
    expect(hoSo(P('LCI-2025-000402')).nguoiDungDon[0]!.soDienThoai).toBe('0983472615');
    expect(hoSo(Q('LC25-000058')).nguoiDungDon[0]!.soDienThoai).toBe('0389214765');
  });
});

describe('A — addresses', () => {
  it('A1 old full commune → its new commune 12/03408', () => {
    expect(addr(hoSo(Q('LC25-000031')))).toMatchObject({ maTinh: '12', maXa: '03408' });
  });
  it('A2 split commune → warning, province + text only', () => {
    for (const [r, kind, tinh] of [
      [S('KT25-0089'), 'luot-tiep', '51'], [S('KT25-0089'), 'ho-so-don', '51'], [Q('LC25-000263'), 'ho-so-don', '14'], [P('LCI-2025-000231'), 'ho-so-don', '08'],
    ] as const) {
      expect(r.ok, r.localId).toBe(true);
      const b = kind === 'luot-tiep' ? luot(r) : hoSo(r);
      const a = addr(b as never);
      expect(a.maTinh).toBe(tinh);
      expect(a.maXa).toBeUndefined();
      expect(a.chiTiet).toBeTruthy();
      expect(warnings(r, kind).some((w) => w.code === 'XA_BI_CHIA_TACH')).toBe(true);
    }
  });
  it('A3 misspelled district, two communes of that name → warning, neither picked', () => {
    const r = S('KT25-0083');
    const a = addr(hoSo(r));
    expect(a.maTinh).toBe('51');
    expect(a.maXa).toBeUndefined();
    expect(warnings(r, 'ho-so-don').length).toBeGreaterThan(0);
  });
  it('A4 no commune → warning, maTinh 12 only', () => {
    const r = Q('LC25-000412');
    expect(addr(hoSo(r))).toMatchObject({ maTinh: '12' });
    expect(addr(hoSo(r)).maXa).toBeUndefined();
    expect(warnings(r).length).toBe(1);
  });
  it('A5 old codes on a post-merger record → MA_HET_HIEU_LUC, not converted', () => {
    const r = P('LCI-2025-000458');
    expect(r.ok).toBe(false);
    expect(r.issues.some((i) => i.code === 'MA_HET_HIEU_LUC' && i.national?.startsWith('/nguoiDungDon/0/diaChi'))).toBe(true);
  });
});

describe('conversions that must come out exactly', () => {
  it.each([
    ['LC25-000058', '12', '03517'], ['LC25-000379', '12', '03433'], ['LC25-000391', '12', '03532'],
    ['LC25-000118', '51', '23538'], ['LC25-000187', '51', '23538'], ['LC25-000231', '15', '02647'],
    ['LC25-000436', '12', '03390'],
  ])('qldt %s → %s/%s', (id, tinh, xa) => {
    const b = hoSo(Q(id)) as never;
    expect(addr(b)).toMatchObject({ maTinh: tinh, maXa: xa });
  });
  it('LC25-000296 is still an error (C7) but its address converts', () => {
    expect(addr(candidate(Q('LC25-000296'), 'ho-so-don') as never)).toMatchObject({ maTinh: '12', maXa: '03408' });
  });
  it.each([
    ['KT25-0041', '23538'], ['KT25-0077', '23317'], ['KT25-0096', '23527'], ['KT25-0126', '23284'], ['KT26-0011', '23428'],
  ])('so-tiep %s → 51/%s', (id, xa) => {
    expect(addr(luot(S(id)) as never)).toMatchObject({ maTinh: '51', maXa: xa });
  });
  it.each([
    ['LCI-2025-000402', '04252'], ['LCI-2025-000298', '04543'], ['LCI-2025-000187', '04660'], ['LCI-2025-000419', '04375'],
    ['LCI-2025-000341', '02647'], ['LCI-2025-000262', '03037'], ['LCI-2025-000433', '02839'], ['LCI-2025-000112', '02923'],
  ])('pakn old codes %s → 15/%s', (id, xa) => {
    expect(addr(hoSo(P(id)) as never)).toMatchObject({ maTinh: '15', maXa: xa });
  });
});

describe('C — codes, labels, cross-field rules', () => {
  it('C1 unknown label → error, no default to KHAC', () => {
    const q = Q('LC25-000064');
    expect(has(q, 'NHAN_KHONG_XAC_DINH', '/linhVuc')).toBe(true);
    expect(candidate(q, 'ho-so-don').linhVuc).toBeUndefined();
    const p = P('LCI-2025-000548');
    expect(has(p, 'NHAN_KHONG_XAC_DINH', '/linhVuc')).toBe(true);
    expect(p.issues.find((i) => i.national === '/linhVuc')?.source).toBe('/category');
  });
  it('C2 receiving bodies given by name resolve to their codes', () => {
    expect(hoSo(Q('LC25-000142')).xuLy?.maDonViNhan).toBe('000.00.05.H29');
    expect(hoSo(Q('LC25-000231')).xuLy?.maDonViNhan).toBe('000.00.05.H29');
    expect(hoSo(Q('LC25-000007')).xuLy?.maDonViNhan).toBe('000.00.00.H29');
    expect(hoSo(Q('LC25-000311')).xuLy?.maDonViNhan).toBe('000.00.09.H29');
    const v2 = qldtAll.find((m) => m.result.localId === 'LC25-000311' && m.result.version === 2)!.result;
    expect(hoSo(v2).xuLy?.maDonViNhan).toBe('000.00.09.H29');
    expect(hoSo(Q('LC25-000379')).xuLy?.maDonViNhan).toBe('000.00.09.H29');
    expect(luot(S('KT25-0041')).ketQua.maDonViNhan).toBe('000.00.09.H29');
    expect(candidate(S('KT25-0041'), 'ho-so-don')).toMatchObject({ xuLy: { maDonViNhan: '000.00.09.H29' } });
    expect(luot(S('KT25-0035')).ketQua.maDonViNhan).toBe('000.00.01.H34');
    expect(luot(S('KT25-0071')).ketQua.maDonViNhan).toBe('000.00.01.H48');
  });
  it('C3 a body that matches nothing → error on maDonViNhan; the so-tiep luot-tiep is sent with a warning', () => {
    const q = Q('LC24-001254');
    expect(q.ok).toBe(false);
    const e = q.issues.find((i) => i.national === '/xuLy/maDonViNhan')!;
    expect(['DON_VI_KHONG_XAC_DINH', 'DON_VI_MO_HO']).toContain(e.code);
    expect(e.source).toBe('/noi_nhan_chuyen');
    if (e.hint) expect(e.hint).toMatch(/^[^0-9]*(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}(, )?)+$/);
    const s = S('KT25-0101');
    expect(s.blocked).toEqual(['ho-so-don']);
    expect(s.issues.some((i) => i.recordKind === 'ho-so-don' && i.severity === 'error' && i.national === '/xuLy/maDonViNhan')).toBe(true);
    const l = luot(s);
    expect(l.ketQua.huong).toBe('CHUYEN_DON');
    expect(l.ketQua.maDonViNhan).toBeUndefined();
    expect(warnings(s, 'luot-tiep').length).toBeGreaterThan(0);
  });
  it('C4 tố cáo → baoMatDanhTinh: true', () => {
    expect(hoSo(Q('LC25-000058')).baoMatDanhTinh).toBe(true);
    for (const m of qldtAll.filter((x) => x.result.localId === 'LC25-000058')) expect(hoSo(m.result).baoMatDanhTinh).toBe(true);
    expect(candidate(S('KT25-0035'), 'ho-so-don').baoMatDanhTinh).toBe(true);
    expect(candidate(S('KT25-0071'), 'ho-so-don').baoMatDanhTinh).toBe(true);
    expect(hoSo(Q('LC25-000007')).baoMatDanhTinh).toBe(false);
  });
  it('C5 so_nguoi 1 with 3 petitioners → KHONG_NHAT_QUAN', () => {
    expect(has(Q('LC25-000259'), 'KHONG_NHAT_QUAN', '/soNguoi')).toBe(true);
  });
  it('C6 Chuyển đơn with no receiving body → KHONG_NHAT_QUAN; so-tiep luot-tiep gets a warning', () => {
    expect(has(Q('LC25-000274'), 'KHONG_NHAT_QUAN', '/xuLy/maDonViNhan')).toBe(true);
    const s = S('KT25-0064');
    expect(s.blocked).toEqual(['ho-so-don']);
    expect(has(s, 'KHONG_NHAT_QUAN', '/xuLy/maDonViNhan', 'ho-so-don')).toBe(true);
    expect(luot(s).ketQua.huong).toBe('CHUYEN_DON');
    expect(warnings(s, 'luot-tiep').length).toBeGreaterThan(0);
  });
  it('C7 Khiếu nại, Đủ điều kiện, no đối tượng → KHONG_NHAT_QUAN', () => {
    expect(has(Q('LC25-000296'), 'KHONG_NHAT_QUAN', '/doiTuongBiKNTC')).toBe(true);
  });
  it('C8 Cơ quan khác chuyển đến without the body → KHONG_NHAT_QUAN at /coQuanChuyenDen', () => {
    const r = Q('LC25-000451');
    expect(has(r, 'KHONG_NHAT_QUAN', '/coQuanChuyenDen')).toBe(true);
    expect(r.issues.find((i) => i.national === '/coQuanChuyenDen')?.source).toBe('/co_quan_chuyen');
  });
  it('C9 đơn đông người → every listed petitioner laDaiDien', () => {
    const a = hoSo(Q('LC25-000311')).nguoiDungDon;
    expect(a).toHaveLength(2);
    expect(a.every((p) => p.laDaiDien === true)).toBe(true);
    const b = hoSo(Q('LC25-000342')).nguoiDungDon;
    expect(b).toHaveLength(3);
    expect(b.every((p) => p.laDaiDien === true)).toBe(true);
    const s = S('KT25-0048');
    expect(luot(s).soNguoi).toBe(12);
    expect(luot(s).congDan).toHaveLength(3);
    expect(luot(s).congDan.every((p) => p.laDaiDien === true)).toBe(true);
    expect(hoSo(s).nguoiDungDon.every((p) => p.laDaiDien === true)).toBe(true);
    expect(hoSo(Q('LC25-000007')).nguoiDungDon[0]!.laDaiDien).toBeUndefined();
  });
  it('C9/KT25-0048: the empty middle ID slot stays empty (positional IDs)', () => {
    const c = luot(S('KT25-0048')).congDan;
    expect(c[0]!.soDinhDanh).toBe('062074001185');
    expect(c[1]!.soDinhDanh).toBeUndefined();
    expect(c[2]!.soDinhDanh).toBe('062181000934');
  });
  it('C10 nặc danh → anDanh, no petitioner; LC25-000079 KHONG_DU_DIEU_KIEN + lyDoKhongDu + LUU_DON', () => {
    const q = hoSo(Q('LC25-000079'));
    expect(q.anDanh).toBe(true);
    expect(q.nguoiDungDon).toEqual([]);
    expect(q.dieuKienXuLy).toBe('KHONG_DU_DIEU_KIEN');
    expect(q.lyDoKhongDu).toBeTruthy();
    expect(q.xuLy?.huong).toBe('LUU_DON');
    const p = hoSo(P('LCI-2025-000367'));
    expect(p.anDanh).toBe(true);
    expect(p.nguoiDungDon).toEqual([]);
  });
  it('so-tiep open point: KN/TC rows thụ lý or transferred → ho-so-don waits for doiTuongBiKNTC; luot-tiep is sent', () => {
    for (const id of ['KT25-0009', 'KT25-0035', 'KT25-0041', 'KT25-0071', 'KT25-0114', 'KT26-0019']) {
      const r = S(id);
      expect(r.blocked, id).toEqual(['ho-so-don']);
      expect(has(r, 'KHONG_NHAT_QUAN', '/doiTuongBiKNTC', 'ho-so-don'), id).toBe(true);
      expect(luot(r).maLuotTiepNguon).toBe(id);
      // the suggestion is stored with the result, never in a message
      const sug = r.suggestions?.find((s) => s.national === '/doiTuongBiKNTC/ten');
      expect(sug?.value, id).toBeTruthy();
      for (const i of r.issues) expect(i.message).not.toContain(sug!.value.slice(0, 20));
    }
    expect(S('KT25-0009').suggestions?.[0]?.value).toMatch(/^Khiếu nại Quyết định số 3021\/QĐ-UBND/);
  });
});

describe('V — export form and versions', () => {
  it('V1 older string form → 2 petitioners with hoTen only, THIEU_TRUONG at each diaChi', () => {
    const r = Q('LC24-001187');
    expect(r.ok).toBe(false);
    expect(candidate(r, 'ho-so-don').nguoiDungDon).toEqual([{ hoTen: 'Nguyễn Hữu Bảo' }, { hoTen: 'Trần Ngọc Hân' }]);
    expect(has(r, 'THIEU_TRUONG', '/nguoiDungDon/0/diaChi')).toBe(true);
    expect(has(r, 'THIEU_TRUONG', '/nguoiDungDon/1/diaChi')).toBe(true);
  });
  it('V2 the final state is the highest phien_ban', () => {
    expect(Q('LC25-000058').version).toBe(3);
    expect(hoSo(Q('LC25-000058')).giaiQuyet).toMatchObject({ trangThai: 'DA_GIAI_QUYET', ketQua: 'DUNG_MOT_PHAN', ngayKetThuc: '2025-05-12' });
    expect(hoSo(Q('LC25-000187')).xuLy?.huong).toBe('HUONG_DAN');
    expect(hoSo(Q('LC25-000342')).giaiQuyet?.trangThai).toBe('DA_GIAI_QUYET');
  });
  it('V3 lines v1, v3, v2: the final state stays v3 (Đôn đốc); v2 carries phienBanNguon 2', () => {
    const order = qldtAll.filter((m) => m.result.localId === 'LC25-000311').map((m) => m.result.version);
    expect(order).toEqual([1, 3, 2]);
    expect(hoSo(Q('LC25-000311')).xuLy?.huong).toBe('DON_DOC');
    expect(hoSo(Q('LC25-000311')).phienBanNguon).toBe(3);
  });
  it('V4 a byte-identical repeated line maps to the identical body (one create, then a no-op)', () => {
    const two = qldtAll.filter((m) => m.result.localId === 'LC25-000436');
    expect(two).toHaveLength(2);
    expect(two[0]!.result).toEqual(two[1]!.result);
    expect(bamNoiDung(hoSo(two[0]!.result))).toBe(bamNoiDung(hoSo(two[1]!.result)));
  });
  it('V5 RFC 4180: a line break inside a quoted cell and a doubled quote are preserved', () => {
    expect(luot(S('KT25-0048')).noiDung).toContain('kiến nghị:\n1. Dự án');
    expect(luot(S('KT25-0048')).noiDung).toContain('\n2. Đề nghị');
    expect(luot(S('KT25-0101')).noiDung).toContain('Chi nhánh trả lời "đang chờ xác minh" nhưng');
  });
});
