/**
 * docs/linkage-lk1.md is the contract between connectors: these keys are re-derived from
 * the page with node:crypto directly (not through src/dedupe), for the page's test vector.
 */
import { describe, it, expect } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { computeLinkage } from '../../src/dedupe/features.js';
import { NO_LINKAGE, type HoSoDon } from '../../src/contract/schemas.js';

const SECRET = 'lk1-test-vector-secret';
const TEXT = 'Đề nghị bồi thường 1,2 ha đất nương bị thu hồi làm thủy điện năm 2023.';
const body: HoSoDon = {
  maDonVi: '000.00.00.H29', maHoSoNguon: 'VD-1', phienBanNguon: 1, ngayNhanDon: '2025-03-14', nguonDon: 'BUU_CHINH', loaiDon: 'KHIEU_NAI', linhVuc: 'HC.DD',
  noiDungTomTat: TEXT, anDanh: false, baoMatDanhTinh: false, soNguoi: 1,
  nguoiDungDon: [{ hoTen: 'Huỳnh Văn Toàn', namSinh: 1983, soDinhDanh: '012083004719', diaChi: { maTinh: '51', maXa: '23538' } }],
  doiTuongBiKNTC: { loai: 'CO_QUAN_TO_CHUC', ten: 'UBND huyện Sìn Hồ' }, dieuKienXuLy: 'DU_DIEU_KIEN', dacTrungLienKet: NO_LINKAGE,
};
const H = (label: string, value: string, n = 16) => createHmac('sha256', SECRET).update(`lk1|${label}|${value}`, 'utf8').digest('base64url').slice(0, n);

// §5 by hand for this text: boilerplate "de nghi" and the stop words "bi", "nam" removed.
const TOKENS = ['boi', 'thuong', '1', '2', 'ha', 'dat', 'nuong', 'thu', 'hoi', 'lam', 'thuy', 'dien', '2023'];
const SHINGLES = [...TOKENS, ...TOKENS.slice(1).map((t, i) => `${TOKENS[i]} ${t}`)];
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

describe('lk1 as written in docs/linkage-lk1.md', () => {
  const lk = computeLinkage(body, SECRET);
  it('id:, ten: (surname class, province), tg: (no middle name) and bi: keys', () => {
    expect(lk.khoa.slice(0, 4)).toEqual([
      `id:${H('id', '012083004719')}`,
      `ten:${H('ten', 'hoang van toan|51')}`,
      `tg:${H('tg', 'hoang toan|51')}`,
      `bi:${H('bi', 'ubnd huyen sin ho')}`,
    ]);
  });
  it('the MinHash bands', () => {
    const kmh = createHmac('sha256', SECRET).update('lk1|mh-key').digest('hex');
    const sig = new Array<number>(128).fill(0xffffffff);
    for (const s of SHINGLES) {
      const d = createHash('sha256').update(`${kmh}|${s}`, 'utf8').digest();
      const h1 = d.readUInt32BE(0);
      const h2 = (d.readUInt32BE(4) | 1) >>> 0;
      for (let i = 0; i < 128; i++) sig[i] = Math.min(sig[i]!, fmix32((h1 + ((i * h2) % 2 ** 32)) % 2 ** 32));
    }
    const band = (b: number) => {
      const buf = Buffer.alloc(12);
      for (let r = 0; r < 3; r++) buf.writeUInt32BE(sig[3 * b + r]!, 4 * r);
      return `mh:${b}:${buf.toString('base64url')}`;
    };
    const mh = lk.khoa.filter((k) => k.startsWith('mh:'));
    expect(mh).toEqual(Array.from({ length: 40 }, (_, b) => band(b)));
    expect(lk.khoa).toHaveLength(44);
  });
  it('dacTrung person hashes and numbers', () => {
    const d = lk.dacTrung as Record<string, unknown> & { ng: Record<string, unknown>[] };
    expect(d.ng[0]).toMatchObject({ ten: H('given', 'toan', 12), ho: H('sur', 'huynh', 12), hc: H('surc', 'hoang', 12), dem: H('mid', 'van', 12), t: H('tinh', '51', 12), x: H('xa', '51/23538', 12) });
    expect(d.ng[0]!.ns).toEqual(['1982', '1983', '1984'].map((y) => H('ns', y, 12)));
    expect(d.so).toEqual([H('so', '1,2', 8), H('so', '2023', 8)]);
    expect(d.bi).toBe(H('bif', 'ubnd huyen sin ho', 12));
  });
});
