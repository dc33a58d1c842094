import { describe, expect, it } from 'vitest';
import { eraOf, localDateOf, MERGER_DATE, parseLocalDate, todayLocal } from '../../src/vn/dates.js';
import { pakn1, qldt1, soTiep1 } from './samples.js';

const ok = (date: string) => ({ ok: true, date });

describe('parseLocalDate', () => {
  it('D1: day first', () => {
    expect(qldt1('LC25-000142').ngay_nhan).toBe('03/04/2025');
    expect(parseLocalDate(qldt1('LC25-000142').ngay_nhan)).toEqual(ok('2025-04-03'));
    expect(parseLocalDate(qldt1('LC25-000142').ngay_xu_ly)).toEqual(ok('2025-04-08'));
  });
  it('D2: d/m/yy → 20yy', () => {
    expect(parseLocalDate(qldt1('LC25-000007').ngay_nhan)).toEqual(ok('2025-01-05'));
    expect(parseLocalDate('9/1/25')).toEqual(ok('2025-01-09'));
  });
  it('D3: ISO unchanged', () => {
    expect(parseLocalDate(qldt1('LC25-000368').ngay_nhan)).toEqual(ok('2025-09-18'));
    expect(parseLocalDate('2025-09-25')).toEqual(ok('2025-09-25'));
  });
  it('other separators, spaces', () => {
    expect(parseLocalDate('03-04-2025')).toEqual(ok('2025-04-03'));
    expect(parseLocalDate(' 03.04.2025 ')).toEqual(ok('2025-04-03'));
    expect(parseLocalDate('29/02/2024')).toEqual(ok('2024-02-29'));
    expect(parseLocalDate('2025-9-8')).toEqual(ok('2025-09-08'));
  });
  it('D4: impossible dates are never rolled over', () => {
    const d4 = soTiep1('KT25-0021')['Ngày tiếp'];
    expect(d4).toBe('31/02/2025');
    expect(parseLocalDate(d4)).toMatchObject({ ok: false, code: 'NGAY_KHONG_HOP_LE' });
    for (const s of ['00/01/2025', '15/13/2025', '29/02/2025', '2025-02-30', '2025-13-01', '32/1/25', '1/0/25'])
      expect(parseLocalDate(s), s).toMatchObject({ ok: false, code: 'NGAY_KHONG_HOP_LE' });
  });
  it('D5: a future date parses (the caller compares with today)', () => {
    expect(parseLocalDate(qldt1('LC25-000398').ngay_nhan)).toEqual(ok('2052-10-07'));
  });
  it('garbage → SAI_DINH_DANG, never throws', () => {
    for (const s of ['', 'hôm qua', '2025-4', '2025/04/03', '03/04/2025/1', '3/4', '03-04.2025', '20250403', null, undefined, 45123, {}])
      expect(parseLocalDate(s), String(s)).toMatchObject({ ok: false, code: 'SAI_DINH_DANG' });
  });
  it('reasons are Vietnamese and do not echo the value', () => {
    const r = parseLocalDate('31/02/2025');
    expect(!r.ok && r.reason).toBeTruthy();
    expect(!r.ok && r.reason.includes('31')).toBe(false);
  });
});

describe('localDateOf', () => {
  it('D6: UTC evening of 30 June is 1 July in Vietnam', () => {
    expect(pakn1('LCI-2025-000451').submittedAt).toBe('2025-06-30T18:20:00Z');
    expect(localDateOf(pakn1('LCI-2025-000451').submittedAt)).toEqual(ok('2025-07-01'));
  });
  it('D7: +07:00 late evening stays on the same day', () => {
    expect(localDateOf(pakn1('LCI-2025-000446').submittedAt)).toEqual(ok('2025-06-30'));
  });
  it('other offsets, fractions, explicit target offset', () => {
    expect(localDateOf('2025-06-30T16:59:59.999Z')).toEqual(ok('2025-06-30'));
    expect(localDateOf('2025-06-30T17:00:00Z')).toEqual(ok('2025-07-01'));
    expect(localDateOf('2025-06-30T12:00:00-05:00')).toEqual(ok('2025-07-01'));
    expect(localDateOf('2025-06-30T18:20:00Z', 0)).toEqual(ok('2025-06-30'));
  });
  it('bad instants', () => {
    expect(localDateOf('2025-06-30')).toMatchObject({ ok: false, code: 'SAI_DINH_DANG' });
    expect(localDateOf('30/06/2025 10:00')).toMatchObject({ ok: false, code: 'SAI_DINH_DANG' });
    expect(localDateOf('2025-02-30T10:00:00Z')).toMatchObject({ ok: false, code: 'NGAY_KHONG_HOP_LE' });
    expect(localDateOf('2025-02-10T25:00:00Z')).toMatchObject({ ok: false, code: 'NGAY_KHONG_HOP_LE' });
    expect(localDateOf(undefined as unknown as string)).toMatchObject({ ok: false, code: 'SAI_DINH_DANG' });
  });
});

describe('todayLocal / eraOf', () => {
  it('today in Vietnam', () => {
    expect(todayLocal(new Date('2025-06-30T17:30:00Z'))).toBe('2025-07-01');
    expect(todayLocal(new Date('2025-06-30T16:30:00Z'))).toBe('2025-06-30');
    expect(todayLocal(new Date('2025-06-30T17:30:00Z'), 0)).toBe('2025-06-30');
  });
  it('era boundary', () => {
    expect(MERGER_DATE).toBe('2025-07-01');
    expect(eraOf('2025-06-30')).toBe('truoc-2025');
    expect(eraOf('2025-07-01')).toBe('hien-hanh');
    expect(eraOf('2024-01-01')).toBe('truoc-2025');
    expect(eraOf('2026-03-31')).toBe('hien-hanh');
  });
});
