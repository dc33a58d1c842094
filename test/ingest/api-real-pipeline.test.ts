/**
 * The ingest API on the real pipeline (ledger + BullMQ on the real Redis) and the real
 * mappers: every refusal of the shared table leaves ZERO keys under the test prefix
 * (no ledger entry, no job, not even a queue's meta key), while a 202 leaves both.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig, projectPath } from '../../config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { buildIngestServer } from '../../src/ingest/server.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/index.js';
import { openQueues } from '../../src/pipeline/infra.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitingRecords } from '../helpers/queues.js';
import { LogSink } from './fakes.js';
import { REFUSAL_CASES, TEST_KEYS, TEST_LIMITS } from './refusal-cases.js';

const prefix = uniquePrefix('ingest_real');
let app: FastifyInstance;
let pipeline: Pipeline;
let redis: Redis;
const sink = new LogSink();

async function keysUnderPrefix(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  // The per-key rate bucket (`:irl:`, shared by the serve replicas) is the limiter counting the
  // request, not something stored for it: every other key would be a record, a job or a ledger entry.
  return out.filter((k) => !k.includes(':irl:'));
}

/** Two real lines of the Lai Châu export (different id_don, agency 000.00.00.H29). */
function sampleQldt(): Record<string, unknown>[] {
  const lines = readFileSync(projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.ma_don_vi === '000.00.00.H29');
  const byId = new Map<unknown, Record<string, unknown>>();
  for (const r of recs) if (!byId.has(r.id_don)) byId.set(r.id_don, r);
  return [...byId.values()].slice(0, 2);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  const cfg = loadConfig({}, { ...TEST_LIMITS, INGEST_RATE_LIMIT_RPS: 1000, KNTC_PREFIX: prefix, REDIS_URL });
  pipeline = createPipeline(cfg);
  app = await buildIngestServer(cfg, { pipeline, keys: TEST_KEYS.entries, logger: createLogger({ level: 'debug' }, sink) });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await pipeline?.close();
  await dropPrefix(prefix);
  redis?.disconnect();
});

describe('refusals on the real pipeline', () => {
  for (const c of REFUSAL_CASES) {
    it(`${c.name} → ${c.status}, zero Redis keys`, async () => {
      const res = await app.inject(c.request());
      expect(res.statusCode).toBe(c.status);
      expect(res.json().code).toBe(c.code);
      expect(await keysUnderPrefix()).toEqual([]);
    });
  }
});

describe('202 on the real pipeline', () => {
  it('stores and queues a batch of real sample records, answers tracking ids, and the status endpoint shows them', async () => {
    const recs = sampleQldt();
    expect(recs).toHaveLength(2);
    const res = await app.inject({ method: 'POST', url: '/v1/records/qldt/batch', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` }, payload: { records: recs } });
    expect(res.statusCode).toBe(202);
    const body = res.json() as { results: { trackingId: string; localId: string; outcome: string; status: string }[] };
    expect(body.results.map((r) => r.localId)).toEqual(recs.map((r) => r.id_don));
    expect(body.results.every((r) => r.outcome === 'accepted' && r.trackingId.length > 0)).toBe(true);

    // Durable: the ledger and the map queue hold them now.
    const keys = await keysUnderPrefix();
    expect(keys.length).toBeGreaterThan(0);
    expect(await waitingRecords(prefix, 'map')).toBe(2);

    const st = await app.inject({ method: 'GET', url: body.results[0]!.status, headers: { 'x-api-key': TEST_KEYS.qldt } });
    expect(st.statusCode).toBe(200);
    expect(st.json()).toMatchObject({ source: 'qldt', agency: '000.00.00.H29', localId: recs[0]!.id_don, trackingId: body.results[0]!.trackingId, state: 'received', latestVersion: recs[0]!.phien_ban });

    // Same record again: recognised, no new job.
    const again = await app.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` }, payload: { record: recs[0] } });
    expect(again.statusCode).toBe(202);
    expect(again.json().results[0].outcome).toBe('unchanged');
    expect(await waitingRecords(prefix, 'map')).toBe(2);
    expect((await pipeline.counts()).map?.waiting).toBe(1); // both records in one batch job

    // The personal values of the real records never reached the logs.
    const people = recs
      .flatMap((r) => (Array.isArray(r.nguoi_dung_don) ? (r.nguoi_dung_don as { ho_ten?: string; cmnd_cccd?: string }[]).flatMap((p) => [p.ho_ten, p.cmnd_cccd]) : String(r.nguoi_dung_don ?? '').split(';')))
      .map((v) => v?.trim())
      .filter((v): v is string => !!v);
    expect(people.length).toBeGreaterThan(1);
    for (const v of people) expect(sink.text).not.toContain(v);
  });
});

