import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanText, foldKey, normalizeTone } from '../../src/vn/text.js';
import { pakn1, qldtPerson, soTiepCitizen } from './samples.js';

describe('cleanText', () => {
  it('NFC, trims, collapses spaces and nothing else (T3)', () => {
    const name = qldtPerson('LC25-000311', 1).ho_ten as string;
    expect(name).toContain('  ');
    expect(cleanText(name)).toBe('Lường Văn Tuyển');
    expect(cleanText('  Đặng Minh Hoà ')).toBe('Đặng Minh Hoà'); // tone style kept
    expect(cleanText('nguyễn văn a')).toBe('nguyễn văn a'); // case kept
    expect(cleanText('Nguyeenx Thanh Tùng')).toBe('Nguyeenx Thanh Tùng'); // no guessed correction
  });
  it('turns NFD into NFC (T1)', () => {
    const c = pakn1('LCI-2025-000523').citizen;
    expect(c.fullName).not.toBe(c.fullName.normalize('NFC'));
    expect(cleanText(c.fullName)).toBe('Đoàn Bích Ngọc');
    expect(cleanText(c.address.street)).toBe(c.address.street.normalize('NFC').trim());
  });
  it('removes control characters; tabs/newlines become spaces unless multiline', () => {
    expect(cleanText('a\u0000b\u0007c\u007f\u0085d')).toBe('abc d');
    expect(cleanText('Bản\tNà\r\nBan')).toBe('Bản Nà Ban');
    expect(cleanText('\uFEFFx')).toBe('x');
    expect(cleanText('dòng 1  \r\n  dòng\t\t2\u0001\n', { multiline: true })).toBe('dòng 1 \n dòng 2');
    expect(cleanText(' a\r\rb\n\n\nc ', { multiline: true })).toBe('a\n\nb\n\n\nc'); // blank lines kept
    expect(cleanText('a\u00A0\u00A0b')).toBe('a b');
  });
  it('never throws on non-strings', () => {
    expect(cleanText(undefined as unknown as string)).toBe('');
    expect(cleanText(42 as unknown as string)).toBe('');
  });
});

describe('normalizeTone', () => {
  it.each([
    ['hoà', 'hòa'],
    ['thuỷ', 'thủy'],
    ['khoẻ', 'khỏe'],
    ['Thuý', 'Thúy'],
    ['Tuỵ', 'Tụy'],
    ['Đặng Minh Hoà', 'Đặng Minh Hòa'],
    ['Lò Thanh Thuỷ', 'Lò Thanh Thủy'],
    ['HOÀ BÌNH', 'HÒA BÌNH'],
    ['Khoẻ', 'Khỏe'],
    ['hoà'.normalize('NFD'), 'hòa'],
  ])('%s → %s', (a, b) => {
    expect(normalizeTone(a)).toBe(b);
  });
  it.each(['Hoàng', 'Huỳnh', 'quý', 'Quỳnh', 'ngoài', 'khuỷu', 'mùa', 'giữ', 'gì', 'thuở', 'lựa', 'hươu', 'Nguyễn', 'Tuyển', 'toán', 'Thủy', 'Hòa', 'Sa Thầy', "Ia H' Drai"])(
    '%s unchanged',
    (w) => {
      expect(normalizeTone(w)).toBe(w);
    },
  );
});

