/**
 * Readiness with real pipelines: 503 when Redis does not answer (a closed port) and when
 * Redis would evict keys (a throw-away redis-server with maxmemory-policy allkeys-lru);
 * liveness stays 200 throughout, and a write is refused with 503 rather than a 202.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { buildIngestServer } from '../../src/ingest/server.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/index.js';
import { uniquePrefix } from '../helpers/redis.js';
import { TEST_KEYS, TEST_LIMITS } from './refusal-cases.js';
import { qldtRecord } from './fakes.js';

const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function serverOn(redisUrl: string): Promise<{ app: FastifyInstance; pipeline: Pipeline }> {
  const cfg = loadConfig({}, { ...TEST_LIMITS, KNTC_PREFIX: uniquePrefix('ingest_ready'), REDIS_URL: redisUrl });
  const pipeline = createPipeline(cfg);
  const app = await buildIngestServer(cfg, { pipeline, keys: TEST_KEYS.entries, metrics: new Registry(), logger: createLogger({ level: 'silent' }), readyTimeoutMs: 3000 });
  cleanups.push(async () => {
    await app.close();
    await pipeline.close();
  });
  return { app, pipeline };
}

describe('readiness', () => {
  it('503 when Redis is unreachable; live 200; writes refused with 503, never 202', async () => {
    const port = await freePort(); // closed again: nothing listens there
    const { app } = await serverOn(`redis://127.0.0.1:${port}`);
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().code).toBe('KNTC_ERR_NOT_READY');
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const write = await app.inject({ method: 'POST', url: '/v1/records/qldt', headers: { authorization: `Bearer ${TEST_KEYS.qldt}` }, payload: { record: qldtRecord('LC-NOREDIS-1') } });
    expect(write.statusCode).toBe(503);
    expect(write.json().code).toBe('KNTC_ERR_PIPELINE_UNAVAILABLE');
  });

  it.runIf(existsSync(REDIS_SERVER))('503 when Redis maxmemory-policy is allkeys-lru (jobs could be evicted)', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
    cleanups.push(async () => {
      child.kill('SIGTERM');
    });
    // Wait (bounded) until it answers.
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      try {
        await probe.connect();
        up = (await probe.ping()) === 'PONG';
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    probe.disconnect();
    expect(up).toBe(true);

    const { app } = await serverOn(`redis://127.0.0.1:${port}`);
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().reason).toMatch(/noeviction/);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('200 on the shared test Redis (noeviction)', async () => {
    const { app } = await serverOn(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
  });
});
