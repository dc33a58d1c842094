/**
 * The per-key ingest rate shared by several `kntc serve` replicas through Redis (INGEST_LIMIT_SCOPE=redis): two
 * ingest servers on one Redis and prefix, one key, together get one key's rate; with scope=process each gets its own
 * (so the test can fail). The guard still refuses before the body is read, and a Redis outage falls back to the
 * local bucket instead of failing requests.
 */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { buildIngestServer } from '../../src/ingest/server.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { FakePipeline, fakeLookup, qldtRecord } from './fakes.js';
import { TEST_KEYS, TEST_LIMITS } from './refusal-cases.js';

const RATE = 5; // per second, burst 5
const apps: FastifyInstance[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const p of prefixes) await dropPrefix(p);
});

async function replicas(scope: 'redis' | 'process', n = 2, redisUrl = REDIS_URL): Promise<{ apps: FastifyInstance[]; pipeline: FakePipeline }> {
  const prefix = uniquePrefix('ingest_rl');
  prefixes.push(prefix);
  const cfg = loadConfig({}, { ...TEST_LIMITS, INGEST_RATE_LIMIT_RPS: RATE, INGEST_LIMIT_SCOPE: scope, KNTC_PREFIX: prefix, REDIS_URL: redisUrl });
  const pipeline = new FakePipeline();
  const out: FastifyInstance[] = [];
  for (let i = 0; i < n; i++) {
    const app = await buildIngestServer(cfg, { pipeline, keys: TEST_KEYS.entries, mappers: fakeLookup, metrics: new Registry(), logger: createLogger({ level: 'silent' }) });
    await app.ready();
    apps.push(app);
    out.push(app);
  }
  return { apps: out, pipeline };
}

const whoami = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` } });

/** `total` requests alternating between the replicas, as fast as they answer. */
async function burst(targets: FastifyInstance[], total: number): Promise<{ ok: number; refused: { status: number; retryAfter: string | undefined }[]; seconds: number }> {
  const t0 = performance.now();
  let ok = 0;
  const refused: { status: number; retryAfter: string | undefined }[] = [];
  for (let i = 0; i < total; i++) {
    const res = await whoami(targets[i % targets.length]!);
    if (res.statusCode === 200) ok++;
    else refused.push({ status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined });
  }
  return { ok, refused, seconds: (performance.now() - t0) / 1000 };
}

describe('ingest per-key rate shared by replicas', () => {
  it('two replicas, one key: together at most one burst + the rate; 429 with an integer Retry-After ≥ 1', async () => {
    const { apps: [a, b] } = await replicas('redis');
    const r = await burst([a!, b!], 30);
    const allowed = RATE + Math.ceil(RATE * r.seconds) + 1;
    console.log(`[shared] ${r.ok} of 30 accepted in ${r.seconds.toFixed(2)} s over two replicas (allowed ≤ ${allowed})`);
    expect(r.ok).toBeGreaterThanOrEqual(RATE);
    expect(r.ok).toBeLessThanOrEqual(allowed);
    expect(r.refused.length).toBe(30 - r.ok);
    for (const x of r.refused) {
      expect(x.status).toBe(429);
      expect(x.retryAfter).toMatch(/^[1-9]\d*$/);
    }
  });

  it('scope=process: each replica has its own bucket, together twice the rate (the test above can fail)', async () => {
    const { apps: [a, b] } = await replicas('process');
    const r = await burst([a!, b!], 30);
    console.log(`[process] ${r.ok} of 30 accepted in ${r.seconds.toFixed(2)} s over two replicas`);
    expect(r.ok).toBeGreaterThan(RATE + Math.ceil(RATE * r.seconds) + 1);
  });

  it('a key over its shared rate is refused before its body is read (429, not 400 for a malformed body)', async () => {
    const { apps: [a, b], pipeline } = await replicas('redis');
    for (let i = 0; i < RATE; i++) expect((await whoami(i % 2 ? a! : b!)).statusCode).toBe(200);
    const res = await a!.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.qldt}`, 'content-type': 'application/json' }, payload: '{"record": {not json' });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('KNTC_ERR_RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(pipeline.acceptCalls).toHaveLength(0);
    // the other key has its own bucket
    const other = await b!.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${TEST_KEYS.pakn}` } });
    expect(other.statusCode).toBe(200);
  });

  it('Redis unreachable: the local bucket limits the key, requests are not failed', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { apps: [a], pipeline } = await replicas('redis', 1, `redis://127.0.0.1:${port}`);
    const t0 = performance.now();
    const r = await burst([a!], RATE + 3);
    expect(r.ok).toBe(RATE);
    expect(r.refused.every((x) => x.status === 429)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(3000);
    const write = await a!.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.pakn}` }, payload: { record: qldtRecord('LC-RL-1') } });
    expect(write.statusCode).toBe(403); // past the rate check (pakn key, qldt source) although Redis is down
    expect(pipeline.acceptCalls).toHaveLength(0);
  });
});
