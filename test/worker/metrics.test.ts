/**
 * Push outcomes, latency and national 429s are counted in the worker process, so a worker
 * serves them itself: `--metrics-port` / WORKER_METRICS_PORT → GET /metrics behind the admin
 * token (same guard as the ingest API), GET /health/live and /health/ready open for probes.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sim, testConfig, waitFor } from '../pipeline/helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from '../pipeline/fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import { projectPath, type Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

const TOKEN = 'worker-metrics-test-token';
let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers | undefined;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('wmet', s, { KNTC_ADMIN_TOKEN: TOKEN });
  p = createPipeline(cfg, { mappers: MAPPERS });
});
afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('worker metrics endpoint', () => {
  it('serves /metrics (admin token) with the push outcomes counted in this process, and /health/*', async () => {
    const port = await freePort();
    w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, queues: ['map', 'push'], dedupe: false, requeue: { everyMs: 0 }, metricsPort: port });
    const url = `http://127.0.0.1:${port}`;
    expect(w.metricsUrl).toBe(url);
    await p.accept(FAKE, [raw(0, 1, { id: 'T-MET-1' })], { channel: 'api' });
    await waitFor('pushed', async () => (await p.status(FAKE, AGENCY, 'T-MET-1'))?.state === 'pushed');

    expect(await (await fetch(`${url}/health/live`)).json()).toEqual({ status: 'live' });
    const ready = await fetch(`${url}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);

    const anon = await fetch(`${url}/metrics`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { code: string }).code).toBe('KNTC_ERR_ADMIN_AUTH');
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    const m = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await m.text();
    expect(text).toMatch(/kntc_push_outcomes_total\{kind="ho-so-don",outcome="pushed",code="OK"\} [1-9]/);
    expect(text).toMatch(/kntc_push_latency_seconds_count\{kind="ho-so-don",mode="single"\} [1-9]/);
    expect(text).toContain('kntc_national_429_total');
    expect(text).toMatch(/kntc_queue_jobs\{queue="push",state="completed"\} [1-9]/);

    await w.close();
    w = undefined;
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  }, 60_000);

  it('kntc worker --metrics-port serves the endpoint and shuts down cleanly', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/kntc.js', 'worker', '--queues', 'map,push', '--metrics-port', String(port)], {
      cwd: projectPath(),
      env: { ...process.env, KNTC_PREFIX: cfg.KNTC_PREFIX, NATIONAL_API_URL: s.baseUrl, KNTC_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      await waitFor('listening', async () => out.includes('worker metrics listening'), 30_000);
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const m = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(m.status).toBe(200);
      expect(await m.text()).toContain('kntc_push_outcomes_total');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
      expect(code, out).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
