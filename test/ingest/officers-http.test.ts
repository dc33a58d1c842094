/**
 * Officer access to duplicates over real HTTP: the server built by buildIngestServer with
 * the dedupe routes mounted as `kntc serve` mounts them (store, national client, labels
 * from the ledger), the real pipeline + workers (map → push → dedupe) on the real Redis,
 * and the national simulator. Another connector has sent copies of two of our records
 * (a tố cáo and a kiến nghị); our dedupe worker links both.
 *
 * Officers (OFFICERS_FILE): cb-lc (can-bo, both Lai Châu agencies), tc-lc (can-bo-to-cao,
 * 000.00.01.H29 only), cb-kt (can-bo, Kon Tum: no record in any pair).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { projectPath, type Config } from '../../config/index.js';
import { OTHER_CLIENT, sim, testConfig, waitFor } from '../pipeline/helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { createNationalClient, type NationalClient } from '../../src/national/client.js';
import { buildIngestServer } from '../../src/ingest/server.js';
import { hashKey } from '../../src/ingest/keys.js';
import { createLogger } from '../../src/log/logger.js';
import { computeLinkage } from '../../src/dedupe/features.js';
import { DedupeStore, type PairRecord } from '../../src/dedupe/store.js';
import type { HoSoDon, LienKet } from '../../src/contract/schemas.js';
import { dropPrefix, REDIS_URL } from '../helpers/redis.js';
import { sampleHoSoDon } from '../dedupe/sample-records.js';
import { LogSink } from './fakes.js';

const ADMIN = 'officers-http-admin-token';
const TOKENS = { cbLc: 'tok-cb-lc-0123456789abcdef', tcLc: 'tok-tc-lc-0123456789abcdef', cbKt: 'tok-cb-kt-0123456789abcdef' };
const tmp = mkdtempSync(join(tmpdir(), 'kntc-officers-'));
const officersFile = join(tmp, 'officers.json');
writeFileSync(officersFile, JSON.stringify([
  { id: 'cb-lc', hash: hashKey(TOKENS.cbLc), role: 'can-bo', agencies: ['000.00.00.H29', '000.00.01.H29'] },
  { id: 'tc-lc', hash: hashKey(TOKENS.tcLc), role: 'can-bo-to-cao', agencies: ['000.00.01.H29'] },
  { id: 'cb-kt', hash: hashKey(TOKENS.cbKt), role: 'can-bo', agencies: ['000.00.00.H34'] },
]));

const samples = sampleHoSoDon();
const toCao = samples.get('LC25-000058')!.body;
const kienNghi = samples.get('LC25-000231')!.body;
const person = toCao.nguoiDungDon[0]!;
const COPY_NAME = 'Giang Van Hau';
/** What must never appear for a role that may not see the người tố cáo. */
const secrets = [person.hoTen, person.soDinhDanh, person.diaChi.chiTiet, person.soDienThoai, COPY_NAME].filter((x): x is string => !!x);
const kienNghiName = kienNghi.nguoiDungDon[0]!.hoTen;

