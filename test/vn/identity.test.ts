import { describe, expect, it } from 'vitest';
import { checkCccd, classifyIdNumber, normalizePhone, OLD_PROVINCE_CODES } from '../../src/vn/identity.js';
import { loadReferenceData } from '../../src/reference/dvhc.js';
import { pakn1, qldtPerson, soTiep1 } from './samples.js';

describe('classifyIdNumber', () => {
  it('12 digits → CCCD, 9 → CMND (I1, I3)', () => {
    expect(classifyIdNumber(qldtPerson('LC25-000118').cmnd_cccd)).toEqual({ kind: 'CCCD', value: '012083004719' });
    expect(classifyIdNumber(soTiep1('KT25-0041')['CMND/Hộ chiếu của công dân'])).toEqual({ kind: 'CMND', value: '040512387' });
    expect(classifyIdNumber(pakn1('LCI-2025-000419').citizen.idNumber)).toEqual({ kind: 'CMND', value: '151276903' });
    expect(classifyIdNumber(' 012 083 004 719 ')).toEqual({ kind: 'CCCD', value: '012083004719' });
  });
  it('I4: 11 digits is invalid and never padded', () => {
    const r = classifyIdNumber(soTiep1('KT25-0059')['CMND/Hộ chiếu của công dân']);
    expect(r.kind).toBe('INVALID');
    expect(r.kind === 'INVALID' && r.reason).not.toContain('62086001457');
  });
  it('anything else is invalid', () => {
    for (const s of ['', '   ', '01208300471X', '012-083-004719', '0120830047190', '12345678', null, undefined, {}, 1.5, -1])
      expect(classifyIdNumber(s).kind, String(s)).toBe('INVALID');
  });
});

describe('checkCccd', () => {
  it('the 63 old province codes are the reference data ones', () => {
    const codes = loadReferenceData().unitsBefore.provinces.map((p) => p.code).sort();
    expect([...OLD_PROVINCE_CODES].sort()).toEqual(codes);
  });
  it('I1: 012083004719, 1983, Nam', () => {
    expect(checkCccd('012083004719', { namSinh: 1983, gioiTinh: 'NAM' })).toEqual({ ok: true });
    const p = qldtPerson('LC25-000118');
    expect(p.nam_sinh).toBe(1983);
    expect(checkCccd(p.cmnd_cccd, { namSinh: p.nam_sinh, gioiTinh: 'NAM' })).toEqual({ ok: true });
  });
  it('I2: year digits disagree with namSinh', () => {
    const p = qldtPerson('LC25-000248');
    expect(p.cmnd_cccd).toBe('036188002415');
    const r = checkCccd(p.cmnd_cccd, { namSinh: p.nam_sinh });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).not.toContain('1986');
    expect(checkCccd('036188002415', { namSinh: 1988, gioiTinh: 'NU' })).toEqual({ ok: true });
  });
  it('sex and century digit', () => {
    expect(checkCccd('036188002415', { gioiTinh: 'NAM' }).ok).toBe(false);
    expect(checkCccd('062205001111', { namSinh: 2005, gioiTinh: 'NAM' })).toEqual({ ok: true });
    expect(checkCccd('062305001111', { namSinh: 2005, gioiTinh: 'NU' })).toEqual({ ok: true });
    expect(checkCccd('062205001111', { namSinh: 1905 }).ok).toBe(false);
    expect(checkCccd('062405001111', {}).ok).toBe(false);
  });
  it('province prefix must be 0 + an old province code', () => {
    expect(checkCccd('003083004719', {}).ok).toBe(false); // 03 was never a province code
    expect(checkCccd('112083004719', {}).ok).toBe(false);
    expect(checkCccd('099083004719', {}).ok).toBe(false);
    expect(checkCccd('096083004719', {})).toEqual({ ok: true });
    expect(checkCccd('01208300471', {}).ok).toBe(false);
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+84 912 345 678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['84912345678', '0912345678'],
    ['0912 345 678', '0912345678'],
    ['(+84) 912-345-678', '0912345678'],
    ['+84 0912 345 678', '0912345678'],
    ['0084912345678', '0912345678'],
  ])('%s → %s', (a, b) => {
    expect(normalizePhone(a)).toEqual({ ok: true, value: b });
  });
  it('I5: sample phones', () => {
    expect(normalizePhone(pakn1('LCI-2025-000341').citizen.phone)).toEqual({ ok: true, value: '0912345678' });
    expect(normalizePhone(qldtPerson('LC25-000007').dien_thoai)).toEqual({ ok: true, value: '0912884301' });
    expect(normalizePhone(pakn1('LCI-2025-000433').citizen.phone)).toEqual({ ok: true, value: '0356201874' });
    expect(normalizePhone(pakn1('LCI-2025-000497').citizen.phone)).toEqual({ ok: true, value: '0983472615' });
  });
  it('rejects what is not ^0\\d{9}$', () => {
    for (const s of ['', '912345678', '091234567', '09123456789', '+1 212 555 0100', '0912345678 / 0987654321', 'không có', '02033 123 456', null, undefined])
      expect(normalizePhone(s).ok, String(s)).toBe(false);
    const r = normalizePhone('0912abc');
    expect(!r.ok && r.reason).not.toContain('0912');
  });
});
