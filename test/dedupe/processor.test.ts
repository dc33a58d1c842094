/**
 * The dedupe path against the real national simulator over HTTP and the real Redis:
 * agency A (Lai Châu connector) sends a đơn, agency B (Lào Cai connector) later sends the
 * same đơn; B's processor links it, A learns of the link by pulling links. Then a tố cáo
 * sent by both: no name, ID or address of the người tố cáo in any log line, stored value
 * or route answer for a role that may not see it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import Fastify, { type FastifyInstance } from 'fastify';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../helpers/redis.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { createNationalClient, type NationalClient } from '../../src/national/client.js';
import { createLogger, setRootLogger, logger } from '../../src/log/logger.js';
import { computeLinkage } from '../../src/dedupe/features.js';
import { DedupeStore, pairIdOf } from '../../src/dedupe/store.js';
import { processDedupe, pullLinks, rejectPair, confirmPair, sweepDedupe, scheduleDedupe } from '../../src/dedupe/processor.js';
import { dedupeRoutes } from '../../src/dedupe/routes.js';
import { hashKey } from '../../src/ingest/keys.js';
import type { HoSoDon } from '../../src/contract/schemas.js';
import { sampleHoSoDon } from './sample-records.js';

const SECRET = 'shared-national-linkage-secret';
const A = { id: 'connector-lai-chau', secret: 'sa', agencies: ['000.00.00.H29', '000.00.01.H29', '000.00.09.H29'] };
const B = { id: 'connector-lao-cai', secret: 'sb', agencies: ['000.00.00.H37', '000.00.09.H37', '000.00.11.H37'] };
const ADMIN = 'test-admin-token';
const TO_CAO_TOKEN = 'test-officer-to-cao-token-0123456789';
const OFFICERS = [{ id: 'canbo-tc-02', hash: hashKey(TO_CAO_TOKEN), role: 'can-bo-to-cao' as const, agencies: ['000.00.01.H29'] }];

const lines: string[] = [];
const capture = new Writable({
  write(chunk, _enc, cb) {
    lines.push(String(chunk));
    cb();
  },
});

let sim: RunningSimulator;
let clientA: NationalClient;
let clientB: NationalClient;
const prefixA = uniquePrefix('ddA');
const prefixB = uniquePrefix('ddB');
const prefixC = uniquePrefix('ddC');
let redis: Redis;
let storeA: DedupeStore;
let storeB: DedupeStore;
let app: FastifyInstance;
const samples = sampleHoSoDon();

function client(c: { id: string; secret: string }): NationalClient {
  return createNationalClient({
    baseUrl: sim.baseUrl, clientId: c.id, clientSecret: c.secret, timeoutMs: 5000, rateLimitRps: 1000, rateBurst: 1000, maxInFlight: 8,
    retries: 2, retryMinMs: 5, retryMaxMs: 50, logger: logger().child({ component: 'national' }),
  });
}
async function send(c: NationalClient, body: HoSoDon): Promise<string> {
  const withLk = { ...body, dacTrungLienKet: computeLinkage(body, SECRET) };
  return (await c.write('ho-so-don', 'create', withLk)).nationalId;
}

beforeAll(async () => {
  setRootLogger(createLogger({ level: 'debug' }, capture));
  sim = await startSimulator({ host: '127.0.0.1', port: 0, quiet: true, limits: { enabled: false }, clients: [A, B] });
  clientA = client(A);
  clientB = client(B);
  redis = new Redis(REDIS_URL);
  storeA = new DedupeStore(redis, prefixA);
  storeB = new DedupeStore(redis, prefixB);
});

afterAll(async () => {
  await app?.close();
  await clientA?.close();
  await clientB?.close();
  await sim?.close();
  redis?.disconnect();
  await dropPrefix(prefixA);
  await dropPrefix(prefixB);
  await dropPrefix(prefixC);
});

const ids: Record<string, string> = {};

describe('A sends, B sends the same đơn later', () => {
  it("A's processor finds nothing yet", async () => {
    ids.a = await send(clientA, samples.get('LC25-000231')!.body);
    const r = await processDedupe({ maHoSo: ids.a, ref: { source: 'qldt', agency: '000.00.00.H29', localId: 'LC25-000231' } }, { client: clientA, store: storeA, secret: SECRET });
    expect(r.candidates).toBe(0);
  });

  it("B's processor finds A's record through the keys and links it nationally with reasons", async () => {
    ids.b = await send(clientB, samples.get('LCI-2025-000341')!.body);
    const r = await processDedupe({ maHoSo: ids.b, ref: { source: 'pakn', agency: '000.00.00.H37', localId: 'LCI-2025-000341' } }, { client: clientB, store: storeB, secret: SECRET });
    expect(r.candidates).toBeGreaterThanOrEqual(1);
    expect(r.trung + r.nghiTrung).toBe(1);
    const p = await storeB.getPair(pairIdOf(ids.a!, ids.b!));
    expect(p?.maLienKet).toBeTruthy();
    expect(p?.reasons.some((x) => x.startsWith('Họ tên trùng khớp'))).toBe(true);
    expect(await storeB.clusterOf(ids.a!)).toBe(await storeB.clusterOf(ids.b!));
  });

  it('re-running the job changes nothing (idempotent)', async () => {
    const r = await processDedupe({ maHoSo: ids.b! }, { client: clientB, store: storeB, secret: SECRET });
    expect(r.trung + r.nghiTrung).toBe(0);
    expect(r.unchanged).toBeGreaterThanOrEqual(1);
  });

  it('A learns of the link by pulling links, and a repeated pull adds nothing', async () => {
    const r = await pullLinks('000.00.00.H29', { client: clientA, store: storeA, secret: SECRET });
    expect(r.added).toBe(1);
    const p = await storeA.getPair(pairIdOf(ids.a!, ids.b!));
    expect(p?.origin).toBe('national');
    expect(p?.taoBoi).toBe(B.id);
    expect((await storeA.getRecord(ids.a!))?.localId).toBe('LC25-000231');
    const again = await pullLinks('000.00.00.H29', { client: clientA, store: storeA, secret: SECRET });
    expect(again.added).toBe(0);
  });

  it("an officer at A rejects the pair: the national link is removed, B sees the removal", async () => {
    const pairId = pairIdOf(ids.a!, ids.b!);
    const rec = await rejectPair(pairId, 'canbo-lc-01', { client: clientA, store: storeA, secret: SECRET });
    expect(rec.status).toBe('rejected');
    expect(rec.by).toBe('canbo-lc-01');
    expect(await storeA.clusterOf(ids.a!)).toBeUndefined();
    const r = await pullLinks('000.00.00.H37', { client: clientB, store: storeB, secret: SECRET });
    expect(r.removed).toBe(1);
    expect((await storeB.getPair(pairId))?.status).toBe('removed');
    // the rejection stands at A: its own sweep does not re-link the pair
    await sweepDedupe({ client: clientA, store: storeA, secret: SECRET });
    expect((await storeA.getPair(pairId))?.status).toBe('rejected');
  });
});

describe('tố cáo: identities stay hidden', () => {
  const toCao = samples.get('LC25-000058')!.body;
  const person = toCao.nguoiDungDon[0]!;
  const secrets = [person.hoTen, person.soDinhDanh!, person.diaChi.chiTiet!, person.soDienThoai!, 'Giàng', 'Hậu', 'Giang Van Hau'];

  it('B links its copy of the tố cáo to A’s', async () => {
    ids.tcA = await send(clientA, toCao);
    const copy: HoSoDon = {
      ...toCao,
      maDonVi: '000.00.00.H37',
      maHoSoNguon: 'LCI-TC-0001',
      phienBanNguon: 1,
      ngayNhanDon: '2025-02-20',
      nguonDon: 'CQ_CHUYEN',
      coQuanChuyenDen: { ten: 'Thanh tra tỉnh Lai Châu', maDonVi: '000.00.01.H29' },
      xuLy: undefined,
      giaiQuyet: undefined,
      nguoiDungDon: [{ ...person, hoTen: 'Giang Van Hau' }],
    };
    delete copy.xuLy;
    delete copy.giaiQuyet;
    ids.tcB = await send(clientB, copy);
    await processDedupe({ maHoSo: ids.tcA, ref: { source: 'qldt', agency: '000.00.01.H29', localId: 'LC25-000058' } }, { client: clientA, store: storeA, secret: SECRET });
    const r = await processDedupe({ maHoSo: ids.tcB, ref: { source: 'pakn', agency: '000.00.00.H37', localId: 'LCI-TC-0001' } }, { client: clientB, store: storeB, secret: SECRET });
    expect(r.trung + r.nghiTrung).toBe(1);
    await pullLinks('000.00.01.H29', { client: clientA, store: storeA, secret: SECRET });
    expect((await storeA.getRecord(ids.tcA!))?.confidential).toBe(true);
  });

  it('no captured log line carries the name, ID, phone or address', () => {
    expect(lines.length).toBeGreaterThan(5);
    const all = lines.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
  });

  it('no stored Redis value carries them', async () => {
    let dump = '';
    for (const prefix of [prefixA, prefixB]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        for (const k of keys) {
          const t = await redis.type(k);
          if (t === 'string') dump += (await redis.get(k)) + '\n';
          else if (t === 'hash') dump += JSON.stringify(await redis.hgetall(k)) + '\n';
          else if (t === 'list') dump += (await redis.lrange(k, 0, -1)).join('\n') + '\n';
          else if (t === 'set') dump += (await redis.smembers(k)).join('\n') + '\n';
          else if (t === 'zset') dump += (await redis.zrange(k, 0, -1)).join('\n') + '\n';
        }
      } while (cursor !== '0');
    }
    expect(dump).toContain(ids.tcA!); // the dump is real
    for (const s of secrets) expect(dump).not.toContain(s);
  });

  it('the officer route masks the identity for a role that may not see it, and only then', async () => {
    const labels = new Map([[ids.tcA!, person.hoTen]]);
    app = Fastify();
    await app.register(dedupeRoutes, { store: storeA, client: clientA, adminToken: ADMIN, officers: OFFICERS, describe: async (s) => labels.get(s.maHoSo) });
    await app.ready();
    const denied = await app.inject({ method: 'GET', url: '/duplicates' });
    expect(denied.statusCode).toBe(401);
    const res = await app.inject({ method: 'GET', url: '/duplicates', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { duLieu: { pairId: string; a: { maHoSo: string; label?: string; confidential: boolean }; b: { maHoSo: string; label?: string } }[] };
    const pair = body.duLieu.find((p) => [p.a.maHoSo, p.b.maHoSo].includes(ids.tcA!));
    expect(pair).toBeDefined();
    for (const s of secrets) expect(res.body).not.toContain(s);
    expect(res.body).toContain('***');
    // a self-declared role changes nothing; the account's role does
    const claimed = await app.inject({ method: 'GET', url: '/duplicates', headers: { authorization: `Bearer ${ADMIN}`, 'x-kntc-role': 'can-bo-to-cao' } });
    expect(claimed.body).not.toContain(person.hoTen);
    const allowed = await app.inject({ method: 'GET', url: '/duplicates', headers: { authorization: `Bearer ${TO_CAO_TOKEN}` } });
    expect(allowed.body).toContain(person.hoTen);
  });

  it('confirm through the route records the officer of the token, and makes the pair TRUNG nationally', async () => {
    const pairId = pairIdOf(ids.tcA!, ids.tcB!);
    const res = await app.inject({ method: 'POST', url: `/duplicates/${pairId}/confirm`, headers: { authorization: `Bearer ${TO_CAO_TOKEN}` }, payload: { by: 'someone-else' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ level: 'TRUNG', status: 'confirmed', by: 'canbo-tc-02' });
    const links: string[] = [];
    for await (const l of clientB.listLinks({ maDonVi: '000.00.00.H37' })) if (l.trangThai === 'HIEU_LUC') links.push(`${l.mucDo}:${l.xacNhanBoi ?? ''}`);
    expect(links).toContain('TRUNG:canbo-tc-02');
    const missing = await app.inject({ method: 'POST', url: '/duplicates/Pnope/reject', headers: { authorization: `Bearer ${TO_CAO_TOKEN}` } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('KNTC_ERR_PAIR_NOT_FOUND');
    expect((await confirmPair(pairId, 'canbo-tc-02', { client: clientA, store: storeA, secret: SECRET })).status).toBe('confirmed');
  });
});

describe('schedule', () => {
  it('pulls links periodically for the listed agencies until stopped', async () => {
    const storeC = new DedupeStore(redis, prefixC);
    const sched = scheduleDedupe({ client: clientB, store: storeC, secret: SECRET }, { agencies: ['000.00.00.H37'], pullEveryMs: 30, sweepEveryMs: 3_600_000 });
    const deadline = Date.now() + 10_000;
    while ((await storeC.listPairs({ includeInactive: true })).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
    await sched.stop();
    expect((await storeC.listPairs({ includeInactive: true })).length).toBeGreaterThanOrEqual(1);
    expect(await storeC.linkCursor('000.00.00.H37')).toBeTruthy();
  });
});
