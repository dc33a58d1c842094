/**
 * Every refusal of the ingest API stores nothing: the fake pipeline (interface G) must
 * not see a single accept() call. The real-Redis variant of the same table is in
 * api-real-pipeline.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { buildIngestServer } from '../../src/ingest/server.js';
import { hashKey } from '../../src/ingest/keys.js';
import { FakePipeline, LogSink, PERSON_ID, PERSON_NAME, fakeLookup, qldtRecord } from './fakes.js';
import { REFUSAL_CASES, TEST_KEYS, TEST_LIMITS } from './refusal-cases.js';

let app: FastifyInstance;
const pipeline = new FakePipeline();
const sink = new LogSink();

beforeAll(async () => {
  const cfg = loadConfig({}, { ...TEST_LIMITS, INGEST_RATE_LIMIT_RPS: 1000 });
  app = await buildIngestServer(cfg, {
    pipeline,
    keys: TEST_KEYS.entries,
    mappers: fakeLookup,
    metrics: new Registry(),
    logger: createLogger({ level: 'debug' }, sink),
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('refusals enqueue nothing', () => {
  for (const c of REFUSAL_CASES) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await app.inject(c.request());
      expect(res.statusCode).toBe(c.status);
      const body = res.json() as { code: string; message: string; thongDiep: string };
      expect(body.code).toBe(c.code);
      expect(body.message).toMatch(/\w/);
      expect(body.thongDiep).toMatch(/[ạ-ỹà-ýđ]/i); // Vietnamese text for officers
      expect(pipeline.acceptCalls).toHaveLength(0);
    });
  }
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once the per-key bucket is empty, and enqueues nothing for it', async () => {
    let t = 0;
    const p = new FakePipeline();
    const cfg = loadConfig({}, { ...TEST_LIMITS, INGEST_RATE_LIMIT_RPS: 0.5 });
    const rl = await buildIngestServer(cfg, { pipeline: p, keys: TEST_KEYS.entries, mappers: fakeLookup, metrics: new Registry(), logger: createLogger({ level: 'silent' }), now: () => t, rateBurst: 2 });
    try {
      const send = () => rl.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` }, payload: { record: qldtRecord('LC-RL-1') } });
      expect((await send()).statusCode).toBe(202);
      expect((await send()).statusCode).toBe(202);
      const third = await send();
      expect(third.statusCode).toBe(429);
      expect(third.json().code).toBe('KNTC_ERR_RATE_LIMITED');
      // 0.5 token/s, bucket at 0 → 2 s until one token.
      expect(third.headers['retry-after']).toBe('2');
      expect(p.acceptCalls).toHaveLength(2);
      // Another key has its own bucket.
      const other = await rl.inject({ method: 'GET', url: '/v1/whoami', headers: { 'x-api-key': TEST_KEYS.pakn } });
      expect(other.statusCode).toBe(200);
      t += 2000;
      expect((await send()).statusCode).toBe(202);
      expect(p.acceptCalls).toHaveLength(3);
    } finally {
      await rl.close();
    }
  });
});

describe('logs', () => {
  it('never contain a personal value from a refused or malformed body, and carry request ids', async () => {
    // Malformed JSON: Node's SyntaxError message quotes the input, so it must never be logged.
    const bad = `{"record": {"ho_ten": "${PERSON_NAME}", "cmnd_cccd": "${PERSON_ID}",}`;
    const r1 = await app.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.qldt}`, 'content-type': 'application/json' }, payload: bad });
    expect(r1.statusCode).toBe(400);
    expect(r1.body).not.toContain(PERSON_ID);
    const r2 = await app.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` }, payload: { record: qldtRecord('LC-OUT-1', '000.00.00.H99') } });
    expect(r2.statusCode).toBe(403);
    expect(r2.body).not.toContain(PERSON_NAME);
    const text = sink.text;
    expect(text).toContain(r1.headers['x-request-id'] as string);
    expect(text).toContain('KNTC_ERR_MALFORMED_JSON');
    expect(text).not.toContain(PERSON_NAME);
    expect(text).not.toContain(PERSON_ID);
    expect(text).not.toContain(TEST_KEYS.qldt);
  });
});

describe('key file hashes', () => {
  it('are sha256 of the plaintext (what kntc serve --hash-key prints)', () => {
    // Known SHA-256 of "abc" (FIPS 180-2 test vector).
    expect(hashKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
