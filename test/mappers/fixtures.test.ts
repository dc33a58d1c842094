/**
 * Small fixtures per source, each named after what is wrong with it
 * (test/mappers/fixtures/<source>/<problem>.*). Each must end as the named issue at the
 * named national pointer — or, for the clean ones, as a record that is sent.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MapResult, ParsedRecord } from '../../mappers/types.js';
import { ctx, mapper, hoSo, luot, candidate } from './helpers.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function load(source: string, file: string): { parsed: ParsedRecord<unknown>[]; results: MapResult[] } {
  const m = mapper(source);
  const path = join(dir, source, file);
  const parsed = m.parse(readFileSync(path, 'utf8'), path);
  const results = parsed.flatMap((p) => (p.ok ? [m.map(p.raw, ctx())] : []));
  return { parsed, results };
}
const one = (source: string, file: string): MapResult => {
  const { results } = load(source, file);
  expect(results).toHaveLength(1);
  return results[0]!;
};
const codesAt = (r: MapResult, severity: 'error' | 'warning') =>
  r.issues.filter((i) => i.severity === severity).map((i) => `${i.code}@${i.national ?? ''}${i.recordKind ? `#${i.recordKind}` : ''}`);

type Expect = { ok: boolean; errors?: string[]; warnings?: string[] };

/** file → outcome. `errors`/`warnings` list `CODE@/national/pointer` that must be present. */
const QLDT: Record<string, Expect> = {
  'clean.jsonl': { ok: true },
  'future-receipt-date.jsonl': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/ngayNhanDon'] },
  'impossible-receipt-date-30-02.jsonl': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/ngayNhanDon'] },
  'receipt-date-garbage.jsonl': { ok: false, errors: ['SAI_DINH_DANG@/ngayNhanDon'] },
  'unknown-nguon-label.jsonl': { ok: false, errors: ['NHAN_KHONG_XAC_DINH@/nguonDon'] },
  'parent-linh-vuc-label.jsonl': { ok: false, errors: ['NHAN_KHONG_XAC_DINH@/linhVuc'] },
  'tham-nhung-label.jsonl': { ok: true },
  'thi-hanh-an-label.jsonl': { ok: true },
  'phan-anh-label.jsonl': { ok: true },
  'phone-unparseable.jsonl': { ok: true, warnings: ['SO_DIEN_THOAI_KHONG_HOP_LE@/nguoiDungDon/0/soDienThoai'] },
  'cmnd-9-digits.jsonl': { ok: true },
  'id-with-letters.jsonl': { ok: false, errors: ['DINH_DANH_KHONG_HOP_LE@/nguoiDungDon/0/soDinhDanh'] },
  'cccd-wrong-sex.jsonl': { ok: false, errors: ['DINH_DANH_KHONG_HOP_LE@/nguoiDungDon/0/soDinhDanh'] },
  'unknown-sex-label.jsonl': { ok: false, errors: ['NHAN_KHONG_XAC_DINH@/nguoiDungDon/0/gioiTinh'] },
  'address-missing.jsonl': { ok: false, errors: ['THIEU_TRUONG@/nguoiDungDon/0/diaChi'] },
  'anonymous-with-petitioner.jsonl': { ok: false, errors: ['KHONG_NHAT_QUAN@/nguoiDungDon'] },
  'handling-before-receipt.jsonl': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/xuLy/ngayXuLy'] },
  'resolution-without-thu-ly.jsonl': { ok: false, errors: ['KHONG_NHAT_QUAN@/xuLy/huong'] },
  'resolution-lan-3.jsonl': { ok: false, errors: ['SAI_DINH_DANG@/giaiQuyet/lan'] },
  'resolution-ends-before-thu-ly.jsonl': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/giaiQuyet/ngayKetThuc'] },
  'khong-du-without-reason.jsonl': { ok: false, errors: ['THIEU_TRUONG@/lyDoKhongDu'] },
  'khong-du-but-thu-ly.jsonl': { ok: false, errors: ['KHONG_NHAT_QUAN@/xuLy/huong'] },
  'six-petitioners-listed.jsonl': { ok: false, errors: ['QUA_DO_DAI@/nguoiDungDon'] },
  'so-nguoi-not-a-number.jsonl': { ok: false, errors: ['SAI_KIEU@/soNguoi'] },
  'dbqh-forwarded-without-body.jsonl': { ok: false, errors: ['KHONG_NHAT_QUAN@/coQuanChuyenDen'] },
  'transfer-to-itself.jsonl': { ok: false, errors: ['KHONG_NHAT_QUAN@/xuLy/maDonViNhan'] },
  'transfer-to-unknown-body.jsonl': { ok: false },
  'handling-label-unknown.jsonl': { ok: false, errors: ['NHAN_KHONG_XAC_DINH@/xuLy/huong'] },
  'summary-too-short.jsonl': { ok: false, errors: ['QUA_DO_DAI@/noiDungTomTat'] },
  'agency-code-malformed.jsonl': { ok: false, errors: ['SAI_DINH_DANG@/maDonVi'] },
  'no-local-id.jsonl': { ok: false, errors: ['THIEU_TRUONG@/maHoSoNguon'] },
  'version-zero.jsonl': { ok: false },
  'all-null.jsonl': { ok: false },
};

