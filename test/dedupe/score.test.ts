import { describe, it, expect } from 'vitest';
import { computeLinkage, type Lk1Features } from '../../src/dedupe/features.js';
import { scorePair, reasonText, MU, weightOf, PERSON_CAP, DEFAULT_THRESHOLDS, type Comparison } from '../../src/dedupe/score.js';
import { NO_LINKAGE, type HoSoDon, type NguoiDungDon } from '../../src/contract/schemas.js';

const S = 'unit-secret';
const TEXT = 'Mỏ đá của Công ty TNHH Đá xây dựng Hưng Phát tại xã Nà Tăm nổ mìn làm nứt tường nhà dân bản Nà Tăm 1; bụi đá phủ kín nương chè; xe chở đá làm hỏng đường vào bản từ đầu năm 2025. Đề nghị kiểm tra giấy phép khai thác số 45/GP-UBND.';
const TEXT2 = 'Công ty khai thác đá Hưng Phát nổ mìn nhiều lần trong ngày gây rung lắc, nứt nhà ở bản Nà Tăm 1, xã Nà Tăm; bụi bám trên nương chè; xe tải chở đá làm hư đường vào bản từ đầu năm 2025; giấy phép 45/GP-UBND.';
const OTHER = 'Hồ sơ cấp giấy chứng nhận quyền sở hữu nhà ở tại thôn 4 nộp tháng 3/2024 đến nay quá hạn chưa được cấp, cán bộ không giải thích lý do chậm trễ; đề nghị trả kết quả số 118/TB.';
const p = (x: Partial<NguoiDungDon> = {}): NguoiDungDon => ({ hoTen: 'Lò Văn Minh', namSinh: 1971, gioiTinh: 'NAM', soDinhDanh: '012071005513', diaChi: { maTinh: '12', maXa: '03424' }, ...x });
const b = (x: Partial<HoSoDon> = {}): HoSoDon => ({
  maDonVi: '000.00.00.H29', maHoSoNguon: 'S-1', phienBanNguon: 1, ngayNhanDon: '2025-07-29', nguonDon: 'TRUC_TIEP', loaiDon: 'KIEN_NGHI_PHAN_ANH', linhVuc: 'HC.MT',
  noiDungTomTat: TEXT, anDanh: false, baoMatDanhTinh: false, soNguoi: 1, nguoiDungDon: [p()], dieuKienXuLy: 'DU_DIEU_KIEN', dacTrungLienKet: NO_LINKAGE, ...x,
});
const f = (x: HoSoDon) => computeLinkage(x, S).dacTrung as unknown as Lk1Features;
const levels = (r: ReturnType<typeof scorePair>) => Object.fromEntries(r.contributions.map((c) => [c.comparison, c.level]));

describe('the m/u table', () => {
  it('agreement weighs for, disagreement against, a missing value nothing', () => {
    for (const [c, lv] of Object.entries(MU) as [Comparison, Record<string, { m: number; u: number }>][]) {
      for (const [l, { m, u }] of Object.entries(lv)) {
        expect(m, `${c}/${l}`).toBeGreaterThan(0);
        expect(m, `${c}/${l}`).toBeLessThanOrEqual(1);
        expect(u, `${c}/${l}`).toBeGreaterThan(0);
        if (['agree', 'exact', 'same', 'commune', 'high', 'medium', 'd30'].includes(l)) expect(weightOf(c, l), `${c}/${l}`).toBeGreaterThan(0);
        if (['disagree', 'different', 'none', 'more'].includes(l)) expect(weightOf(c, l), `${c}/${l}`).toBeLessThan(0);
        if (l === 'missing') expect(weightOf(c, l)).toBe(0);
      }
    }
  });
  it('an agreeing ID outweighs every other single person comparison', () => {
    for (const c of ['DIEN_THOAI', 'HO_TEN', 'NAM_SINH', 'DIA_BAN'] as const)
      for (const l of Object.keys(MU[c])) expect(weightOf('ID', 'agree')).toBeGreaterThan(weightOf(c, l));
  });
});

