import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { buildCatalogues, loadReferenceData } from '../../src/reference/dvhc.js';
import type { Catalogues } from '../../mappers/types.js';
import { parseAddress, resolveAddressCodes, resolveAddressText, type AddressResult } from '../../src/vn/address.js';
import { eraOf, localDateOf, parseLocalDate } from '../../src/vn/dates.js';
import { pakn1, qldt1, qldtPerson, qldtRecords, soTiep1, soTiepCitizen, soTiepRows } from './samples.js';

let cat: Catalogues;
beforeAll(() => {
  cat = makeCatalogues(buildCatalogues(loadReferenceData()));
});

/** Era of a record from its own receipt date, as a mapper would derive it. */
const qldtEra = (id: string) => {
  const d = parseLocalDate(qldt1(id).ngay_nhan);
  if (!d.ok) throw new Error('bad date');
  return eraOf(d.date);
};
const soTiepEra = (id: string) => {
  const d = parseLocalDate(soTiep1(id)['Ngày tiếp']);
  if (!d.ok) throw new Error('bad date');
  return eraOf(d.date);
};
const paknEra = (id: string) => {
  const d = localDateOf(pakn1(id).submittedAt);
  if (!d.ok) throw new Error('bad instant');
  return eraOf(d.date);
};
const qldtAddr = (id: string) => resolveAddressText(qldtPerson(id).dia_chi as string, qldtEra(id), cat);
const soTiepAddr = (id: string) => resolveAddressText(soTiepCitizen(id).address, soTiepEra(id), cat);
const paknAddr = (id: string, era = paknEra(id)) => {
  const a = pakn1(id).citizen.address;
  return resolveAddressCodes({ maTinh: a.provinceCode, maXa: a.wardCode, chiTiet: a.street }, era, cat);
};
const codes = (r: AddressResult) => (r.ok ? `${r.diaChi.maTinh}/${r.diaChi.maXa ?? '-'}` : `ERR ${r.code}`);
const warnings = (r: AddressResult) => (r.ok ? r.warnings.map((w) => w.code) : []);
const clean = (r: AddressResult, expected: string) => {
  expect(codes(r)).toBe(expected);
  expect(warnings(r)).toEqual([]);
};