const PAKN: Record<string, Expect> = {
  'clean.json': { ok: true },
  'answered.json': { ok: true },
  'rejected-with-reason.json': { ok: true },
  'giao-thong-category.json': { ok: true },
  'anonymous-with-citizen.json': { ok: true },
  'answered-before-submitted.json': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/xuLy/ngayXuLy'] },
  'rejected-without-answer.json': { ok: false, errors: ['THIEU_TRUONG@/lyDoKhongDu', 'THIEU_TRUONG@/xuLy/ngayXuLy'] },
  'unknown-status.json': { ok: false, errors: ['NHAN_KHONG_XAC_DINH@/dieuKienXuLy'] },
  'citizen-null-not-anonymous.json': { ok: false, errors: ['KHONG_NHAT_QUAN@/nguoiDungDon'] },
  'submitted-without-offset.json': { ok: false },
  'submitted-in-future.json': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/ngayNhanDon'] },
  'category-missing.json': { ok: false, errors: ['THIEU_TRUONG@/linhVuc'] },
  'is-anonymous-string.json': { ok: false, errors: ['SAI_KIEU@/anDanh'] },
  'ward-of-another-province.json': { ok: false },
  'phone-unparseable.json': { ok: true, warnings: ['SO_DIEN_THOAI_KHONG_HOP_LE@/nguoiDungDon/0/soDienThoai'] },
  'address-null.json': { ok: false, errors: ['THIEU_TRUONG@/nguoiDungDon/0/diaChi'] },
};

const SO_TIEP: Record<string, Expect> = {
  'clean-thu-ly.csv': { ok: true, warnings: ['LINH_VUC_CHUA_PHAN_LOAI@/linhVuc#ho-so-don'] },
  'guidance-only.csv': { ok: true },
  'lf-no-bom.csv': { ok: true },
  'tra-lai-and-guided.csv': { ok: true },
  'transfer-with-slip-date.csv': { ok: true },
  'no-export-stamp.csv': { ok: false, errors: ['THIEU_PHIEN_BAN_XUAT@/phienBanNguon#luot-tiep', 'THIEU_PHIEN_BAN_XUAT@/phienBanNguon#ho-so-don'] },
  'two-handling-columns.csv': { ok: false, errors: ['XU_LY_MAU_THUAN@/ketQua/huong#luot-tiep', 'XU_LY_MAU_THUAN@/xuLy/huong#ho-so-don'] },
  'more-ids-than-citizens.csv': { ok: false, errors: ['CONG_DAN_KHONG_KHOP@/congDan#luot-tiep'] },
  'classification-without-count.csv': { ok: false, errors: ['THIEU_TRUONG@/soNguoi#luot-tiep'] },
  'classification-unknown.csv': { ok: false, errors: ['NHAN_KHONG_XAC_DINH@/phanLoai#luot-tiep', 'NHAN_KHONG_XAC_DINH@/loaiDon#ho-so-don'] },
  'transfer-slip-before-reception.csv': { ok: false, errors: ['NGAY_KHONG_HOP_LE@/xuLy/ngayXuLy#ho-so-don'] },
  'citizen-without-address.csv': { ok: false, errors: ['THIEU_TRUONG@/congDan/0/diaChi#luot-tiep'] },
};

