/**
 * Redis restarted in the middle of a run (issue 3): a separate redis-server with AOF
 * (appendfsync always) is shut down and started again on the same data directory —
 * once with SHUTDOWN, once killed with SIGKILL — while records are being accepted and
 * pushed. Every record whose accept was acknowledged ends pushed, exactly once.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sim, testConfig, waitFor, sleep, drained } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import type { Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const HAVE_REDIS = existsSync(REDIS_BIN);
if (!HAVE_REDIS) console.warn(`redis-restart test: ${REDIS_BIN} not found — install redis-server to run it (set REDIS_SERVER_BIN to its path)`);

const BATCHES = 20;
const PER_BATCH = 15;

let dir = '';
let port = 0;
let server: ChildProcess | undefined;
let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function startRedis(): Promise<void> {
  server = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always',
    '--save', '', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--daemonize', 'no'], { stdio: 'ignore' });
  await waitFor('redis up', async () => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined); // refused while it starts: expected
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  }, 10_000, 50);
}

async function stopRedis(how: 'SHUTDOWN' | 'SIGKILL'): Promise<void> {
  const proc = server!;
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  if (how === 'SIGKILL') proc.kill('SIGKILL');
  else {
    const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    await r.call('SHUTDOWN').catch(() => undefined); // the connection drops as it shuts down
    r.disconnect();
  }
  await gone;
}

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  dir = mkdtempSync(join(tmpdir(), 'kntc-aof-'));
  port = await freePort();
  await startRedis();
  s = await sim();
  cfg = testConfig('prestart', s, { REDIS_URL: `redis://127.0.0.1:${port}` });
  p = createPipeline(cfg, { mappers: MAPPERS });
  w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, concurrency: 16, dedupe: false, workerOptions: { lockDuration: 3000, stalledInterval: 1500 } });
});

afterAll(async () => {
  await w?.close();
  await p?.close();
  await s?.close();
  server?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(HAVE_REDIS)('Redis restarted mid-run (AOF)', () => {
  it('loses no acknowledged record across a SHUTDOWN and a SIGKILL of Redis', async () => {
    const acked = new Set<string>();
    let refused = 0;
    const restarts: Promise<void>[] = [];
    for (let b = 0; b < BATCHES; b++) {
      if (b === 6 || b === 13) {
        const how = b === 6 ? 'SHUTDOWN' : 'SIGKILL';
        restarts.push((async () => {
          await stopRedis(how);
          await sleep(800);
          await startRedis();
        })());
        await sleep(50);
      }
      const batch = Array.from({ length: PER_BATCH }, (_x, i) => raw(b * PER_BATCH + i, 1));
      // the caller (API/CLI) retries what was not acknowledged; only acknowledged records count
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          const res = await p.accept(FAKE, batch, { channel: 'api' });
          for (const r of res) if (r.outcome === 'accepted' || r.outcome === 'unchanged') acked.add(r.localId);
          break;
        } catch {
          refused++;
          await sleep(100);
        }
      }
    }
    await Promise.all(restarts);
    expect(refused).toBeGreaterThan(0); // the outage was real: some accepts were refused, not acknowledged
    expect(acked.size).toBe(BATCHES * PER_BATCH);
    await waitFor('drained', async () => {
      const c = await p.counts();
      if (process.env.T_DEBUG) console.log(JSON.stringify(c));
      return drained(c);
    }, 60_000, 1000);
    const recs = s.inspect().records;
    const missing = [...acked].filter((id) => recs[`ho-so-don|${AGENCY}|${id}`]?.creates !== 1);
    expect(missing).toEqual([]);
    const states = await Promise.all([...acked].map((id) => p.status(FAKE, AGENCY, id).then((x) => x?.state)));
    expect(states.filter((x) => x !== 'pushed')).toEqual([]);
  }, 120_000);
});