const lines = readFileSync(projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const pick = (id: string) => lines.filter((l) => l.id_don === id);

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;
let redis: Redis;
let store: DedupeStore;
let ours: NationalClient;
let other: NationalClient;
let app: FastifyInstance;
let base: string;
const sink = new LogSink();
let tcPair: PairRecord;
let knPair: PairRecord;

async function call(method: 'GET' | 'POST', path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

/** Our pairs in the store and the national links as the other connector sees them. */
async function snapshot(): Promise<string> {
  const pairs = (await store.listPairs({ includeInactive: true })).map((x) => [x.pairId, x.status, x.level, x.by ?? '']);
  const links: string[] = [];
  for await (const l of other.listLinks({ maDonVi: '000.00.00.H37' })) links.push(`${l.maLienKet}:${l.trangThai}:${l.mucDo}:${l.xacNhanBoi ?? ''}`);
  return JSON.stringify({ pairs: pairs.sort(), links: links.sort() });
}
async function nationalLink(maLienKet: string): Promise<LienKet | undefined> {
  let found: LienKet | undefined;
  for await (const l of other.listLinks({ maDonVi: '000.00.00.H37' })) if (l.maLienKet === maLienKet) found = l;
  return found;
}

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('offhttp', s, { OFFICERS_FILE: officersFile, KNTC_ADMIN_TOKEN: ADMIN });
  redis = new Redis(REDIS_URL);
  store = new DedupeStore(redis, cfg.KNTC_PREFIX);
  other = createNationalClient({
    baseUrl: s.baseUrl, clientId: OTHER_CLIENT.id, clientSecret: OTHER_CLIENT.secret, timeoutMs: 5000, rateLimitRps: 1000, rateBurst: 1000, maxInFlight: 8, retries: 2, retryMinMs: 5, retryMaxMs: 50,
  });
  const secret = cfg.NATIONAL_LINKAGE_SECRET.reveal();
  // The other connector (Lào Cai) sent copies first.
  const tcCopy: HoSoDon = { ...toCao, maDonVi: '000.00.00.H37', maHoSoNguon: 'LCI-TC-0001', phienBanNguon: 1, ngayNhanDon: '2025-02-20', nguonDon: 'CQ_CHUYEN', coQuanChuyenDen: { ten: 'Thanh tra tỉnh Lai Châu', maDonVi: '000.00.01.H29' }, nguoiDungDon: [{ ...person, hoTen: COPY_NAME }] };
  delete tcCopy.xuLy;
  delete tcCopy.giaiQuyet;
  const knCopy = samples.get('LCI-2025-000341')!.body;
  for (const b of [tcCopy, knCopy]) await other.write('ho-so-don', 'create', { ...b, dacTrungLienKet: computeLinkage(b, secret) });

  // Our deployment receives its own records through the pipeline.
  p = createPipeline(cfg);
  w = await startWorkers(cfg, { queues: ['map', 'push', 'dedupe'], dedupe: true });
  await p.accept('qldt', [...pick('LC25-000058'), ...pick('LC25-000231')], { channel: 'cli' });
  const pairs = await waitFor('two linked pairs', async () => {
    const l = await store.listPairs();
    return l.length >= 2 ? l : undefined;
  }, 60_000);
  const isOurs = async (x: PairRecord, localId: string) => (await store.getRecord(x.a))?.localId === localId || (await store.getRecord(x.b))?.localId === localId;
  for (const x of pairs) {
    if (await isOurs(x, 'LC25-000058')) tcPair = x;
    if (await isOurs(x, 'LC25-000231')) knPair = x;
  }
  expect(tcPair && knPair).toBeTruthy();

  ours = createNationalClient(cfg);
  app = await buildIngestServer(cfg, {
    pipeline: p, keys: [], logger: createLogger({ level: 'debug' }, sink),
    dedupe: { store: new DedupeStore(redis, cfg.KNTC_PREFIX), client: ours, ledger: p.ledger },
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await w?.close();
  await p?.close();
  await ours?.close();
  await other?.close();
  await s?.close();
  redis?.disconnect();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

type Side = { maHoSo: string; localId: string | null; agency: string; confidential: boolean; label?: string };
type Pair = { pairId: string; a: Side; b: Side; by?: string; status: string; clusterId: string | null };
const sides = (x: Pair) => [x.a, x.b];
const ourSide = (x: Pair, localId: string) => sides(x).find((v) => v.localId === localId)!;

describe('authentication', () => {
  it('no token, a wrong token, a role header or Basic auth → 401 everywhere, and nothing changes', async () => {
    const before = await snapshot();
    const attempts: [string, Record<string, string>][] = [
      ['', {}],
      ['not-a-token', {}],
      ['', { 'x-kntc-role': 'can-bo-to-cao' }],
      ['', { authorization: `Basic ${Buffer.from(`admin:${TOKENS.cbLc}`).toString('base64')}` }],
    ];
    for (const [token, headers] of attempts) {
      for (const [method, path] of [
        ['GET', '/duplicates'], ['GET', '/duplicates/clusters'], ['GET', `/duplicates/${tcPair.pairId}`],
        ['POST', `/duplicates/${tcPair.pairId}/confirm`], ['POST', `/duplicates/${knPair.pairId}/reject`],
      ] as const) {
        const r = await call(method, path, token || undefined, method === 'POST' ? { by: 'cb-lc' } : undefined, headers);
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(r.json.code).toBe('KNTC_ERR_OFFICER_AUTH');
        expect(r.json.thongDiep).toMatch(/cán bộ/);
        expect(r.text).not.toContain(tcPair.a);
      }
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('viewing', () => {
  it('can-bo sees the tố cáo pair with masked labels and no name, ID, phone or address anywhere; other labels are shown', async () => {
    const r = await call('GET', '/duplicates', TOKENS.cbLc);
    expect(r.status).toBe(200);
    const list = r.json.duLieu as Pair[];
    const tc = list.find((x) => x.pairId === tcPair.pairId)!;
    expect(tc).toBeDefined();
    expect(ourSide(tc, 'LC25-000058')).toMatchObject({ agency: '000.00.01.H29', confidential: true, label: '***' });
    for (const secret of secrets) expect(r.text).not.toContain(secret);
    // the labels are wired: the kiến nghị petitioner's name (not confidential) is shown
    const kn = list.find((x) => x.pairId === knPair.pairId)!;
    expect(ourSide(kn, 'LC25-000231').label).toBe(kienNghiName);
    // the other deployment's record has no label here
    expect(sides(kn).find((v) => v.localId !== 'LC25-000231')!.label).toBeUndefined();
  });

  it('a self-declared role header is ignored: can-bo claiming can-bo-to-cao still sees ***', async () => {
    const r = await call('GET', `/duplicates/${tcPair.pairId}`, TOKENS.cbLc, undefined, { 'x-kntc-role': 'can-bo-to-cao' });
    expect(r.status).toBe(200);
    expect(ourSide(r.json, 'LC25-000058').label).toBe('***');
    for (const secret of secrets) expect(r.text).not.toContain(secret);
  });

  it('can-bo-to-cao of the agency sees the người tố cáo’s name, and only the pairs of its agency', async () => {
    const r = await call('GET', '/duplicates', TOKENS.tcLc);
    expect(r.status).toBe(200);
    const list = r.json.duLieu as Pair[];
    expect(list.map((x) => x.pairId)).toEqual([tcPair.pairId]);
    expect(ourSide(list[0]!, 'LC25-000058').label).toBe(person.hoTen);
    const out = await call('GET', `/duplicates/${knPair.pairId}`, TOKENS.tcLc);
    expect(out.status).toBe(403);
    expect(out.json.code).toBe('KNTC_ERR_OFFICER_SCOPE');
  });

  it('an officer of another agency sees nothing and may not act; nothing changes', async () => {
    const before = await snapshot();
    expect((await call('GET', '/duplicates', TOKENS.cbKt)).json).toEqual({ duLieu: [] });
    expect((await call('GET', '/duplicates/clusters', TOKENS.cbKt)).json).toEqual({ duLieu: [] });
    for (const [method, path] of [['GET', `/duplicates/${tcPair.pairId}`], ['POST', `/duplicates/${tcPair.pairId}/confirm`], ['POST', `/duplicates/${knPair.pairId}/reject`]] as const) {
      const r = await call(method, path, TOKENS.cbKt);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.code).toBe('KNTC_ERR_OFFICER_SCOPE');
    }
    expect(await snapshot()).toBe(before);
  });

  it('the operator token sees every pair masked and may not decide', async () => {
    const before = await snapshot();
    const r = await call('GET', '/duplicates', ADMIN, undefined, { 'x-kntc-role': 'can-bo-to-cao' });
    expect(r.status).toBe(200);
    expect((r.json.duLieu as Pair[]).map((x) => x.pairId).sort()).toEqual([tcPair.pairId, knPair.pairId].sort());
    for (const secret of secrets) expect(r.text).not.toContain(secret);
    const d = await call('POST', `/duplicates/${knPair.pairId}/reject`, ADMIN, { by: 'cb-lc' });
    expect(d.status).toBe(403);
    expect(d.json.code).toBe('KNTC_ERR_OFFICER_ONLY');
    expect(await snapshot()).toBe(before);
  });

  it('clusters: one per linked pair, with members, confidential flags and link counts, no label', async () => {
    const r = await call('GET', '/duplicates/clusters', TOKENS.cbLc);
    expect(r.status).toBe(200);
    const list = r.json.duLieu as { clusterId: string; members: Side[]; pairs: number }[];
    expect(list).toHaveLength(2);
    const pairsView = (await call('GET', '/duplicates', TOKENS.cbLc)).json.duLieu as Pair[];
    for (const pr of [tcPair, knPair]) {
      const c = list.find((x) => x.members.some((m) => m.maHoSo === pr.a))!;
      expect(c.clusterId).toBe(pairsView.find((x) => x.pairId === pr.pairId)!.clusterId);
      expect(c.members.map((m) => m.maHoSo).sort()).toEqual([pr.a, pr.b].sort());
      expect(c.pairs).toBe(1);
    }
    const tcCluster = list.find((x) => x.members.some((m) => m.localId === 'LC25-000058'))!;
    expect(tcCluster.members.every((m) => m.confidential)).toBe(true);
    for (const secret of secrets) expect(r.text).not.toContain(secret);
    expect(r.text).not.toContain(kienNghiName);
  });

  it('an unknown pair → 404 with a Vietnamese message', async () => {
    const r = await call('GET', '/duplicates/P0000000000000000', TOKENS.cbLc);
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('KNTC_ERR_PAIR_NOT_FOUND');
    expect(r.json.thongDiep).toMatch(/cặp hồ sơ trùng/);
  });
});

describe('deciding', () => {
  it('confirm records the officer of the token as `by`, whatever the body and headers say — here and nationally', async () => {
    const r = await call('POST', `/duplicates/${tcPair.pairId}/confirm`, TOKENS.tcLc, { by: 'mallory' }, { 'x-kntc-role': 'can-bo' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ pairId: tcPair.pairId, status: 'confirmed', level: 'TRUNG', by: 'tc-lc' });
    expect(r.text).not.toContain('mallory');
    const stored = await store.getPair(tcPair.pairId);
    expect(stored).toMatchObject({ status: 'confirmed', by: 'tc-lc' });
    const link = await nationalLink(stored!.maLienKet!);
    expect(link).toMatchObject({ trangThai: 'HIEU_LUC', mucDo: 'TRUNG', xacNhanBoi: 'tc-lc' });
    const detail = await call('GET', `/duplicates/${tcPair.pairId}`, TOKENS.cbLc);
    const hist = detail.json.history as { action: string; by?: string; at: string }[];
    expect(hist.at(-1)).toMatchObject({ action: 'confirmed', by: 'tc-lc' });
    expect(hist.at(-1)!.at).toBe(stored!.at);
    for (const secret of secrets) expect(detail.text).not.toContain(secret);
  });

  it('reject removes the national link, records the officer, and the pair leaves the list and the clusters', async () => {
    const linkBefore = await nationalLink(knPair.maLienKet!);
    expect(linkBefore?.trangThai).toBe('HIEU_LUC');
    const r = await call('POST', `/duplicates/${knPair.pairId}/reject`, TOKENS.cbLc, { by: 'tc-lc' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'rejected', by: 'cb-lc' });
    expect((await nationalLink(knPair.maLienKet!))?.trangThai).toBe('DA_GO');
    expect((await store.getPair(knPair.pairId))?.by).toBe('cb-lc');
    const list = (await call('GET', '/duplicates', TOKENS.cbLc)).json.duLieu as Pair[];
    expect(list.map((x) => x.pairId)).toEqual([tcPair.pairId]);
    const clusters = (await call('GET', '/duplicates/clusters', TOKENS.cbLc)).json.duLieu as { members: Side[] }[];
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.members.some((m) => m.localId === 'LC25-000231')).toBe(false);
  });

  it('the server log carries no label and no identity', () => {
    expect(sink.text).toContain('officer decision recorded');
    for (const secret of [...secrets, kienNghiName]) expect(sink.text).not.toContain(secret);
  });
});