function check(source: string, table: Record<string, Expect>) {
  const files = readdirSync(join(dir, source)).filter((f) => !f.startsWith('not-json') && !['unclosed-quote.csv', 'wrong-column-count.csv', 'array-of-strings.json'].includes(f));
  it('every fixture file has an expectation', () => {
    expect(files.sort()).toEqual(Object.keys(table).sort());
  });
  for (const [file, e] of Object.entries(table)) {
    it(`${source}/${file} → ${e.ok ? 'sent' : 'error'}${e.errors ? ' ' + e.errors.join(', ') : ''}`, () => {
      const r = one(source, file);
      expect(r.ok, JSON.stringify(r.issues.map((i) => `${i.code}@${i.national}`))).toBe(e.ok);
      if (!e.ok) expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
      if (e.ok) expect(codesAt(r, 'error')).toEqual([]);
      const norm = (l: string[], x: string) => (x.includes('#') ? l : l.map((c) => c.replace(/#.*$/, '')));
      for (const x of e.errors ?? []) expect(norm(codesAt(r, 'error'), x)).toContain(x);
      for (const x of e.warnings ?? []) expect(norm(codesAt(r, 'warning'), x)).toContain(x);
      if (e.ok && !e.warnings) expect(codesAt(r, 'warning').filter((w) => !w.startsWith('LINH_VUC_CHUA_PHAN_LOAI'))).toEqual([]);
    });
  }
}

describe('qldt fixtures', () => {
  check('qldt', QLDT);
  it('labels: Tham nhũng → TN.TN, Thi hành án → TP.THA, Phản ánh → KIEN_NGHI_PHAN_ANH; tố cáo is confidential', () => {
    const tn = hoSo(one('qldt', 'tham-nhung-label.jsonl'));
    expect(tn.linhVuc).toBe('TN.TN');
    expect(tn.loaiDon).toBe('TO_CAO');
    expect(tn.baoMatDanhTinh).toBe(true);
    expect(tn.doiTuongBiKNTC).toEqual({ loai: 'CA_NHAN', ten: 'Ông Trần Văn Bình, cán bộ địa chính xã' });
    expect(hoSo(one('qldt', 'thi-hanh-an-label.jsonl')).linhVuc).toBe('TP.THA');
    expect(hoSo(one('qldt', 'phan-anh-label.jsonl')).loaiDon).toBe('KIEN_NGHI_PHAN_ANH');
    expect(hoSo(one('qldt', 'clean.jsonl')).doiTuongBiKNTC?.loai).toBe('CO_QUAN_TO_CHUC');
  });
  it('an unparseable phone is left out (optional field), everything else is sent', () => {
    const b = hoSo(one('qldt', 'phone-unparseable.jsonl'));
    expect(b.nguoiDungDon[0]!.soDienThoai).toBeUndefined();
    expect(b.nguoiDungDon[0]!.soDinhDanh).toBe('012083004719');
  });
  it('a transfer to an unknown body names the closest codes only', () => {
    const r = one('qldt', 'transfer-to-unknown-body.jsonl');
    const e = r.issues.find((i) => i.national === '/xuLy/maDonViNhan')!;
    expect(['DON_VI_KHONG_XAC_DINH', 'DON_VI_MO_HO']).toContain(e.code);
    if (e.hint) expect(e.hint.replace(/^[^:]*:\s*/, '')).toMatch(/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}(, \d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})*$/);
  });
  it('an unreadable line is a parse failure with its line number, not a crash', () => {
    const { parsed } = load('qldt', 'not-json.jsonl');
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ ok: false, line: 1, issue: { code: 'KHONG_DOC_DUOC', severity: 'error' } });
  });
  it('identify reads id, version and agency without mapping; none for an unidentifiable record', () => {
    const m = mapper('qldt');
    const { parsed } = load('qldt', 'clean.jsonl');
    const raw = (parsed[0] as { raw: unknown }).raw;
    expect(m.identify(raw)).toEqual({ localId: 'FX25-000001', version: 1, agency: '000.00.00.H29' });
    expect(m.identify({ ...(raw as object), phien_ban: 0 })).toBeUndefined();
    expect(m.identify(null)).toBeUndefined();
  });
});