describe('parseAddress', () => {
  it('splits the usual pre-2025 form', () => {
    expect(parseAddress('Bản Nà Ban, xã Sơn Bình, huyện Tam Đường, tỉnh Lai Châu')).toEqual({
      detail: 'Bản Nà Ban', commune: 'Sơn Bình', communeType: 'xã', district: 'Tam Đường', districtType: 'huyện',
      province: 'Lai Châu', provinceType: 'tỉnh',
    });
    expect(parseAddress('Tổ dân phố số 3, thị trấn Than Uyên, huyện Than Uyên, tỉnh Lai Châu')).toMatchObject({
      detail: 'Tổ dân phố số 3', commune: 'Than Uyên', communeType: 'thị trấn', district: 'Than Uyên',
    });
  });
  it('abbreviations', () => {
    expect(parseAddress('Thôn 2, X. Sa Nhơn, H. Sa Thầy, T. Kon Tum')).toMatchObject({ commune: 'Sa Nhơn', communeType: 'xã', district: 'Sa Thầy', districtType: 'huyện', province: 'Kon Tum' });
    expect(parseAddress('Tổ 5, P. Cốc Lếu, TP. Lào Cai, Lào Cai')).toMatchObject({ commune: 'Cốc Lếu', communeType: 'phường', district: 'Lào Cai', districtType: 'thành phố', province: 'Lào Cai' });
    expect(parseAddress('Tổ 1, TT. Tam Đường, H.Tam Đường, tỉnh Lai Châu')).toMatchObject({ commune: 'Tam Đường', communeType: 'thị trấn', district: 'Tam Đường' });
    expect(parseAddress('Số 1, phường 3, TX. Sa Pa, tỉnh Lào Cai')).toMatchObject({ commune: '3', district: 'Sa Pa', districtType: 'thị xã' });
    expect(parseAddress('Số 2 Lê Lợi, Tp Hồ Chí Minh')).toMatchObject({ province: 'Hồ Chí Minh', provinceType: 'thành phố', detail: 'Số 2 Lê Lợi' });
  });
  it('new style without district, unaccented, comma-less', () => {
    expect(parseAddress('Thôn 2, xã Sa Thầy, tỉnh Quảng Ngãi')).toEqual({ detail: 'Thôn 2', commune: 'Sa Thầy', communeType: 'xã', province: 'Quảng Ngãi', provinceType: 'tỉnh' });
    expect(parseAddress('ban Na Tam, xa Na Tam, huyen Tam Duong, tinh Lai Chau')).toMatchObject({ detail: 'ban Na Tam', commune: 'Na Tam', district: 'Tam Duong', province: 'Lai Chau' });
    expect(parseAddress('Tổ 12 phường Cốc Lếu thành phố Lào Cai tỉnh Lào Cai')).toMatchObject({ detail: 'Tổ 12', commune: 'Cốc Lếu', district: 'Lào Cai', province: 'Lào Cai' });
    expect(parseAddress('Huyện Phong Thổ, tỉnh Lai Châu')).toEqual({ district: 'Phong Thổ', districtType: 'huyện', province: 'Lai Châu', provinceType: 'tỉnh' });
  });
  it('the detail is kept exactly as written; a capitalised keyword inside a name does not split it', () => {
    expect(parseAddress('Thôn Xã Đoài, xã Nghi Diên, huyện Nghi Lộc, tỉnh Nghệ An')).toMatchObject({ detail: 'Thôn Xã Đoài', commune: 'Nghi Diên' });
    expect(parseAddress('Số 5; ngõ 3 - Lê Lợi, phường Cốc Lếu, tỉnh Lào Cai')).toMatchObject({ detail: 'Số 5; ngõ 3 - Lê Lợi' });
    expect(parseAddress('THÔN 3 XÃ IA DOM HUYỆN IA H\'DRAI TỈNH KON TUM')).toMatchObject({ detail: 'THÔN 3', commune: 'IA DOM', district: "IA H'DRAI", province: 'KON TUM' });
    expect(parseAddress('Tổ 12 phường Cốc Lếu, xã X, tỉnh Lào Cai')).toMatchObject({ detail: 'Tổ 12 phường Cốc Lếu', commune: 'X' });
  });
  it('a "thị xã" is not split at its "xã"', () => {
    expect(parseAddress('Tổ 3 phường 1 thị xã Sa Pa tỉnh Lào Cai')).toMatchObject({ commune: '1', district: 'Sa Pa', districtType: 'thị xã' });
  });
  it('never throws', () => {
    expect(parseAddress('')).toEqual({});
    expect(parseAddress(undefined as unknown as string)).toEqual({});
    expect(parseAddress(',,,')).toEqual({});
  });
});

