import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { computeLinkage, minhash, estimateJaccard, birthYear, splitKeys, bandKeys, MH_BANDS, type Lk1Features } from '../../src/dedupe/features.js';
import { contentTokens, contentShingles, contentNumbers, nameParts } from '../../src/dedupe/normalize.js';
import { LINK_KEY_RE, NO_LINKAGE, type HoSoDon, type NguoiDungDon } from '../../src/contract/schemas.js';
import { validateHoSoDon } from '../../src/contract/validate.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { buildCatalogues, loadReferenceData } from '../../src/reference/dvhc.js';

const S = 'unit-secret';
const person = (p: Partial<NguoiDungDon> = {}): NguoiDungDon => ({ hoTen: 'Sùng Văn Toàn', namSinh: 1983, gioiTinh: 'NAM', soDinhDanh: '012083004719', diaChi: { maTinh: '51', maXa: '23538', chiTiet: 'Thôn 3, xã Ia Dom' }, soDienThoai: '0355287614', ...p });
const body = (p: Partial<HoSoDon> = {}): HoSoDon => ({
  maDonVi: '000.00.00.H29', maHoSoNguon: 'T-1', phienBanNguon: 1, ngayNhanDon: '2025-03-14', nguonDon: 'BUU_CHINH',
  loaiDon: 'KHIEU_NAI', linhVuc: 'HC.DD',
  noiDungTomTat: 'Gia đình không có tên trong phương án bồi thường khi Nhà nước thu hồi 1,2 ha đất nương tại bản Nậm Ngập, xã Pa Tần để xây dựng thủy điện năm 2023. Đề nghị giải quyết.',
  anDanh: false, baoMatDanhTinh: false, soNguoi: 1, nguoiDungDon: [person()],
  doiTuongBiKNTC: { loai: 'CO_QUAN_TO_CHUC', ten: 'Quyết định số 215/QĐ-UBND của UBND huyện Sìn Hồ' },
  dieuKienXuLy: 'DU_DIEU_KIEN', dacTrungLienKet: NO_LINKAGE, ...p,
});
const keysOf = (b: HoSoDon, prefix: string) => computeLinkage(b, S).khoa.filter((k) => k.startsWith(prefix));

describe('lk1 keys', () => {
  it('fit the contract: pattern, ≤ 64 keys, dacTrung ≤ 8 KiB, and the national validator accepts the body', () => {
    const crowd = body({ soNguoi: 9, nguoiDungDon: [1, 2, 3, 4, 5].map((i) => person({ hoTen: `Nguyễn Văn Tên${i}`, giayTo: { loai: 'CMND', so: `04051238${i}` }, laDaiDien: true })) });
    for (const b of [body(), crowd]) {
      const lk = computeLinkage(b, S);
      expect(lk.thuatToan).toBe('lk1');
      expect(lk.khoa.length).toBeGreaterThan(0);
      expect(lk.khoa.length).toBeLessThanOrEqual(64);
      for (const k of lk.khoa) expect(k).toMatch(LINK_KEY_RE);
      expect(Buffer.byteLength(JSON.stringify(lk.dacTrung))).toBeLessThanOrEqual(8192);
      const cat = makeCatalogues(buildCatalogues(loadReferenceData()));
      expect(validateHoSoDon({ ...b, dacTrungLienKet: lk }, { catalogues: cat, today: '2026-11-22' })).toEqual([]);
    }
  });

  it('carry no raw identity: no name, ID, phone, address, birth year or words of the text', () => {
    const json = JSON.stringify(computeLinkage(body(), S));
    for (const s of ['Sùng', 'Toàn', 'sung van toan', 'sung toan', '012083004719', '0355287614', '"23538"', 'Ia Dom', 'ia dom', '1983', 'nuong', 'thuy dien', 'Sìn Hồ', 'sin ho', 'nam ngap'])
      expect(json).not.toContain(s);
  });

  it('one key per kind per person: id:, ten:, tg:, bi: and 40 mh: bands', () => {
    const k = computeLinkage(body(), S).khoa;
    expect(k.filter((x) => x.startsWith('id:'))).toHaveLength(1);
    expect(k.filter((x) => x.startsWith('ten:'))).toHaveLength(1);
    expect(k.filter((x) => x.startsWith('tg:'))).toHaveLength(1);
    expect(k.filter((x) => x.startsWith('bi:'))).toHaveLength(1);
    expect(k.filter((x) => x.startsWith('mh:'))).toHaveLength(MH_BANDS);
  });

  it.each([
    ['Telex leftover', 'Nguyeenx Thanh Tùng', 'Nguyễn Thanh Tùng'],
    ['no diacritics', 'Nguyen Thanh Tung', 'Nguyễn Thanh Tùng'],
    ['old tone placement', 'Lò Thanh Thuỷ', 'Lò Thanh Thủy'],
    ['Hoàng ↔ Huỳnh', 'Huỳnh Văn Nam', 'Hoàng Văn Nam'],
    ['Vũ ↔ Võ', 'Võ Thị Hoa', 'Vũ Thị Hoa'],
    ['case and spaces', 'LÒ  VĂN MINH', 'Lò Văn Minh'],
  ])('%s: the same name key (%s = %s)', (_t, x, y) => {
    expect(keysOf(body({ nguoiDungDon: [person({ hoTen: x })] }), 'ten:')).toEqual(keysOf(body({ nguoiDungDon: [person({ hoTen: y })] }), 'ten:'));
  });

  it('a dropped middle name keeps the tg: key and changes the ten: key', () => {
    const full = body({ nguoiDungDon: [person({ hoTen: 'Sùng Văn Toàn' })] });
    const short = body({ nguoiDungDon: [person({ hoTen: 'Sùng Toàn' })] });
    expect(keysOf(short, 'tg:')).toEqual(keysOf(full, 'tg:'));
    expect(keysOf(short, 'ten:')).not.toEqual(keysOf(full, 'ten:'));
  });

  it('the province is part of the name keys; other names differ', () => {
    expect(keysOf(body({ nguoiDungDon: [person({ diaChi: { maTinh: '12' } })] }), 'ten:')).not.toEqual(keysOf(body(), 'ten:'));
    expect(keysOf(body({ nguoiDungDon: [person({ hoTen: 'Sùng Văn Tài' })] }), 'ten:')).not.toEqual(keysOf(body(), 'ten:'));
  });

  it('the same CCCD gives the same id: key whatever else differs; another secret shares no key', () => {
    expect(keysOf(body({ nguoiDungDon: [person({ hoTen: 'X Y' })] }), 'id:')).toEqual(keysOf(body(), 'id:'));
    const other = computeLinkage(body(), 'another-secret').khoa;
    const mine = new Set(computeLinkage(body(), S).khoa);
    expect(other.filter((k) => mine.has(k))).toEqual([]);
  });

  it('anonymous đơn: no person keys, content keys only; deterministic', () => {
    const anon = body({ anDanh: true, baoMatDanhTinh: true, loaiDon: 'TO_CAO', nguoiDungDon: [] });
    const lk = computeLinkage(anon, S);
    expect(lk.khoa.every((k) => k.startsWith('mh:') || k.startsWith('bi:'))).toBe(true);
    expect((lk.dacTrung as unknown as Lk1Features).ng).toEqual([]);
    expect(computeLinkage(anon, S)).toEqual(lk);
  });
});