describe('pakn fixtures', () => {
  check('pakn', PAKN);
  it('answered → THU_LY on the answer date, DA_GIAI_QUYET / DA_TRA_LOI', () => {
    const b = hoSo(one('pakn', 'answered.json'));
    expect(b.xuLy).toEqual({ huong: 'THU_LY', ngayXuLy: '2025-08-10' });
    expect(b.giaiQuyet).toEqual({ trangThai: 'DA_GIAI_QUYET', ketQua: 'DA_TRA_LOI', ngayKetThuc: '2025-08-10' });
    expect(b.nguonDon).toBe('TRUC_TUYEN');
    expect(b.loaiDon).toBe('KIEN_NGHI_PHAN_ANH');
  });
  it('rejected → KHONG_DU_DIEU_KIEN, the answer as lyDoKhongDu, TRA_LAI', () => {
    const b = hoSo(one('pakn', 'rejected-with-reason.json'));
    expect(b.dieuKienXuLy).toBe('KHONG_DU_DIEU_KIEN');
    expect(b.lyDoKhongDu).toBe('Không thuộc thẩm quyền, đã hướng dẫn công dân.');
    expect(b.xuLy?.huong).toBe('TRA_LAI');
  });
  it('received → DU_DIEU_KIEN without xuLy; e-mail is never sent', () => {
    const b = hoSo(one('pakn', 'clean.json'));
    expect(b.dieuKienXuLy).toBe('DU_DIEU_KIEN');
    expect(b.xuLy).toBeUndefined();
    expect(JSON.stringify(b)).not.toContain('example.com');
    expect(b.linhVuc).toBe('KHAC.KHAC');
  });
  it('giao-thong → HC.DTXD (documented decision)', () => {
    expect(hoSo(one('pakn', 'giao-thong-category.json')).linhVuc).toBe('HC.DTXD');
  });
  it('an anonymous submission sends nothing of the citizen', () => {
    const b = hoSo(one('pakn', 'anonymous-with-citizen.json'));
    expect(b.anDanh).toBe(true);
    expect(b.nguoiDungDon).toEqual([]);
    expect(JSON.stringify(b)).not.toContain('Nông Thị Lan');
  });
  it('unreadable file / non-object items are parse failures', () => {
    expect(load('pakn', 'not-json.json').parsed[0]).toMatchObject({ ok: false, issue: { code: 'KHONG_DOC_DUOC' } });
    const { parsed } = load('pakn', 'array-of-strings.json');
    expect(parsed.map((p) => p.ok)).toEqual([false, false, false]);
  });
});