describe('resolveAddressText — samples README, Addresses table', () => {
  it('A1: xã Bản Giang, huyện Tam Đường → 12/03408, detail in chiTiet', () => {
    const r = qldtAddr('LC25-000031');
    clean(r, '12/03408');
    expect(r.ok && r.diaChi.chiTiet).toBe('Bản Hợp 2');
  });
  it('A2: split communes → province only, whole text, XA_BI_CHIA_TACH', () => {
    for (const [r, tinh, text] of [
      [soTiepAddr('KT25-0089'), '51', soTiepCitizen('KT25-0089').address],
      [qldtAddr('LC25-000263'), '14', qldtPerson('LC25-000263').dia_chi as string],
    ] as const) {
      expect(codes(r)).toBe(`${tinh}/-`);
      expect(warnings(r)).toEqual(['XA_BI_CHIA_TACH']);
      expect(r.ok && r.diaChi.chiTiet).toBe(text);
    }
    const c = paknAddr('LCI-2025-000231');
    expect(codes(c)).toBe('08/-');
    expect(warnings(c)).toEqual(['XA_BI_CHIA_TACH']);
    expect(c.ok && c.diaChi.chiTiet).toContain('Thôn 6');
  });
  it('A3: Đắk Long in "Đắc Glei" → neither commune, maTinh 51 + XA_KHONG_XAC_DINH (both eras)', () => {
    const text = soTiepCitizen('KT25-0083').address;
    for (const era of ['hien-hanh', 'truoc-2025'] as const) {
      const r = resolveAddressText(text, era, cat);
      expect(codes(r)).toBe('51/-');
      expect(warnings(r)).toEqual(['XA_KHONG_XAC_DINH']);
      expect(r.ok && r.diaChi.chiTiet).toBe(text);
    }
    expect(soTiepEra('KT25-0083')).toBe('hien-hanh');
    // with the district spelt right, each one is found
    clean(resolveAddressText('xã Đắk Long, huyện Đắk Glei, tỉnh Kon Tum', 'truoc-2025', cat), '51/23368');
    clean(resolveAddressText('xã Đắk Long, huyện Đắk Hà, tỉnh Kon Tum', 'truoc-2025', cat), '51/23504');
    // without a district the name is ambiguous (Đăk/Đắk spellings are not a difference)
    expect(warnings(resolveAddressText('xã Đắk Long, tỉnh Kon Tum', 'truoc-2025', cat))).toEqual(['XA_KHONG_XAC_DINH']);
  });
  it('A4: no commune → maTinh only + THIEU_XA', () => {
    const r = qldtAddr('LC25-000412');
    expect(codes(r)).toBe('12/-');
    expect(warnings(r)).toEqual(['THIEU_XA']);
    expect(r.ok && r.diaChi.chiTiet).toBe('Huyện Phong Thổ, tỉnh Lai Châu');
  });
  it('A5: old codes on a post-merger record → MA_HET_HIEU_LUC, not converted', () => {
    expect(paknEra('LCI-2025-000458')).toBe('hien-hanh');
    const r = paknAddr('LCI-2025-000458');
    expect(r).toMatchObject({ ok: false, code: 'MA_HET_HIEU_LUC' });
  });
});

describe('conversions that must come out exactly (samples README)', () => {
  it('Nậm Cha (Sìn Hồ) → 03517, not Nậm Chà of Nậm Nhùn (03472)', () => {
    clean(qldtAddr('LC25-000058'), '12/03517');
    clean(resolveAddressText('Bản Nậm Chà, xã Nậm Chà, huyện Nậm Nhùn, tỉnh Lai Châu', 'truoc-2025', cat), '12/03472');
  });
  it('thị trấn Mường Tè → 03433; xã Mường Tè → 03445', () => {
    clean(qldtAddr('LC25-000379'), '12/03433');
    clean(resolveAddressText('Bản Nậm Củm, xã Mường Tè, huyện Mường Tè, tỉnh Lai Châu', 'truoc-2025', cat), '12/03445');
  });
  it('Pa Khóa / Pa Khoá → 03532', () => {
    clean(qldtAddr('LC25-000391'), '12/03532');
    clean(resolveAddressText('xã Pa Khoá, huyện Sìn Hồ, tỉnh Lai Châu', 'truoc-2025', cat), '12/03532');
  });
  it("Ia H'Drai and Ia H' Drai → 51/23538", () => {
    expect(qldtPerson('LC25-000118').dia_chi).toContain("H'Drai");
    expect(qldtPerson('LC25-000187').dia_chi).toContain("H' Drai");
    clean(qldtAddr('LC25-000118'), '51/23538');
    clean(qldtAddr('LC25-000187'), '51/23538');
    clean(soTiepAddr('KT25-0041'), '51/23538');
  });
  it('phường Cốc Lếu, thành phố Lào Cai (old Lào Cai) → 15/02647', () => {
    clean(qldtAddr('LC25-000231'), '15/02647');
  });
  it('new-style addresses without a district resolve against current units', () => {
    clean(qldtAddr('LC25-000296'), '12/03408');
    clean(qldtAddr('LC25-000436'), '12/03390');
    clean(soTiepAddr('KT25-0077'), '51/23317');
    clean(soTiepAddr('KT25-0096'), '51/23527');
    clean(soTiepAddr('KT25-0126'), '51/23284');
    clean(soTiepAddr('KT26-0011'), '51/23428');
  });
  it('T5: unaccented address → 12/03424', () => {
    expect(qldtPerson('LC25-000327').dia_chi).toBe('Ban Na Tam 1, xa Na Tam, huyen Tam Duong, tinh Lai Chau');
    clean(qldtAddr('LC25-000327'), '12/03424');
  });
  it('G5: old Sa Nhơn (Nguyeenx) and new xã Sa Thầy give the same commune', () => {
    clean(soTiepAddr('KT25-0016'), '51/23527');
  });
  it.each([
    ['LCI-2025-000402', '15/04252'], // 15/04258
    ['LCI-2025-000298', '15/04543'], // 15/04543 Giới Phiên → Âu Lâu: same number, another unit
    ['LCI-2025-000187', '15/04660'], // 15/04621
    ['LCI-2025-000419', '15/04375'], // 15/04405
    ['LCI-2025-000341', '15/02647'], // 10/02644
    ['LCI-2025-000262', '15/03037'], // 10/03040
    ['LCI-2025-000433', '15/02839'], // 10/02839
    ['LCI-2025-000112', '15/02923'], // 10/02923
    ['LCI-2025-000446', '15/04543'], // D7: 15/04540 Âu Lâu, last pre-merger day
  ])('pakn old codes %s → %s', (id, expected) => {
    expect(paknEra(id)).toBe('truoc-2025');
    const r = paknAddr(id);
    clean(r, expected);
    expect(r.ok && r.diaChi.chiTiet).toBe(pakn1(id).citizen.address.street.normalize('NFC'));
  });
  it('D6: 15/02647 submitted 30 June 18:20Z is current; read as old it does not exist', () => {
    expect(paknEra('LCI-2025-000451')).toBe('hien-hanh');
    clean(paknAddr('LCI-2025-000451'), '15/02647');
    expect(paknAddr('LCI-2025-000451', 'truoc-2025')).toMatchObject({ ok: false, code: 'MA_KHONG_TON_TAI' });
  });
});