describe('scorePair', () => {
  it('a re-typed copy by another agency (no ID, no diacritics) is a duplicate', () => {
    const r = scorePair(f(b()), f(b({ maDonVi: '000.00.09.H29', ngayNhanDon: '2025-08-08', noiDungTomTat: TEXT2, nguoiDungDon: [p({ hoTen: 'Lo Van Minh', soDinhDanh: undefined })] })));
    expect(r.decision).not.toBe('KHONG');
    expect(levels(r)).toMatchObject({ ID: 'missing', HO_TEN: 'exact', NAM_SINH: 'same', DIA_BAN: 'commune', SO_LIEU: 'agree', NGAY_NHAN: 'd30' });
  });

  it('the same person with another matter is not a duplicate: the person block is capped', () => {
    const r = scorePair(f(b()), f(b({ noiDungTomTat: OTHER, linhVuc: 'HC.NO', ngayNhanDon: '2025-12-01' })));
    expect(levels(r).ID).toBe('agree');
    const person = r.contributions.filter((c) => ['ID', 'DIEN_THOAI', 'HO_TEN', 'NAM_SINH', 'DIA_BAN', 'GIOI_HAN_NGUOI'].includes(c.comparison)).reduce((s, c) => s + c.weight, 0);
    expect(person).toBeLessThanOrEqual(PERSON_CAP + 0.01);
    expect(r.contributions.some((c) => c.comparison === 'GIOI_HAN_NGUOI')).toBe(true);
    expect(r.decision).toBe('KHONG');
  });

  it('one matter brought by another household (other name, year, ID) is not a duplicate', () => {
    const r = scorePair(f(b()), f(b({ noiDungTomTat: TEXT2, nguoiDungDon: [p({ hoTen: 'Lường Văn Tuyển', namSinh: 1980, soDinhDanh: '012080001234' })] })));
    expect(levels(r)).toMatchObject({ HO_TEN: 'disagree', NAM_SINH: 'different', ID: 'disagree' });
    expect(r.decision).toBe('KHONG');
  });

  it('a namesake with another birth year, CCCD and matter scores far below zero (LC25-000368 vs G4)', () => {
    const r = scorePair(f(b()), f(b({ nguoiDungDon: [p({ namSinh: 1988, soDinhDanh: '012088002261', diaChi: { maTinh: '12', maXa: '03637' } })], noiDungTomTat: OTHER, linhVuc: 'HC.DD' })));
    expect(r.weight).toBeLessThan(0);
  });

  it('Hoàng/Huỳnh and a dropped middle name are their own levels', () => {
    const hv = scorePair(f(b({ nguoiDungDon: [p({ hoTen: 'Hoàng Văn Minh' })] })), f(b({ nguoiDungDon: [p({ hoTen: 'Huỳnh Văn Minh', soDinhDanh: undefined })] })));
    expect(levels(hv).HO_TEN).toBe('variant');
    const nm = scorePair(f(b()), f(b({ nguoiDungDon: [p({ hoTen: 'Lò Minh', soDinhDanh: undefined })] })));
    expect(levels(nm).HO_TEN).toBe('noMiddle');
  });

  it('anonymous copies are scored on content, accused party and record fields only', () => {
    const anon = (x: Partial<HoSoDon>) => b({ loaiDon: 'TO_CAO', linhVuc: 'TN.TN', anDanh: true, baoMatDanhTinh: true, nguoiDungDon: [], doiTuongBiKNTC: { loai: 'CA_NHAN', ten: 'Ông Nguyễn Đức Hải' }, ...x });
    const r = scorePair(f(anon({})), f(anon({ noiDungTomTat: TEXT2, ngayNhanDon: '2025-08-02' })));
    expect(levels(r)).toMatchObject({ HO_TEN: 'missing', ID: 'missing', DOI_TUONG: 'agree' });
    expect(r.decision).toBe('NGHI_TRUNG');
  });

  it('an unclassified field (KHAC.KHAC) is not evidence against', () => {
    const r = scorePair(f(b()), f(b({ linhVuc: 'KHAC.KHAC' })));
    expect(levels(r).LINH_VUC).toBe('missing');
  });

  it('decision follows the thresholds; probability grows with the weight; reasons carry the signed weight', () => {
    const r = scorePair(f(b()), f(b({ maHoSoNguon: 'S-2' })));
    expect(r.decision).toBe(r.weight >= DEFAULT_THRESHOLDS.high ? 'TRUNG' : r.weight >= DEFAULT_THRESHOLDS.low ? 'NGHI_TRUNG' : 'KHONG');
    expect(r.decision).toBe('TRUNG');
    const weaker = scorePair(f(b()), f(b({ noiDungTomTat: TEXT2 })));
    expect(weaker.weight).toBeLessThan(r.weight);
    expect(weaker.probability).toBeLessThanOrEqual(r.probability);
    for (const c of r.contributions) expect(c.reason).toMatch(/\([+−]\d+\.\d\)$/);
    expect(reasonText(r).length).toBeLessThanOrEqual(1000);
    expect(reasonText(r)).toMatch(/^lk1 W=/);
  });
});