describe('lk1 normalisation', () => {
  it('removes petition boilerplate and function words', () => {
    expect(contentTokens('Kính đề nghị cơ quan chức năng kiểm tra, giải quyết cho gia đình tôi.')).toEqual([]);
    expect(contentTokens('Đề nghị bồi thường đất nương')).toEqual(['boi', 'thuong', 'dat', 'nuong']);
  });
  it('shingles are words and word pairs', () => {
    expect(contentShingles('bồi thường đất')).toEqual(['boi', 'thuong', 'dat', 'boi thuong', 'thuong dat']);
  });
  it('numbers keep their form; "1.2" equals "1,2"', () => {
    expect(contentNumbers('Quyết định 215/QĐ-UBND, 1.2 ha, năm 2023')).toEqual(['215', '1,2', '2023']);
  });
  it('name parts: surname, middle, given; regional surname class', () => {
    expect(nameParts('Huỳnh Thị Mỹ Linh')).toEqual({ surname: 'huynh', surnameClass: 'hoang', middle: 'thi my', given: 'linh' });
  });
  it('birth year from namSinh, else from the CCCD century and year digits', () => {
    expect(birthYear({ soDinhDanh: '062090003318' })).toBe(1990);
    expect(birthYear({ soDinhDanh: '001305001234' })).toBe(2005);
    expect(birthYear({ namSinh: 1971, soDinhDanh: '062090003318' })).toBe(1971);
    expect(birthYear({})).toBeUndefined();
  });
  it('splitKeys: identity keys and content keys in two queries', () => {
    expect(splitKeys(['id:a', 'mh:0:b', 'ten:c'])).toEqual([['id:a', 'ten:c'], ['mh:0:b']]);
    expect(splitKeys(['mh:0:b'])).toEqual([['mh:0:b']]);
  });
});

describe('MinHash', () => {
  it('estimates the Jaccard similarity of the shingle sets (±0.2)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (common, onlyA, onlyB) => {
        const c = Array.from({ length: common }, (_, i) => `c${i}`);
        const a = [...c, ...Array.from({ length: onlyA }, (_, i) => `a${i}`)];
        const b = [...c, ...Array.from({ length: onlyB }, (_, i) => `b${i}`)];
        const exact = common / (common + onlyA + onlyB);
        const est = estimateJaccard(minhash(a, S)!, minhash(b, S)!);
        return Math.abs(est - exact) <= 0.2;
      }),
      { numRuns: 60, seed: 42 },
    );
  });
  it('identical sets share every band; no shingles → no signature', () => {
    const sig = minhash(['x', 'y', 'z'], S)!;
    expect(bandKeys(sig)).toEqual(bandKeys(minhash(['z', 'y', 'x'], S)!));
    expect(minhash([], S)).toBeUndefined();
  });
});
