import { beforeAll, describe, expect, it } from 'vitest';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { buildCatalogues, loadReferenceData } from '../../src/reference/dvhc.js';
import type { Catalogues } from '../../mappers/types.js';
import { matchAgency } from '../../src/vn/agency.js';
import { qldt1, soTiep1 } from './samples.js';

let cat: Catalogues;
beforeAll(() => {
  cat = makeCatalogues(buildCatalogues(loadReferenceData()));
});
const TRANSFER = 'Chuyển đơn đến cơ quan có thẩm quyền';

describe('matchAgency — C2: names the catalogue has', () => {
  it.each([
    ['LC25-000142', '000.00.05.H29'],
    ['LC25-000231', '000.00.05.H29'],
    ['LC25-000007', '000.00.00.H29'], // "UBND tỉnh Lai Châu"
    ['LC25-000311', '000.00.09.H29'],
    ['LC25-000379', '000.00.09.H29'],
  ])('qldt %s noi_nhan_chuyen → %s', (id, ma) => {
    expect(matchAgency(qldt1(id).noi_nhan_chuyen as string, cat)).toEqual({ ok: true, ma });
  });
  it.each([
    ['KT25-0041', '000.00.09.H29'],
    ['KT25-0035', '000.00.01.H34'], // Thanh tra tỉnh Kon Tum, not Quảng Ngãi's
    ['KT25-0071', '000.00.01.H48'],
  ])('so-tiep %s transfer column → %s', (id, ma) => {
    expect(matchAgency(soTiep1(id)[TRANSFER]!, cat)).toEqual({ ok: true, ma });
  });
  it('the UBND row really is abbreviated', () => {
    expect(qldt1('LC25-000007').noi_nhan_chuyen).toBe('UBND tỉnh Lai Châu');
  });
  it('abbreviations, case, missing diacritics, tone style, a dropped "tỉnh"', () => {
    const cases: [string, string][] = [
      ['Ủy ban nhân dân tỉnh Lai Châu', '000.00.00.H29'],
      ['Uỷ ban nhân dân tỉnh Lai Châu', '000.00.00.H29'],
      ['U.B.N.D tỉnh Lai Châu', '000.00.00.H29'],
      ['ubnd tinh lai chau', '000.00.00.H29'],
      ['UBND Lai Châu', '000.00.00.H29'],
      ['Sở NN&MT tỉnh Lai Châu', '000.00.09.H29'],
      ['Sở NN và MT tỉnh Lai Châu', '000.00.09.H29'],
      ['So Nong nghiep va Moi truong Lai Chau', '000.00.09.H29'],
      ['Sở Nông nghiệp & Môi trường tỉnh Lào Cai', '000.00.09.H37'],
      ['  Thanh tra   tỉnh Kon Tum ', '000.00.01.H34'],
      ['Thanh tra tinh Quang Ngai', '000.00.01.H48'],
      ['Ban tiếp công dân tỉnh Kon Tum', '000.00.00.H34'],
      ['Sở Xây dựng Lào Cai', '000.00.11.H37'],
    ];
    for (const [name, ma] of cases) expect(matchAgency(name, cat), name).toEqual({ ok: true, ma });
  });
});

describe('matchAgency — C3 and other names that must stay unresolved', () => {
  it('qldt LC24-001254: Phòng Tài nguyên và Môi trường huyện Tam Đường', () => {
    const r = matchAgency(qldt1('LC24-001254').noi_nhan_chuyen as string, cat);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('DON_VI_KHONG_XAC_DINH');
    expect(!r.ok && r.candidates.length).toBeLessThanOrEqual(3);
  });
  it('so-tiep KT25-0101: Chi nhánh Văn phòng đăng ký đất đai khu vực Đắk Hà', () => {
    const name = soTiep1('KT25-0101')[TRANSFER]!;
    expect(name).toContain('Đắk Hà');
    expect(matchAgency(name, cat)).toMatchObject({ ok: false, code: 'DON_VI_KHONG_XAC_DINH' });
  });
  it.each([
    'UBND thành phố Lai Châu', // a city-level body, not the province
    'Sở Nông nghiệp và PTNT tỉnh Lai Châu', // a former body, not its successor
    'Thanh tra tỉnh Kon Tun', // short word typo in the place: not guessed
    'Thanh tra huyện Tam Đường',
    'Báo Lai Châu',
    'Đoàn đại biểu Quốc hội tỉnh Lai Châu',
    '',
    '   ',
  ])('%s → unresolved', (name) => {
    const r = matchAgency(name, cat);
    expect(r.ok).toBe(false);
  });
  it('a vague name that fits several bodies is ambiguous, with those bodies as candidates', () => {
    const r = matchAgency('Thanh tra', cat);
    expect(r).toMatchObject({ ok: false, code: 'DON_VI_MO_HO' });
    expect(!r.ok && r.candidates.map((c) => c.ma).sort()).toEqual(['000.00.01.H29', '000.00.01.H34', '000.00.01.H48']);
  });
  it('unresolved answers give at most the 3 closest names, best first', () => {
    const r = matchAgency('Sở Nông nghiệp và PTNT tỉnh Lai Châu', cat);
    expect(!r.ok && r.candidates[0]?.ma).toBe('000.00.09.H29');
    const scores = !r.ok ? r.candidates.map((c) => c.score) : [];
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
  it('never throws on odd input', () => {
    expect(matchAgency(undefined as unknown as string, cat).ok).toBe(false);
    expect(matchAgency(42 as unknown as string, cat).ok).toBe(false);
    expect(matchAgency('&&&', cat).ok).toBe(false);
  });
  it('two bodies with the same name are ambiguous', () => {
    const twin = makeCatalogues({
      'don-vi': [
        { ma: 'A', ten: 'Thanh tra tỉnh X', conHieuLuc: true },
        { ma: 'B', ten: 'Thanh tra tỉnh X', conHieuLuc: true },
      ],
    });
    expect(matchAgency('Thanh tra tỉnh X', twin)).toMatchObject({ ok: false, code: 'DON_VI_MO_HO' });
  });
});