describe('quickScore (fast path)', () => {
  it('gives exactly the weight and decision of scorePair on generated candidate pairs', async () => {
    const { generateLabelledHoSoDon } = await import('../../src/generator/labelled/index.js');
    const { MemoryKeyIndex } = await import('../../src/dedupe/memory-index.js');
    const { splitKeys } = await import('../../src/dedupe/features.js');
    const { quickScore } = await import('../../src/dedupe/score.js');
    const data = generateLabelledHoSoDon({ seed: 77, count: 1500, synthAgencies: 20 });
    const idx = new MemoryKeyIndex();
    let pairs = 0;
    const decisions = new Set<string>();
    for (const r of data.records) {
      const lk = computeLinkage(r.body, S);
      const fa = lk.dacTrung as unknown as Lk1Features;
      for (const q of splitKeys(lk.khoa))
        for (const c of idx.query(q, { limit: 50 })) {
          const fb = c.rec.linkage.dacTrung as unknown as Lk1Features;
          const full = scorePair(fa, fb);
          const quick = quickScore(fa, fb);
          if (quick.weight !== full.weight || quick.decision !== full.decision) expect({ id: [r.localId, c.rec.id], quick }).toEqual({ id: [r.localId, c.rec.id], quick: { weight: full.weight, decision: full.decision } });
          decisions.add(full.decision);
          pairs++;
        }
      idx.add({ id: r.localId, ngayNhanDon: r.body.ngayNhanDon, linkage: lk });
    }
    expect(pairs).toBeGreaterThan(20_000);
    expect([...decisions].sort()).toEqual(['KHONG', 'NGHI_TRUNG', 'TRUNG']);
  });

  it('agrees with scorePair on edge cases: no petitioners on one or both sides, no signature, repeated numbers', async () => {
    const { quickScore } = await import('../../src/dedupe/score.js');
    const anon = f(b({ anDanh: true, baoMatDanhTinh: true, loaiDon: 'TO_CAO', nguoiDungDon: [] }));
    const signed = f(b());
    const noText = { ...f(b({ maHoSoNguon: 'S-2' })), mh: undefined, so: ['x', 'x', 'y'] } as Lk1Features;
    const dupNums = { ...signed, so: ['x', 'y', 'y'] } as Lk1Features;
    for (const [x, y] of [[anon, signed], [signed, anon], [anon, anon], [signed, noText], [noText, dupNums], [dupNums, noText], [signed, signed]] as const) {
      const full = scorePair(x, y);
      expect(quickScore(x, y)).toEqual({ weight: full.weight, decision: full.decision });
    }
  });
});

describe('signature decoding', () => {
  it('the string decoder gives the bytes Buffer.from gives, and refuses what Buffer.from refuses', async () => {
    const { decodeSignature, encodeSignature, MH_PERMS } = await import('../../src/dedupe/features.js');
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0));
    for (let t = 0; t < 300; t++) {
      const sig = new Uint32Array(MH_PERMS);
      for (let i = 0; i < MH_PERMS; i++) sig[i] = t === 0 ? 0 : t === 1 ? 0xffffffff : rnd();
      const enc = encodeSignature(sig);
      expect(decodeSignature(enc)).toEqual(sig);
    }
    expect(decodeSignature('AAAA')).toBeUndefined();
    const enc = encodeSignature(new Uint32Array(MH_PERMS).fill(0x01020304));
    expect(decodeSignature(enc.slice(0, -1) + '*')).toBeUndefined(); // Buffer.from drops '*': 511 bytes
    expect(decodeSignature(enc + '=')).toEqual(new Uint32Array(MH_PERMS).fill(0x01020304)); // padding: Buffer.from reads it
  });
});