describe('so-tiep fixtures', () => {
  check('so-tiep', SO_TIEP);
  it('thụ lý → luot-tiep NHAN_DON linked to a ho-so-don THU_LY on the reception day', () => {
    const r = one('so-tiep', 'clean-thu-ly.csv');
    expect(luot(r).ketQua).toEqual({ huong: 'NHAN_DON', maHoSoNguon: 'FX25-0001' });
    expect(hoSo(r).xuLy).toEqual({ huong: 'THU_LY', ngayXuLy: '2025-01-08' });
    expect(hoSo(r).linhVuc).toBe('KHAC.KHAC');
    expect(r.version).toBe(20260331170000);
  });
  it('guidance only → one luot-tiep HUONG_DAN, no ho-so-don', () => {
    const r = one('so-tiep', 'guidance-only.csv');
    expect(r.records.map((x) => x.kind)).toEqual(['luot-tiep']);
    expect(luot(r).ketQua).toEqual({ huong: 'HUONG_DAN' });
  });
  it('trả lại và hướng dẫn → KHONG_DU_DIEU_KIEN + TRA_LAI with the follow-up text as reason', () => {
    const r = one('so-tiep', 'tra-lai-and-guided.csv');
    expect(hoSo(r)).toMatchObject({ dieuKienXuLy: 'KHONG_DU_DIEU_KIEN', lyDoKhongDu: 'Hướng dẫn gửi đơn đến UBND xã', xuLy: { huong: 'TRA_LAI' } });
    expect(luot(r).ketQua).toEqual({ huong: 'HUONG_DAN', maHoSoNguon: 'FX25-0001' });
  });
  it('a transfer slip gives the handling date and letter number', () => {
    const r = one('so-tiep', 'transfer-with-slip-date.csv');
    expect(hoSo(r).xuLy).toEqual({ huong: 'CHUYEN_DON', ngayXuLy: '2025-01-10', soVanBan: '52/PC-BTCD', maDonViNhan: '000.00.01.H34' });
  });
  it('no `# xuat-luc:` line: the version comes from the file name when it carries one', () => {
    const m = mapper('so-tiep');
    const text = readFileSync(join(dir, 'so-tiep', 'no-export-stamp.csv'), 'utf8');
    const p = m.parse(text, '/exports/so-tiep-kon-tum-20260401-083000.csv');
    expect(p[0]!.ok).toBe(true);
    const r = m.map((p[0] as { raw: unknown }).raw, ctx());
    expect(r.version).toBe(20260401083000);
    expect(r.ok).toBe(true);
  });
  it('a CSV with an unclosed quote is reported, not thrown', () => {
    const { parsed } = load('so-tiep', 'unclosed-quote.csv');
    expect(parsed.some((p) => !p.ok && p.issue.code === 'KHONG_DOC_DUOC')).toBe(true);
  });
  it('a row with the wrong number of cells is a parse failure of that row only, with its line', () => {
    const { parsed } = load('so-tiep', 'wrong-column-count.csv');
    expect(parsed.map((p) => p.ok)).toEqual([true, false]);
    expect(parsed[1]!.line).toBe(4);
  });
  it('a row re-exported unchanged has a higher version but the same content view', () => {
    const m = mapper('so-tiep');
    const text = readFileSync(join(dir, 'so-tiep', 'clean-thu-ly.csv'), 'utf8');
    const a = m.parse(text)[0] as { raw: unknown };
    const b = m.parse(text.replace('2026-03-31T17:00:00+07:00', '2026-04-30T17:00:00+07:00'))[0] as { raw: unknown };
    expect(m.identify(b.raw)!.version).toBeGreaterThan(m.identify(a.raw)!.version);
    expect(m.contentView!(b.raw)).toEqual(m.contentView!(a.raw));
    const c = m.parse(text.replace('Kiến nghị về việc', 'Kiến nghị lại về việc'))[0] as { raw: unknown };
    expect(m.contentView!(c.raw)).not.toEqual(m.contentView!(a.raw));
  });
  it('candidate body of a blocked row keeps what was converted', () => {
    const r = one('so-tiep', 'two-handling-columns.csv');
    expect(candidate(r, 'luot-tiep')).toMatchObject({ maLuotTiepNguon: 'FX25-0001', ngayTiep: '2025-01-08' });
  });
});
