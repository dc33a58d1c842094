/**
 * Crash test (issue 3): 2,000 records; the worker runs as a child process and is
 * killed with SIGKILL at random moments at least 20 times, restarted each time. At
 * the end the simulator holds the 2,000 records, each created exactly once, at the
 * right version, and no job is left waiting, active, delayed or failed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { sim, testConfig, waitFor, sleep, drained } from './helpers.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/index.js';
import { MAPPERS, FAKE, AGENCY, raw } from './fixtures/fake-mapper.js';
import { dropPrefix } from '../helpers/redis.js';
import { projectPath, type Config } from '../../config/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

const N = Number(process.env.T_CRASH_N ?? 2000);
const KILLS = Number(process.env.T_CRASH_KILLS ?? 20);
const UPDATED = 200; // records that also get a version 2 half-way

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
const children = new Set<ChildProcess>();

let entry: string[] = ['--import', 'tsx', projectPath('test/pipeline/fixtures/worker-main.ts')];

/**
 * The child entry bundled once with esbuild (already installed as tsx's engine): a
 * plain .mjs starts about twice as fast as going through the tsx loader, which keeps
 * 20+ restarts within the test's time on a busy 2-core machine. Falls back to tsx.
 */
async function bundleEntry(): Promise<void> {
  try {
    const esbuild = await import('esbuild');
    const out = projectPath('.kntc', 'test-bundles', `worker-main-${process.pid}.mjs`);
    await esbuild.build({ entryPoints: [projectPath('test/pipeline/fixtures/worker-main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile: out, logLevel: 'error' });
    entry = [out];
  } catch {
    /* keep tsx */
  }
}

function startChild(): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, entry, {
    cwd: projectPath(),
    env: {
      ...process.env, REDIS_URL: cfg.REDIS_URL, KNTC_PREFIX: cfg.KNTC_PREFIX, NATIONAL_API_URL: cfg.NATIONAL_API_URL,
      NATIONAL_RATE_LIMIT_RPS: '2000', NATIONAL_RATE_BURST: '2000', NATIONAL_MAX_IN_FLIGHT: '4', NATIONAL_RETRY_MIN_MS: '20',
      NATIONAL_RETRY_MAX_MS: '200', NATIONAL_TIMEOUT_MS: '3000', JOB_BACKOFF_MS: '100', JOB_ATTEMPTS: '20', LOG_LEVEL: 'error',
      T_DEDUPE: '0', T_MAP_CONC: '8', T_PUSH_CONC: '16', T_LOCK_MS: '1500', T_STALLED_MS: '750',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  ready.catch(() => undefined);
  return { child, ready };
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

beforeAll(async () => {
  // latency keeps work in flight, so the kills land in the middle of pushes
  await bundleEntry();
  s = await sim({ faults: { latency: { minMs: 10, maxMs: 60 } } });
  cfg = testConfig('pcrash', s);
  p = createPipeline(cfg, { mappers: MAPPERS });
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  if (entry.length === 1) rmSync(entry[0]!, { force: true });
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('worker killed with SIGKILL', () => {
  it(`${N} records, ${KILLS}+ kills at random moments: every record created exactly once, none missing, nothing left over`, async () => {
    const first = await p.accept(FAKE, Array.from({ length: N }, (_x, i) => raw(i, 1)), { channel: 'cli' });
    expect(first.every((r) => r.outcome === 'accepted')).toBe(true);
    let kills = 0;
    let inFlightAtKill = 0;
    let updated = false;
    // two slots, each: start a worker, let it work for a random moment, SIGKILL it, start the next
    const slot = async (): Promise<void> => {
      while (kills < KILLS) {
        const { child, ready } = startChild();
        await ready;
        await sleep(200 + Math.random() * 1200);
        const c = await p.counts();
        if ((c.map?.active ?? 0) + (c.push?.active ?? 0) > 0) inFlightAtKill++;
        child.kill('SIGKILL');
        await exited(child);
        kills++;
        if (!updated && kills >= KILLS / 2) {
          updated = true;
          const upd = await p.accept(FAKE, Array.from({ length: UPDATED }, (_x, i) => raw(i, 2, { nd: `Bổ sung nội dung lần hai cho hồ sơ số ${i}.` })), { channel: 'cli' });
          expect(upd.every((r) => r.outcome === 'accepted')).toBe(true);
        }
      }
    };
    await Promise.all([slot(), slot()]);
    // a last, undisturbed worker finishes the rest
    const { child, ready } = startChild();
    await ready;
    await waitFor('queues drained', async () => drained(await p.counts()), 60_000, 250);
    child.kill('SIGTERM');
    await exited(child);

    const recs = s.inspect().records;
    const mine = Object.values(recs).filter((r) => r.kind === 'ho-so-don' && r.maDonVi === AGENCY);
    expect(mine).toHaveLength(N);
    const wrong = mine.filter((r) => r.creates !== 1);
    expect(wrong).toEqual([]);
    for (let i = 0; i < N; i++) {
      const r = recs[`ho-so-don|${AGENCY}|${raw(i).id}`];
      expect(r?.phienBanNguon, raw(i).id).toBe(i < UPDATED ? 2 : 1);
    }
    const counts = await p.counts();
    for (const q of ['map', 'push', 'dedupe']) expect(counts[q], q).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    const sample = await Promise.all([0, 1, N - 1].map((i) => p.status(FAKE, AGENCY, raw(i).id!)));
    expect(sample.map((x) => x?.state)).toEqual(['pushed', 'pushed', 'pushed']);
    expect(kills).toBeGreaterThanOrEqual(20);
    // the kills did land on work in progress (not only on idle workers)
    expect(inFlightAtKill).toBeGreaterThan(KILLS / 2);
  }, 240_000);
});