describe('foldKey', () => {
  it('T4: Telex leftover folds like the accented name', () => {
    const typed = soTiepCitizen('KT25-0016').name;
    expect(typed).toBe('Nguyeenx Thanh Tùng');
    expect(foldKey(typed)).toBe(foldKey('Nguyễn Thanh Tùng'));
    expect(foldKey(typed)).toBe('nguyen thanh tung');
  });
  it('T2: tone placement does not matter', () => {
    const thuy = qldtPerson('LC25-000231').ho_ten as string;
    const thuy2 = pakn1('LCI-2025-000341').citizen.fullName as string;
    expect(thuy).not.toBe(thuy2);
    expect(foldKey(thuy)).toBe(foldKey(thuy2));
    expect(foldKey(qldtPerson('LC25-000031').ho_ten as string)).toBe(foldKey('Đặng Minh Hòa'));
  });
  it('T3/T5: spaces and missing diacritics', () => {
    expect(foldKey(qldtPerson('LC25-000311', 1).ho_ten as string)).toBe(foldKey('Lường Văn Tuyển'));
    expect(foldKey('Sung Van Toan')).toBe(foldKey('Sùng Văn Toàn'));
    expect(foldKey('Tran Minh Duc')).toBe(foldKey('Trần Minh Đức'));
    expect(foldKey('Lo Van Minh')).toBe(foldKey('Lò Văn Minh'));
    expect(foldKey(soTiepCitizen('KT25-0041').name)).toBe(foldKey('Sùng Văn Toàn'));
  });
  it('NFD input folds like NFC', () => {
    expect(foldKey(pakn1('LCI-2025-000523').citizen.fullName)).toBe('doan bich ngoc');
  });
  it('đ → d, lower case, single spaces', () => {
    expect(foldKey('  ĐẶNG   đức ')).toBe('dang duc');
  });
  it('decodes Telex and VNI leftovers only where they are clear', () => {
    expect(foldKey('Traanf Minh DDuwcs')).toBe('tran minh duc');
    expect(foldKey('Nguye6n4 Va8n')).toBe('nguyen van');
    expect(foldKey('Thuwowng')).toBe('thuong');
    expect(foldKey('DDoong')).toBe('dong');
  });
  it.each([
    ['Tuyển', 'tuyen'],
    ['Minh', 'minh'],
    ['Hoàng', 'hoang'],
    ['Huỳnh', 'huynh'],
    ['Sa Thầy', 'sa thay'],
    ['Bưu điện', 'buu dien'],
    ['Quý', 'quy'],
    ['Gia', 'gia'],
    ['Toan', 'toan'],
    ['Lan', 'lan'],
    ['Anh', 'anh'],
    ['Hoa', 'hoa'],
    ['Sung', 'sung'],
    ['Xoong', 'xoong'],
    ['Ho Moong', 'ho moong'],
    ['Thôn 2', 'thon 2'],
    ['Q1', 'q1'],
    ['Wơk', 'wok'],
  ])('does not damage %s', (w, k) => {
    expect(foldKey(w)).toBe(k);
  });
});

describe('properties', () => {
  const vn = fc.stringMatching(/^[a-zA-ZàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁÂÔƠƯÊỦỶ'.,\t\n0-9 ]{0,30}$/);
  const stripAll = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');
  it('cleanText is idempotent and leaves no control characters or double spaces', () => {
    fc.assert(
      fc.property(fc.oneof(vn, fc.string()), (s) => {
        const c = cleanText(s);
        expect(cleanText(c)).toBe(c);
        expect(c).not.toMatch(/[\u0000-\u001F\u007F-\u009F]|  |^ | $/);
        expect(c).toBe(c.normalize('NFC'));
      }),
      { numRuns: 500 },
    );
  });
  it('normalizeTone only moves tone marks, and is idempotent', () => {
    fc.assert(
      fc.property(vn, (s) => {
        const t = normalizeTone(s);
        expect(normalizeTone(t)).toBe(t);
        expect(stripAll(t)).toBe(stripAll(s));
        expect(t.normalize('NFD').replace(/[^\u0300\u0301\u0303\u0309\u0323]/g, '').length).toBe(
          s.normalize('NFD').replace(/[^\u0300\u0301\u0303\u0309\u0323]/g, '').length,
        );
      }),
      { numRuns: 1000 },
    );
  });
  it('foldKey ignores tone style and normalisation form', () => {
    fc.assert(
      fc.property(vn, (s) => {
        expect(foldKey(normalizeTone(s))).toBe(foldKey(s));
        expect(foldKey(s.normalize('NFD'))).toBe(foldKey(s));
        expect(foldKey(s)).not.toMatch(/\p{M}|đ|Đ|[A-Z]|  /u);
      }),
      { numRuns: 1000 },
    );
  });
});
