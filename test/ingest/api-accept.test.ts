/**
 * The accepting side of the ingest API against a fake pipeline (interface G): 202 only
 * after accept() resolved, tracking ids, the status endpoint, files, health and the
 * operator endpoints. Runs over real HTTP on a random port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { buildIngestServer } from '../../src/ingest/server.js';
import { FakePipeline, LogSink, PERSON_ID, PERSON_NAME, fakeLookup, qldtRecord } from './fakes.js';
import { TEST_KEYS, TEST_LIMITS } from './refusal-cases.js';

let app: FastifyInstance;
let base: string;
const pipeline = new FakePipeline();
const sink = new LogSink();
const auth = { authorization: `Bearer ${TEST_KEYS.qldt}`, 'content-type': 'application/json' };

beforeAll(async () => {
  const cfg = loadConfig({}, { ...TEST_LIMITS, INGEST_MAX_BODY_BYTES: 65536, INGEST_RATE_LIMIT_RPS: 1000 });
  app = await buildIngestServer(cfg, { pipeline, keys: TEST_KEYS.entries, mappers: fakeLookup, metrics: new Registry(), logger: createLogger({ level: 'debug' }, sink), readyTimeoutMs: 300 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await app.close();
});

describe('202 path', () => {
  it('accepts one record, returns its tracking id, and the status endpoint shows it', async () => {
    const res = await fetch(`${base}/v1/records/qldt`, { method: 'POST', headers: auth, body: JSON.stringify({ record: qldtRecord('LC-A-1') }) });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { count: number; results: { trackingId: string; localId: string; agency: string; outcome: string; status: string }[] };
    expect(body.count).toBe(1);
    expect(body.results[0]).toMatchObject({ trackingId: 'trk-qldt-LC-A-1', localId: 'LC-A-1', agency: '000.00.00.H29', outcome: 'accepted', status: '/v1/records/qldt/000.00.00.H29/LC-A-1' });
    expect(pipeline.acceptCalls.at(-1)?.via).toEqual({ channel: 'api', keyId: 'lai-chau-qldt' });

    const st = await fetch(`${base}${body.results[0]!.status}`, { headers: { 'x-api-key': TEST_KEYS.qldt } });
    expect(st.status).toBe(200);
    const s = (await st.json()) as Record<string, unknown>;
    expect(s).toMatchObject({ source: 'qldt', agency: '000.00.00.H29', localId: 'LC-A-1', state: 'received', stateLabel: 'Đã tiếp nhận, chờ chuyển đổi', latestVersion: 1 });
    expect(JSON.stringify(s)).not.toContain(PERSON_NAME);
  });

  it('accepts a batch in order with the records untouched', async () => {
    const recs = [qldtRecord('LC-B-1'), qldtRecord('LC-B-2', '000.00.01.H29', 3), qldtRecord('LC-B-3')];
    const res = await fetch(`${base}/v1/records/qldt/batch`, { method: 'POST', headers: auth, body: JSON.stringify({ records: recs }) });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { results: { index: number; localId: string; version: number }[]; outcomes: Record<string, number> };
    expect(body.results.map((r) => [r.index, r.localId, r.version])).toEqual([[0, 'LC-B-1', 1], [1, 'LC-B-2', 3], [2, 'LC-B-3', 1]]);
    expect(body.outcomes).toEqual({ accepted: 3 });
    expect(pipeline.acceptCalls.at(-1)?.raws).toEqual(recs);
  });

  it('accepts a raw export file on /v1/files/:source', async () => {
    const text = [qldtRecord('LC-F-1'), qldtRecord('LC-F-2', '000.00.01.H29')].map((r) => JSON.stringify(r)).join('\n') + '\n';
    const res = await fetch(`${base}/v1/files/qldt`, { method: 'POST', headers: { authorization: auth.authorization, 'content-type': 'application/x-ndjson', 'x-file-name': 'qldt.jsonl' }, body: text });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { count: number };
    expect(body.count).toBe(2);
  });

  it('answers 202 only after pipeline.accept resolved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const orig = pipeline.accept.bind(pipeline);
    pipeline.accept = async (...a) => {
      await gate;
      return orig(...a);
    };
    try {
      let answered = false;
      const pending = fetch(`${base}/v1/records/qldt`, { method: 'POST', headers: auth, body: JSON.stringify({ record: qldtRecord('LC-SLOW-1') }) }).then((r) => {
        answered = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(answered).toBe(false);
      release();
      expect((await pending).status).toBe(202);
    } finally {
      pipeline.accept = orig;
    }
  });

  it('answers 503 (not 202) when the pipeline cannot store', async () => {
    pipeline.failAccept = true;
    try {
      const res = await fetch(`${base}/v1/records/qldt`, { method: 'POST', headers: auth, body: JSON.stringify({ record: qldtRecord('LC-DOWN-1') }) });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('KNTC_ERR_PIPELINE_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      pipeline.failAccept = false;
    }
  });

  it('413 over real HTTP for a body above INGEST_MAX_BODY_BYTES, nothing accepted', async () => {
    const before = pipeline.acceptCalls.length;
    const big = JSON.stringify({ record: { ...qldtRecord('LC-BIG-1'), noi_dung: 'x'.repeat(70_000) } });
    const res = await fetch(`${base}/v1/records/qldt`, { method: 'POST', headers: auth, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('KNTC_ERR_BODY_TOO_LARGE');
    expect(pipeline.acceptCalls.length).toBe(before);
  });

  it('404 for a record never received (in scope)', async () => {
    const res = await fetch(`${base}/v1/records/qldt/000.00.01.H29/NEVER-SENT`, { headers: { authorization: auth.authorization } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('KNTC_ERR_RECORD_NOT_FOUND');
  });

  it('status shows issues as code, pointers and message only', async () => {
    pipeline.statuses.set('qldt|000.00.00.H29|LC-REJ-1', {
      source: 'qldt', agency: '000.00.00.H29', localId: 'LC-REJ-1', trackingId: 't', state: 'rejected', latestVersion: 2, nationalIds: {},
      issues: [{ code: 'DINH_DANH_KHONG_HOP_LE', severity: 'error', source: '/nguoi_dung_don/0/cmnd_cccd', national: '/nguoiDungDon/0/soDinhDanh', message: 'Số định danh không khớp năm sinh', hint: PERSON_ID, extra: PERSON_NAME } as never],
      history: [{ at: '2026-01-01T00:00:00Z', state: 'rejected', version: 2 }],
    });
    const res = await fetch(`${base}/v1/records/qldt/000.00.00.H29/LC-REJ-1`, { headers: { authorization: auth.authorization } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text).issues).toEqual([{ code: 'DINH_DANH_KHONG_HOP_LE', severity: 'error', source: '/nguoi_dung_don/0/cmnd_cccd', national: '/nguoiDungDon/0/soDinhDanh', message: 'Số định danh không khớp năm sinh' }]);
    expect(text).not.toContain(PERSON_ID);
    expect(text).not.toContain(PERSON_NAME);
  });

  it('logs of accepted requests carry the request id and no personal value', () => {
    expect(sink.text).toContain('records accepted');
    expect(sink.text).not.toContain(PERSON_NAME);
    expect(sink.text).not.toContain(PERSON_ID);
  });
});

describe('health', () => {
  it('ready 200 when the pipeline is ready; 503 with the reason when not; live stays 200', async () => {
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    pipeline.readyResult = { ok: false, reason: 'maxmemory-policy is allkeys-lru, must be noeviction' };
    try {
      const r = await fetch(`${base}/health/ready`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ code: 'KNTC_ERR_NOT_READY', reason: 'maxmemory-policy is allkeys-lru, must be noeviction' });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      pipeline.readyResult = { ok: true };
    }
  });

  it('ready 503 when the readiness check hangs (Redis not answering)', async () => {
    const orig = pipeline.ready.bind(pipeline);
    pipeline.ready = () => new Promise(() => {});
    try {
      const r = await fetch(`${base}/health/ready`);
      expect(r.status).toBe(503);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      pipeline.ready = orig;
    }
  });
});

describe('operator endpoints', () => {
  const admin = { authorization: `Bearer ${TEST_LIMITS.KNTC_ADMIN_TOKEN}` };
  it('serve metrics and queue counts with the admin token only', async () => {
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    await fetch(`${base}/v1/records/qldt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }); // a 401 to count
    const m = await fetch(`${base}/metrics`, { headers: admin });
    expect(m.status).toBe(200);
    expect(await m.text()).toMatch(/kntc_ingest_refusals_total\{code="KNTC_ERR_AUTH_MISSING"\} [1-9]/);
    const q = await fetch(`${base}/admin/queues`, { headers: admin });
    expect(q.status).toBe(200);
    expect(((await q.json()) as { queues: Record<string, unknown> }).queues).toHaveProperty('map');
  });
});