describe('raw files with the demo keys (INGEST_KEYS_FILE empty)', () => {
  it('accepts the so-tiep CSV and the pakn JSON export as sent by the local systems', async () => {
    const cfg = loadConfig({}, { KNTC_PREFIX: prefix, REDIS_URL, INGEST_KEYS_FILE: '' });
    const demo = await buildIngestServer(cfg, { pipeline, logger: createLogger({ level: 'silent' }) });
    try {
      const csv = readFileSync(projectPath('..', 'shared', 'samples', 'so-tiep-kon-tum.csv'), 'utf8');
      const r1 = await demo.inject({ method: 'POST', url: '/v1/files/so-tiep', headers: { authorization: 'Bearer demo-so-tiep-key', 'content-type': 'text/csv; charset=utf-8', 'x-file-name': 'so-tiep-kon-tum.csv' }, payload: csv });
      expect(r1.statusCode).toBe(202);
      expect(r1.json()).toMatchObject({ count: 25, outcomes: { accepted: 25 } });
      const json = readFileSync(projectPath('..', 'shared', 'samples', 'pakn-lao-cai.json'), 'utf8');
      const r2 = await demo.inject({ method: 'POST', url: '/v1/files/pakn', headers: { 'x-api-key': 'demo-pakn-key', 'content-type': 'application/json' }, payload: json });
      expect(r2.statusCode).toBe(202);
      expect(r2.json().count).toBe(25);
      // The so-tiep key cannot read pakn records.
      const lc = r2.json().results[0] as { agency: string; localId: string };
      const r3 = await demo.inject({ method: 'GET', url: `/v1/records/pakn/${lc.agency}/${lc.localId}`, headers: { authorization: 'Bearer demo-so-tiep-key' } });
      expect(r3.statusCode).toBe(403);

      // One so-tiep row as JSON: the CSV header as keys plus the export stamp.
      const row = {
        'Mã lượt tiếp': 'KT26-9001', 'Mã đơn vị': '000.00.00.H34', STT: '1', 'Ngày tiếp': '02/03/2026', 'Họ tên - Địa chỉ': 'Y Bình - Thôn 1, xã Đăk Cấm, thành phố Kon Tum, tỉnh Kon Tum',
        'CMND/Hộ chiếu của công dân': '', 'Nội dung vụ việc': 'Hỏi về thủ tục.', 'Phân loại đơn/Số người': 'KN,PA/1', 'Cơ quan đã giải quyết': '', 'Thụ lý để giải quyết': '',
        'Trả lại đơn và hướng dẫn': '', 'Chuyển đơn đến cơ quan có thẩm quyền': '', 'Theo dõi kết quả giải quyết': '', 'Ghi chú': '',
      };
      const r4 = await demo.inject({ method: 'POST', url: '/v1/records/so-tiep', headers: { authorization: 'Bearer demo-so-tiep-key' }, payload: { record: { ...row, '#xuat-luc': '2026-03-31T17:00:00+07:00' } } });
      expect(r4.statusCode).toBe(202);
      expect(r4.json().results[0]).toMatchObject({ localId: 'KT26-9001', agency: '000.00.00.H34', version: 20260331170000 });
      // Without the export stamp the row has no version: refused, not guessed.
      const r5 = await demo.inject({ method: 'POST', url: '/v1/records/so-tiep', headers: { authorization: 'Bearer demo-so-tiep-key' }, payload: { record: { ...row, 'Mã lượt tiếp': 'KT26-9002' } } });
      expect(r5.statusCode).toBe(422);
      expect(r5.json().code).toBe('KNTC_ERR_RECORD_UNIDENTIFIABLE');
    } finally {
      await demo.close();
    }
  });
});

describe('queue board (bull-board) behind the admin token', () => {
  it('401 with a Basic challenge without the token; the board and its API with it', async () => {
    const cfg = loadConfig({}, { ...TEST_LIMITS, KNTC_PREFIX: prefix, REDIS_URL });
    const queues = Object.values(openQueues(cfg, redis));
    const board = await buildIngestServer(cfg, { pipeline, keys: TEST_KEYS.entries, boardQueues: queues, logger: createLogger({ level: 'silent' }) });
    try {
      const anon = await board.inject({ method: 'GET', url: '/admin/board' });
      expect(anon.statusCode).toBe(401);
      expect(anon.headers['www-authenticate']).toMatch(/^Basic /);
      const withKey = await board.inject({ method: 'GET', url: '/admin/board/api/queues', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` } });
      expect(withKey.statusCode).toBe(401);
      const basic = 'Basic ' + Buffer.from(`admin:${TEST_LIMITS.KNTC_ADMIN_TOKEN}`).toString('base64');
      const page = await board.inject({ method: 'GET', url: '/admin/board', headers: { authorization: basic } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await board.inject({ method: 'GET', url: '/admin/board/api/queues', headers: { authorization: `Bearer ${TEST_LIMITS.KNTC_ADMIN_TOKEN}` } });
      expect(api.statusCode).toBe(200);
      const names = (api.json() as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
      expect(names).toEqual(queues.map((q) => q.name).sort());
    } finally {
      await board.close();
      await Promise.all(queues.map((q) => q.close()));
    }
  });
});
