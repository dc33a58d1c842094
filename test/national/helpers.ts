import nock from 'nock';
import { pino } from 'pino';
import { createNationalClient, type NationalClient, type NationalClientOptions } from '../../src/national/client.js';
import type { HoSoDon, LuotTiep } from '../../src/contract/schemas.js';

export const HOST = 'http://national.test';
export const BASE = `${HOST}/api/v1`;

export const silent = pino({ level: 'silent' });

/** A client with small delays so the suite stays fast. */
export function testClient(over: Partial<NationalClientOptions> = {}): NationalClient {
  return createNationalClient({
    baseUrl: BASE,
    clientId: 'cid',
    clientSecret: 'csecret',
    timeoutMs: 2000,
    rateLimitRps: 1000,
    rateBurst: 1000,
    maxInFlight: 8,
    retries: 4,
    retryMinMs: 10,
    retryMaxMs: 50,
    logger: silent,
    ...over,
  });
}

/** Token endpoint answering `times` times with tokens tok-1, tok-2, … */
export function mockToken(times = 1, ttl = 3600): { calls: () => number } {
  let n = 0;
  nock(HOST)
    .post('/api/v1/oauth/token', (b: Record<string, string>) => b.grant_type === 'client_credentials' && b.client_id === 'cid' && b.client_secret === 'csecret')
    .times(times)
    .reply(() => {
      n++;
      return [200, { access_token: `tok-${n}`, token_type: 'Bearer', expires_in: ttl }];
    });
  return { calls: () => n };
}

export function hoSo(over: Partial<HoSoDon> = {}): HoSoDon {
  return {
    maDonVi: '001.00.00.H01',
    maHoSoNguon: 'HS-0001',
    phienBanNguon: 1,
    ngayNhanDon: '2025-08-01',
    nguonDon: 'TRUC_TIEP',
    loaiDon: 'KIEN_NGHI_PHAN_ANH',
    linhVuc: 'HC.DD',
    noiDungTomTat: 'Kiến nghị về việc cấp giấy chứng nhận',
    anDanh: true,
    baoMatDanhTinh: false,
    soNguoi: 1,
    nguoiDungDon: [],
    dieuKienXuLy: 'DU_DIEU_KIEN',
    dacTrungLienKet: { thuatToan: 'none', khoa: [], dacTrung: {} },
    ...over,
  };
}

export function luotTiep(over: Partial<LuotTiep> = {}): LuotTiep {
  return {
    maDonVi: '001.00.00.H01',
    maLuotTiepNguon: 'LT-0001',
    phienBanNguon: 1,
    ngayTiep: '2025-08-01',
    hinhThuc: 'TRUC_TIEP',
    congDan: [{ hoTen: 'Nguyễn Văn A', diaChi: { maTinh: '01' } }],
    soNguoi: 1,
    noiDung: 'Công dân đến trình bày kiến nghị',
    phanLoai: 'KIEN_NGHI_PHAN_ANH',
    ketQua: { huong: 'HUONG_DAN' },
    ...over,
  } as LuotTiep;
}

export const created = (id = 'HS-NAT-1', v = 1) => ({ maHoSo: id, phienBanNguon: v, bamNoiDung: 'a'.repeat(64), capNhatLuc: '2025-08-01T01:02:03.000Z' });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