describe('every sample address', () => {
  it('qldt: only LC25-000263 and LC25-000412 carry an address warning; the rest resolve to a commune', () => {
    const seen = new Set<string>();
    for (const r of qldtRecords()) {
      if (!Array.isArray(r.nguoi_dung_don) || seen.has(r.id_don)) continue;
      seen.add(r.id_don);
      const d = parseLocalDate(r.ngay_nhan);
      if (!d.ok) continue;
      for (const p of r.nguoi_dung_don as { dia_chi: string }[]) {
        const res = resolveAddressText(p.dia_chi, eraOf(d.date), cat);
        expect(res.ok, r.id_don).toBe(true);
        if (r.id_don === 'LC25-000263' || r.id_don === 'LC25-000412') expect(warnings(res)).toHaveLength(1);
        else {
          expect(warnings(res), r.id_don).toEqual([]);
          expect(res.ok && res.diaChi.maXa, r.id_don).toMatch(/^\d{5}$/);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });
  it('so-tiep: only KT25-0083 and KT25-0089 carry an address warning', () => {
    for (const row of soTiepRows()) {
      const id = row['Mã lượt tiếp']!;
      const d = parseLocalDate(row['Ngày tiếp']);
      if (!d.ok) continue; // D4
      const n = (row['Họ tên - Địa chỉ'] ?? '').split(';').length;
      for (let i = 0; i < n; i++) {
        const res = resolveAddressText(soTiepCitizen(id, i).address, eraOf(d.date), cat);
        expect(res.ok, id).toBe(true);
        if (id === 'KT25-0083' || id === 'KT25-0089') expect(warnings(res), id).toHaveLength(1);
        else expect(warnings(res), id).toEqual([]);
        if (res.ok) expect(res.diaChi.maTinh).toBe('51');
      }
    }
  });
});

describe('robustness of text resolution', () => {
  it('tone placement, missing diacritics, case, abbreviations, Telex, typos', () => {
    for (const t of [
      'bản hợp 2, xã bản giang, huyện tam đường, tỉnh lai châu',
      'Ban Hop 2, Xa Ban Giang, Huyen Tam Duong, Tinh Lai Chau',
      'BẢN HỢP 2, XÃ BẢN GIANG, HUYỆN TAM ĐƯỜNG, TỈNH LAI CHÂU',
      'Bản Hợp 2, X. Bản Giang, H. Tam Đường, T. Lai Châu',
      'Bản Hợp 2 xã Bản Giang huyện Tam Đường tỉnh Lai Châu',
      'Bản Hợp 2, xã Bản Giang, huyện Tam Đuờng, tỉnh Lai Châu'.normalize('NFD'),
      'Bản Hợp 2, xã Bản Giangg, huyện Tam Đường, tỉnh Lai Châu', // typo in the commune, unique
      'Bản Hợp 2, xã Bản Giang, huyện Tam Đườg, tỉnh Lai Châu', // typo in the district, commune unique
      'Bản Hợp 2, xã Bản Giang, huyện Tam Đường, Lai Châu',
      'Baan Hop 2, xax Baanr Giang, huyeenj Tam DDuwowngf, tinhr Lai Chaau', // Telex leftovers
    ]) {
      const r = resolveAddressText(t, 'truoc-2025', cat);
      expect(codes(r), t).toBe('12/03408');
    }
  });
  it('new-style text written before the merger still resolves (fallback to current units)', () => {
    clean(resolveAddressText('Thôn 1, xã Ngọk Bay, tỉnh Quảng Ngãi', 'truoc-2025', cat), '51/23317');
  });
  it('hien-hanh text naming an old province and a district is followed forward', () => {
    clean(resolveAddressText('Thôn 2, xã Sa Nhơn, huyện Sa Thầy, tỉnh Kon Tum', 'hien-hanh', cat), '51/23527');
    clean(resolveAddressText('Thôn 2, xã Sa Thầy, tỉnh Kon Tum', 'hien-hanh', cat), '51/23527');
  });
  it('a commune in the wrong district is not guessed', () => {
    const r = resolveAddressText('xã Bản Giang, huyện Phong Thổ, tỉnh Lai Châu', 'truoc-2025', cat);
    expect(codes(r)).toBe('12/-');
    expect(warnings(r)).toEqual(['XA_KHONG_XAC_DINH']);
  });
  it('a misspelt district is not tolerated when the commune name exists twice in the province', () => {
    clean(resolveAddressText('thị trấn Mường Tè, huyện Mường Tè, tỉnh Lai Châu', 'truoc-2025', cat), '12/03433');
    expect(warnings(resolveAddressText('thị trấn Mường Tè, huyện Mườn Tè, tỉnh Lai Châu', 'truoc-2025', cat))).toEqual(['XA_KHONG_XAC_DINH']);
  });
  it('a typo that fits two communes is not guessed', () => {
    const r = resolveAddressText('xã Nậm Chaa, tỉnh Lai Châu', 'truoc-2025', cat);
    expect(warnings(r)).toEqual(['XA_KHONG_XAC_DINH']);
  });
  it('unknown commune → XA_KHONG_XAC_DINH with province; unknown province → TINH_KHONG_XAC_DINH', () => {
    const r = resolveAddressText('Thôn 1, xã Không Có, tỉnh Lai Châu', 'hien-hanh', cat);
    expect(codes(r)).toBe('12/-');
    expect(warnings(r)).toEqual(['XA_KHONG_XAC_DINH']);
    expect(resolveAddressText('Thôn 1, xã Bản Giang, tỉnh Atlantis', 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'TINH_KHONG_XAC_DINH' });
    expect(resolveAddressText('Thôn 1, xã Bản Giang', 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'TINH_KHONG_XAC_DINH' });
    expect(resolveAddressText('', 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'TINH_KHONG_XAC_DINH' });
  });
  it('an address with no unit types is not interpreted by position', () => {
    const r = resolveAddressText('Bản Nà Tăm 1, Nà Tăm, Tam Đường, Lai Châu', 'truoc-2025', cat);
    expect(codes(r)).toBe('12/-');
    expect(warnings(r)).toEqual(['XA_KHONG_XAC_DINH']);
    expect(r.ok && r.diaChi.chiTiet).toBe('Bản Nà Tăm 1, Nà Tăm, Tam Đường, Lai Châu');
    const q = resolveAddressText('Lai Châu', 'hien-hanh', cat);
    expect(codes(q)).toBe('12/-');
    expect(warnings(q)).toEqual(['THIEU_XA']);
    expect(resolveAddressText('Bản Nà Tăm 1, Nà Tăm', 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'TINH_KHONG_XAC_DINH' });
    expect(codes(resolveAddressText('Thôn 1, Ngọk Bay, Kon Tum', 'hien-hanh', cat))).toBe('51/-');
  });
  it('reasons are Vietnamese and never repeat the address', () => {
    const texts = [soTiepCitizen('KT25-0083').address, soTiepCitizen('KT25-0089').address, 'xã X, tỉnh Atlantis'];
    for (const t of texts) {
      const r = resolveAddressText(t, 'hien-hanh', cat);
      const reasons = r.ok ? r.warnings.map((w) => w.reason) : [r.reason];
      for (const reason of reasons) {
        expect(reason).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
        expect(reason).not.toContain('Trà Bùi');
        expect(reason).not.toContain('Atlantis');
        expect(reason).not.toContain('Đắk Long');
      }
    }
  });
  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom('truoc-2025', 'hien-hanh' as const), (s, era) => {
        const r = resolveAddressText(s, era, cat);
        expect(typeof r.ok).toBe('boolean');
        const c = resolveAddressCodes({ maTinh: s.slice(0, 2), maXa: s.slice(2, 7) }, era, cat);
        expect(typeof c.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    expect(resolveAddressText(null as unknown as string, 'hien-hanh', cat).ok).toBe(false);
    expect(resolveAddressCodes(null as unknown as { maTinh: string }, 'hien-hanh', cat).ok).toBe(false);
  });
});

describe('resolveAddressCodes', () => {
  it('current codes in the current era', () => {
    clean(resolveAddressCodes({ maTinh: '15', maXa: '04543', chiTiet: ' Thôn  4 ' }, 'hien-hanh', cat), '15/04543');
    expect(resolveAddressCodes({ maTinh: '15', maXa: '04543', chiTiet: ' Thôn  4 ' }, 'hien-hanh', cat)).toMatchObject({ diaChi: { chiTiet: 'Thôn 4' } });
  });
  it('a commune of another province is not accepted', () => {
    expect(resolveAddressCodes({ maTinh: '12', maXa: '04543' }, 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'MA_KHONG_TON_TAI' });
    expect(resolveAddressCodes({ maTinh: '10', maXa: '04540' }, 'truoc-2025', cat)).toMatchObject({ ok: false, code: 'MA_KHONG_TON_TAI' });
  });
  it('unknown codes', () => {
    expect(resolveAddressCodes({ maTinh: '99', maXa: '00001' }, 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'MA_KHONG_TON_TAI' });
    expect(resolveAddressCodes({ maTinh: '99' }, 'truoc-2025', cat)).toMatchObject({ ok: false, code: 'MA_KHONG_TON_TAI' });
    expect(resolveAddressCodes({ maTinh: '' }, 'truoc-2025', cat)).toMatchObject({ ok: false, code: 'MA_KHONG_TON_TAI' });
  });
  it('old province only: an old code after the merger is expired; before, it maps with THIEU_XA', () => {
    expect(resolveAddressCodes({ maTinh: '62' }, 'hien-hanh', cat)).toMatchObject({ ok: false, code: 'MA_HET_HIEU_LUC' });
    const r = resolveAddressCodes({ maTinh: '62' }, 'truoc-2025', cat);
    expect(codes(r)).toBe('51/-');
    expect(warnings(r)).toEqual(['THIEU_XA']);
  });
});

describe('speed', () => {
  it('resolves tens of thousands of sample addresses per CPU-second once indexed', () => {
    const inputs: [string, 'truoc-2025' | 'hien-hanh'][] = [];
    for (const row of soTiepRows()) inputs.push([soTiepCitizen(row['Mã lượt tiếp']!).address, 'hien-hanh']);
    for (const r of qldtRecords()) if (Array.isArray(r.nguoi_dung_don) && r.nguoi_dung_don[0]) inputs.push([(r.nguoi_dung_don[0] as { dia_chi: string }).dia_chi, 'truoc-2025']);
    resolveAddressText(inputs[0]![0], 'hien-hanh', cat); // index
    const n = 30_000;
    // CPU time of this process, not wall time: the test machine is shared by parallel jobs.
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const [t, e] = inputs[i % inputs.length]!;
      resolveAddressText(t, e, cat);
    }
    const c = process.cpuUsage(c0);
    const perSec = n / ((c.user + c.system) / 1e6);
    console.log(`resolveAddressText: ${Math.round(perSec)} addresses per CPU-second`);
    expect(perSec).toBeGreaterThan(30_000); // target 50k/s; measured ~90k/s on a loaded 2-core box
  });
});
