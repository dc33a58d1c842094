/**
 * CatalogueStore: Redis cache + ETag refresh (real Redis under a unique prefix, national side mocked with nock).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { Redis } from 'ioredis';
import { CATALOGUE_NAMES, V1_CATALOGUES, type Catalogue, type CatalogueName } from '../../src/contract/schemas.js';
import { CatalogueStore } from '../../src/national/catalogue-store.js';
import type { NationalClient } from '../../src/national/client.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { HOST, mockToken, silent, sleep, testClient } from './helpers.js';

const prefix = uniquePrefix('natcat');
let redis: Redis;
let clients: NationalClient[] = [];
const client = () => {
  const c = testClient();
  clients.push(c);
  return c;
};

function catalogueOf(name: CatalogueName, version = '1'): Catalogue {
  const small = (V1_CATALOGUES as Record<string, readonly (readonly string[])[]>)[name];
  if (small) return { ten: name, phienBan: version, muc: small.map(([ma, ten, maCha]) => ({ ma: ma!, ten: ten!, ...(maCha ? { maCha } : {}), conHieuLuc: true })) };
  return { ten: name, phienBan: version, muc: [{ ma: `${name}-1`, ten: `Mục ${name}`, conHieuLuc: true }] };
}

/** Serve every catalogue; `etagOf(name)` is the current ETag; records If-None-Match per request. */
function serveCatalogues(etagOf: (n: string) => string, bodyOf: (n: CatalogueName) => Catalogue, times: number) {
  const log: { name: string; inm?: string; status: number }[] = [];
  nock(HOST)
    .get(/\/api\/v1\/danh-muc\/[a-z0-9-]+$/)
    .times(times)
    .reply(function (uri) {
      const name = uri.split('/').pop()!;
      const inm = this.req.headers['if-none-match'];
      const tag = etagOf(name);
      const status = inm === tag ? 304 : 200;
      log.push({ name, ...(inm ? { inm } : {}), status });
      return status === 304 ? [304, ''] : [200, bodyOf(name as CatalogueName), { ETag: tag }];
    });
  return log;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  redis = new Redis(REDIS_URL);
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  nock.cleanAll();
});
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
  nock.enableNetConnect();
});

describe('CatalogueStore', () => {
  const p = `${prefix}:a`;

  it('load() with an empty cache fetches every catalogue once and stores JSON + ETag in Redis', async () => {
    mockToken();
    const log = serveCatalogues((n) => `"${n}-v1"`, (n) => catalogueOf(n), CATALOGUE_NAMES.length);
    const store = new CatalogueStore(client(), redis, p, { logger: silent });
    const cat = await store.load();
    expect(log.map((l) => l.name).sort()).toEqual([...CATALOGUE_NAMES].sort());
    expect(log.every((l) => l.status === 200 && l.inm === undefined)).toBe(true);
    expect(cat.byCode('loai-don', 'TO_CAO')?.ten).toBe('Tố cáo');
    expect(cat.byCode('linh-vuc', 'HC.DD')?.maCha).toBe('HC');
    expect(cat.get('xa')).toHaveLength(1);
    const h = await redis.hgetall(`${p}:cat:nguon-don`);
    expect(h.etag).toBe('"nguon-don-v1"');
    expect(JSON.parse(h.body!)).toEqual(catalogueOf('nguon-don'));
    expect(h.fetchedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('a second store (another process) loads from Redis without any HTTP call', async () => {
    // no interceptors: any HTTP call would fail with a nock "no match" / net connect error
    const store = new CatalogueStore(client(), redis, p, { logger: silent });
    const cat = await store.load();
    expect(cat.byCode('ket-qua', 'DUNG_MOT_PHAN')?.ten).toBe('Đúng một phần');
    expect(store.entry('tinh')?.etag).toBe('"tinh-v1"');
  });

  it('refresh() sends the stored ETags; 304 keeps the cache, 200 replaces it and the live view follows', async () => {
    mockToken();
    const newLoaiDon: Catalogue = { ...catalogueOf('loai-don', '2'), muc: [...catalogueOf('loai-don').muc, { ma: 'MOI', ten: 'Loại mới', conHieuLuc: true }] };
    const log = serveCatalogues((n) => (n === 'loai-don' ? '"loai-don-v2"' : `"${n}-v1"`), (n) => (n === 'loai-don' ? newLoaiDon : catalogueOf(n)), CATALOGUE_NAMES.length);
    const store = new CatalogueStore(client(), redis, p, { logger: silent });
    const cat = await store.load(); // from Redis
    expect(cat.byCode('loai-don', 'MOI')).toBeUndefined();
    const r = await store.refresh();
    expect(r.changed).toEqual(['loai-don']);
    expect(r.unchanged.sort()).toEqual(CATALOGUE_NAMES.filter((n) => n !== 'loai-don').sort());
    expect(r.failed).toEqual([]);
    expect(log).toHaveLength(CATALOGUE_NAMES.length);
    for (const l of log) expect(l.inm).toBe(`"${l.name}-v1"`);
    expect(cat.byCode('loai-don', 'MOI')?.ten).toBe('Loại mới'); // same object, new data
    const h = await redis.hgetall(`${p}:cat:loai-don`);
    expect(h.etag).toBe('"loai-don-v2"');
    expect(JSON.parse(h.body!).phienBan).toBe('2');
  });

  it('a failing refresh keeps the cached catalogues and reports the failure', async () => {
    mockToken();
    nock(HOST).get(/\/api\/v1\/danh-muc\//).times(CATALOGUE_NAMES.length * 5).reply(404, { ma: 'KHONG_TIM_THAY', thongDiep: 'x' });
    const store = new CatalogueStore(client(), redis, p, { logger: silent, names: ['loai-don', 'tinh'] });
    const cat = await store.load();
    const r = await store.refresh();
    expect([...r.failed].sort((a, b) => a.name.localeCompare(b.name))).toEqual([{ name: 'loai-don', code: 'KHONG_TIM_THAY' }, { name: 'tinh', code: 'KHONG_TIM_THAY' }]);
    expect(r.changed).toEqual([]);
    expect(cat.byCode('loai-don', 'MOI')?.ten).toBe('Loại mới');
  });

  it('startSchedule(ms) refreshes periodically until stop()', async () => {
    mockToken();
    const log = serveCatalogues((n) => `"${n}-v1"`, (n) => catalogueOf(n), 50);
    const store = new CatalogueStore(client(), redis, `${prefix}:b`, { logger: silent, names: ['tinh'] });
    await store.load();
    expect(log).toHaveLength(1);
    store.startSchedule(60);
    await sleep(230);
    store.stop();
    const n = log.length;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(log.slice(1).every((l) => l.status === 304)).toBe(true);
    await sleep(150);
    expect(log.length).toBeLessThanOrEqual(n + 1); // at most one refresh that was already in flight
  });

  it('current() before load() throws', () => {
    const store = new CatalogueStore(client(), redis, `${prefix}:c`, { logger: silent });
    expect(() => store.current()).toThrow(/load/);
  });
});
