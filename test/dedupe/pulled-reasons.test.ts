/**
 * A link pulled from the national side may carry another connector's free-text lyDo. We cannot
 * vouch for it (it might name a người tố cáo), so officers never see it: the stored reasons say
 * who linked, at what level and score.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { pullLinks, type DedupePort } from '../../src/dedupe/processor.js';
import { DedupeStore, pairIdOf } from '../../src/dedupe/store.js';
import { listPairViews } from '../../src/dedupe/view.js';
import type { LienKet } from '../../src/contract/schemas.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('ddpull');
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

const SECRET_NAME = 'Lò Thị Bí Mật';
const link: LienKet = {
  maLienKet: 'LK-1', maHoSo: 'HS-A', maHoSoKhac: 'HS-B', maDonVi: '000.00.00.H29', maDonViKhac: '000.00.00.H37',
  mucDo: 'TRUNG', diem: 0.997, taoBoi: 'connector-lao-cai', trangThai: 'HIEU_LUC', capNhatLuc: '2026-11-30T01:02:03.000Z',
  lyDo: `Người tố cáo ${SECRET_NAME}, CCCD 012190001234, cùng nội dung`,
};
const client: DedupePort = {
  timTrung: async () => ({ ungVien: [], conNua: false }),
  link: async () => link,
  unlink: async () => undefined,
  async *listLinks() { yield link; },
};

describe('pulled links', () => {
  it("store and show who linked and how strongly, never the other connector's text", async () => {
    const store = new DedupeStore(redis, prefix);
    const r = await pullLinks('000.00.00.H29', { client, store, secret: 's' });
    expect(r.added).toBe(1);
    const pair = await store.getPair(pairIdOf('HS-A', 'HS-B'));
    expect(pair?.reasons.join(' ')).toContain('connector-lao-cai');
    expect(pair?.reasons.join(' ')).toContain('0.997');
    const everything = JSON.stringify([pair, await listPairViews(store, { role: 'can-bo-to-cao' })]);
    expect(everything).not.toContain(SECRET_NAME);
    expect(everything).not.toContain('012190001234');
  });
});
