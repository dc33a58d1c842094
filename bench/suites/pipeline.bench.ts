/**
 * Queued pipeline benchmarks (issue 3). Every number has its baseline measured in the
 * same run, on the same Redis:
 *  (a) end to end, loopback, national limits off: N records accept → map → push
 *      (ledger writes, encryption, batching, HTTP to the simulator), records/s, and the
 *      ratio to bare BullMQ: the same number of no-op jobs through two chained queues
 *      with the same concurrency and retention. Targets ≥ 2,000 records/s, ≥ 0.5.
 *      Both run as deployed: the producer in this process (as `kntc serve` / `kntc enqueue`),
 *      the consumers in BENCH_PIPELINE_WORKERS worker processes (default 2, one per core, as
 *      `kntc worker` replicas would run on a 2-core machine).
 *  (b) national limit 20 requests/s (simulator defaults): achieved request rate (single
 *      writes, so every record is one request) and 429s after the first second.
 *      Target ≥ 95 % of the limit and zero 429s.
 *  (c) memory: peak RSS of a worker process while 100,000 records wait in the queues,
 *      next to the RSS of a bare BullMQ worker process under the same backlog.
 * The simulator runs as its own process (as the national side would); workers run in a
 * child for (a) and (c), in this process for (a') and (b).
 * Sizes: BENCH_PIPELINE_RECORDS (20000), BENCH_PIPELINE_CONCURRENCY (64),
 * BENCH_PIPELINE_RATE_SECONDS (12), BENCH_PIPELINE_QUEUED (100000), BENCH_PIPELINE_WORKERS (2); BENCH_PIPELINE_PARTS=e2e,real,rate,mem
 * picks parts ((a') `real` is (a) with the HTTP ingest API, the generator and the real qldt mapper).
 * Uses a small synthetic mapper (test/pipeline/fixtures) so the numbers are the
 * pipeline's own; mapper costs are in bench/suites/mappers.bench.ts.
 */
process.env.LOG_LEVEL ??= 'error';
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { BenchContext } from '../run.js';
import { procPeakRssBytes, startSimProcess as startSim, type SimProcess as Sim } from '../sim-process.js';
import { loadConfig, projectPath, type Config } from '../../config/index.js';
import { createPipeline, startWorkers } from '../../src/pipeline/index.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, raw } from '../../test/pipeline/fixtures/fake-mapper.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_PIPELINE_RECORDS ?? 20000);
const CONC = Number(process.env.BENCH_PIPELINE_CONCURRENCY ?? 64);
const RATE_SECONDS = Number(process.env.BENCH_PIPELINE_RATE_SECONDS ?? 12);
const QUEUED = Number(process.env.BENCH_PIPELINE_QUEUED ?? 100000);
const WORKERS = Math.max(1, Number(process.env.BENCH_PIPELINE_WORKERS ?? 2));
const KEEP = { age: 3600, count: 20000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = (tag: string) => `bench_${tag}_${process.pid}`.slice(0, 32);

async function dropPrefix(p: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await r.unlink(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

/** A child process running `script` (ESM, tsx), resolved once it prints `ready`. */
async function startChild(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectPath(), env: { ...process.env, ...env, LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
    child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** Waiting + active + delayed jobs of queues `names` under `prefix` reach 0. */
async function drained(conn: Redis, prefix: string, names: string[]): Promise<void> {
  const qs = names.map((n) => new Queue(n, { connection: conn, prefix }));
  try {
    for (;;) {
      const counts = await Promise.all(qs.map((q) => q.getJobCounts('waiting', 'prioritized', 'active', 'delayed')));
      if (counts.every((c) => (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0)) return;
      await sleep(20);
    }
  } finally {
    await Promise.all(qs.map((q) => q.close()));
  }
}

/**
 * Bare BullMQ: n no-op jobs through queue a → b (a's processor adds the b job), same concurrency and
 * retention, in the same layout as the pipeline run: the producer in this process, the consumers in a
 * worker process of their own.
 */
async function bareBullmq(n: number, conc: number): Promise<number> {
  const p = prefix('bare');
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const qa = new Queue('a', { connection: conn, prefix: p, defaultJobOptions: { removeOnComplete: KEEP } });
  const children = await Promise.all(Array.from({ length: WORKERS }, () => startChild(`
    const { Queue, Worker } = await import('bullmq');
    const connection = { url: process.env.REDIS_URL, maxRetriesPerRequest: null };
    const prefix = process.env.BARE_PREFIX;
    const keep = ${JSON.stringify(KEEP)};
    const qb = new Queue('b', { connection, prefix, defaultJobOptions: { removeOnComplete: keep } });
    new Worker('a', async (job) => { await qb.add('b', { i: job.data.i }, { jobId: 'b-' + job.data.i }); }, { connection, prefix, concurrency: ${conc} });
    new Worker('b', async () => {}, { connection, prefix, concurrency: ${conc} });
    console.log('ready');`, { REDIS_URL, BARE_PREFIX: p })));
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1000) await qa.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_x, j) => ({ name: 'a', data: { i: i + j }, opts: { jobId: `a-${i + j}` } })));
    await drained(conn, p, ['a', 'b']);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(children.map(stopChild));
    await qa.close();
    conn.disconnect();
    await dropPrefix(p);
  }
}

/** `startWorkers` with the synthetic mapper in a worker process of its own (as `kntc worker` runs). */
const workerChildScript = (conc: number) => `
  process.env.LOG_LEVEL='error';
  const { loadConfig } = await import('./config/index.ts');
  const { startWorkers } = await import('./src/worker/index.ts');
  const { MAPPERS, EMPTY_CATALOGUES } = await import('./test/pipeline/fixtures/fake-mapper.ts');
  const cfg = loadConfig(process.env);
  const w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, dedupe: false, queues: ['map', 'push'], concurrency: { map: ${conc}, push: ${conc} }, requeue: { everyMs: 0 } });
  process.on('SIGTERM', () => void w.close().then(() => process.exit(0)));
  console.log('ready');`;

function cfgFor(tag: string, sim: Sim, over: Record<string, unknown> = {}): Config {
  return loadConfig({}, { REDIS_URL, KNTC_PREFIX: prefix(tag), NATIONAL_API_URL: sim.baseUrl, LOG_LEVEL: 'error', ...over });
}

async function endToEnd(ctx: BenchContext): Promise<number> {
  const sim = await startSim(false);
  const over = { NATIONAL_RATE_LIMIT_RPS: 10000, NATIONAL_RATE_BURST: 10000, NATIONAL_MAX_IN_FLIGHT: 8 };
  const cfg = cfgFor('e2e', sim, over);
  const p = createPipeline(cfg, { mappers: MAPPERS });
  // the producer here (as `kntc serve` / `kntc enqueue`), the consumers in a worker process (as `kntc worker`)
  const children = await Promise.all(Array.from({ length: WORKERS }, () => startChild(workerChildScript(CONC), {
    REDIS_URL, KNTC_PREFIX: cfg.KNTC_PREFIX, NATIONAL_API_URL: sim.baseUrl, ...Object.fromEntries(Object.entries(over).map(([k, v]) => [k, String(v)])),
  })));
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const t0 = performance.now();
    let accepted = 0;
    for (let i = 0; i < N; i += 1000) {
      const res = await p.accept(FAKE, Array.from({ length: Math.min(1000, N - i) }, (_x, j) => raw(i + j, 1)), { channel: 'cli' });
      accepted += res.filter((r) => r.outcome === 'accepted').length;
    }
    const tAccepted = performance.now();
    await drained(conn, cfg.KNTC_PREFIX, ['map', 'push']);
    const secs = (performance.now() - t0) / 1000;
    const rate = N / secs;
    const totals = (await sim.inspect()).totals;
    const summary = await p.ledger.summary();
    ctx.report('end-to-end accept→map→push', Math.round(rate), 'records/s', {
      records: N, accepted, pushed: summary.byState.pushed ?? 0, nationalCreates: totals.creates, httpRequests: totals.requests,
      acceptPhase: `${(N / ((tAccepted - t0) / 1000)).toFixed(0)}/s`, seconds: secs.toFixed(1), concurrency: CONC, recordsPerJob: cfg.JOB_BATCH_RECORDS, workerProcesses: WORKERS,
    });
    if ((summary.byState.pushed ?? 0) !== N || totals.creates !== N) ctx.log(`WARNING: not every record arrived (pushed ${summary.byState.pushed}, creates ${totals.creates})`);
    return rate;
  } finally {
    await Promise.all(children.map(stopChild));
    conn.disconnect();
    await p.close();
    await sim.close();
    await dropPrefix(cfg.KNTC_PREFIX);
  }
}

async function rateLimited(ctx: BenchContext): Promise<void> {
  const sim = await startSim(true); // simulator defaults: 20 requests/s, burst 40, 8 in flight
  const rps = 19.8;
  const cfg = cfgFor('rate', sim, { NATIONAL_RATE_LIMIT_RPS: rps, NATIONAL_RATE_BURST: 1, NATIONAL_MAX_IN_FLIGHT: 6 });
  const p = createPipeline(cfg, { mappers: MAPPERS });
  const w = await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, concurrency: { map: 16, push: 32 }, queues: ['map', 'push'], dedupe: false, batch: { maxBatch: 1 } });
  try {
    const n = Math.ceil(20 * (RATE_SECONDS + 4));
    await p.accept(FAKE, Array.from({ length: n }, (_x, j) => raw(j, 1)), { channel: 'cli' });
    await sleep(1000); // the first second (token fetch, warm-up) is not measured
    const a = (await sim.inspect()).totals;
    const t0 = performance.now();
    await sleep(RATE_SECONDS * 1000);
    const b = (await sim.inspect()).totals;
    const secs = (performance.now() - t0) / 1000;
    const reqs = b.requests - a.requests;
    const r429 = b.rateLimited + b.concurrencyLimited - a.rateLimited - a.concurrencyLimited;
    ctx.report('rate-limited: achieved requests/s (limit 20)', reqs / secs, 'req/s', {
      ofLimit: `${((reqs / secs / 20) * 100).toFixed(1)}%`, clientLimiter: rps, seconds: secs.toFixed(1), 'http429AfterFirstSecond': r429, http429Total: b.rateLimited + b.concurrencyLimited,
    });
  } finally {
    await w.close();
    await p.close();
    await sim.close();
    await dropPrefix(cfg.KNTC_PREFIX);
  }
}

/** Peak RSS (VmHWM) of a child running `script` after `ms`. */
async function childPeakRss(script: string, env: Record<string, string>, ms: number): Promise<number> {
  const child = await startChild(script, env);
  let peak = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const rss = procPeakRssBytes(child.pid);
    if (!Number.isFinite(rss)) throw new Error(`no VmHWM in /proc/${child.pid}/status: the memory part needs Linux`);
    peak = Math.max(peak, rss);
    await sleep(200);
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return peak;
}

async function memory(ctx: BenchContext): Promise<void> {
  const sim = await startSim(false);
  const cfg = cfgFor('mem', sim, { NATIONAL_RATE_LIMIT_RPS: 10000, NATIONAL_RATE_BURST: 10000 });
  const p = createPipeline(cfg, { mappers: MAPPERS });
  const bp = prefix('membare');
  try {
    const t0 = performance.now();
    for (let i = 0; i < QUEUED; i += 2000) await p.accept(FAKE, Array.from({ length: Math.min(2000, QUEUED - i) }, (_x, j) => raw(i + j, 1)), { channel: 'cli' });
    const acceptRate = QUEUED / ((performance.now() - t0) / 1000);
    // bare BullMQ backlog of the same size
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const q = new Queue('a', { connection: conn, prefix: bp });
    for (let i = 0; i < QUEUED; i += 2000) await q.addBulk(Array.from({ length: Math.min(2000, QUEUED - i) }, (_x, j) => ({ name: 'a', data: { i: i + j } })));
    await q.close();
    conn.disconnect();
    const workerScript = `
      process.env.LOG_LEVEL='error';
      const { loadConfig } = await import('./config/index.ts');
      const { startWorkers } = await import('./src/worker/index.ts');
      const { MAPPERS, EMPTY_CATALOGUES } = await import('./test/pipeline/fixtures/fake-mapper.ts');
      const cfg = loadConfig(process.env);
      await startWorkers(cfg, { mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, dedupe: false, concurrency: { map: ${CONC}, push: ${CONC} } });
      console.log('ready');`;
    const bareScript = `
      const { Worker } = await import('bullmq');
      new Worker('a', async () => {}, { connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null }, prefix: process.env.BARE_PREFIX, concurrency: ${CONC} });
      console.log('ready');`;
    const env = { REDIS_URL, KNTC_PREFIX: cfg.KNTC_PREFIX, NATIONAL_API_URL: sim.baseUrl, NATIONAL_RATE_LIMIT_RPS: '10000', NATIONAL_RATE_BURST: '10000' };
    const rss = await childPeakRss(workerScript, env, 10_000);
    const bare = await childPeakRss(bareScript, { REDIS_URL, BARE_PREFIX: bp }, 10_000);
    const left = await p.counts();
    ctx.report('worker peak RSS with a queued backlog', Math.round(rss / 1048576), 'MiB', {
      queued: QUEUED, bareBullmqWorkerMiB: Math.round(bare / 1048576), ratio: (rss / bare).toFixed(2), acceptRate: `${acceptRate.toFixed(0)}/s`,
      stillQueuedAfter10s: (left.map?.waiting ?? 0) + (left.push?.waiting ?? 0),
    });
  } finally {
    await p.close();
    await sim.close();
    await dropPrefix(cfg.KNTC_PREFIX);
    await dropPrefix(bp);
  }
}

/**
 * (a') the same end to end with everything real: generated qldt exports POSTed to the HTTP
 * ingest API in batches of 1,000 (demo key), the real qldt mapper with catalogues fetched from
 * the simulator (CatalogueStore), the real push. Clean records (no deliberate problems, no
 * duplicates), but with the generator's repeated and late lines, so the version gate works too.
 */
async function realEndToEnd(ctx: BenchContext, pipelineOnlyRate: number | undefined): Promise<void> {
  const { generateLocalRecords } = await import('../../src/generator/index.js');
  const { buildIngestServer } = await import('../../src/ingest/server.js');
  const { createLogger } = await import('../../src/log/logger.js');
  const data = generateLocalRecords({ seed: 7, count: N, sources: ['qldt'], brokenRate: 0, duplicateRate: 0 });
  const lines = data.qldt;
  const sim = await startSim(false);
  const cfg = cfgFor('real', sim, { NATIONAL_RATE_LIMIT_RPS: 10000, NATIONAL_RATE_BURST: 10000, NATIONAL_MAX_IN_FLIGHT: 8, INGEST_RATE_LIMIT_RPS: 100000, INGEST_KEYS_FILE: '', METRICS_ENABLED: false });
  const p = createPipeline(cfg);
  // the real mappers and catalogues (fetched from the simulator) in the worker processes
  const children = await Promise.all(Array.from({ length: WORKERS }, () => startChild(`
    process.env.LOG_LEVEL='error';
    const { loadConfig } = await import('./config/index.ts');
    const { startWorkers } = await import('./src/worker/index.ts');
    const w = await startWorkers(loadConfig(process.env), { dedupe: false, queues: ['map', 'push'], concurrency: { map: ${CONC}, push: ${CONC} }, requeue: { everyMs: 0 } });
    process.on('SIGTERM', () => void w.close().then(() => process.exit(0)));
    console.log('ready');`, {
    REDIS_URL, KNTC_PREFIX: cfg.KNTC_PREFIX, NATIONAL_API_URL: sim.baseUrl, NATIONAL_RATE_LIMIT_RPS: '10000', NATIONAL_RATE_BURST: '10000', NATIONAL_MAX_IN_FLIGHT: '8',
  })));
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const app = await buildIngestServer(cfg, { pipeline: p, logger: createLogger({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${addr && typeof addr === 'object' ? addr.port : 0}/v1/records/qldt/batch`;
  try {
    const t0 = performance.now();
    let requests = 0;
    for (let i = 0; i < lines.length; i += 1000) {
      const res = await fetch(url, {
        method: 'POST', headers: { authorization: 'Bearer demo-qldt-key', 'content-type': 'application/json' },
        body: JSON.stringify({ records: lines.slice(i, i + 1000) }),
      });
      requests++;
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    const tAccepted = performance.now();
    await drained(conn, cfg.KNTC_PREFIX, ['map', 'push']);
    const secs = (performance.now() - t0) / 1000;
    const summary = await p.ledger.summary();
    const totals = (await sim.inspect()).totals;
    const rate = N / secs;
    ctx.report('end-to-end, all real: HTTP ingest → qldt mapper → push', Math.round(rate), 'records/s', {
      records: N, lines: lines.length, ingestRequests: requests, pushed: summary.byState.pushed ?? 0, rejected: summary.byState.rejected ?? 0,
      nationalCreates: totals.creates, nationalUpdates: totals.updates, ingestPhase: `${(lines.length / ((tAccepted - t0) / 1000)).toFixed(0)} lines/s`, seconds: secs.toFixed(1), workerProcesses: WORKERS,
    });
    if (pipelineOnlyRate) ctx.report('ratio all-real / pipeline-only end-to-end', rate / pipelineOnlyRate, 'x');
  } finally {
    await app.close();
    await Promise.all(children.map(stopChild));
    conn.disconnect();
    await p.close();
    await sim.close();
    await dropPrefix(cfg.KNTC_PREFIX);
  }
}

export default async function (ctx: BenchContext): Promise<void> {
  ctx.log(`records ${N}, concurrency ${CONC} per queue, Redis ${REDIS_URL}`);
  const parts = (process.env.BENCH_PIPELINE_PARTS ?? 'e2e,real,rate,mem').split(',');
  let e2e: number | undefined;
  if (parts.includes('e2e')) {
    const bare = await bareBullmq(N, CONC);
    ctx.report('baseline: bare BullMQ, no-op jobs, 2 chained queues', Math.round(bare), 'jobs/s', { jobs: N, concurrency: CONC });
    e2e = await endToEnd(ctx);
    const ratio = e2e / bare;
    ctx.report('ratio end-to-end / bare BullMQ', ratio, 'x', { target: '≥ 0.5', met: ratio >= 0.5 ? 'yes' : 'NO', '≥ 2000 records/s': e2e >= 2000 ? 'met' : 'NOT met' });
  }
  if (parts.includes('real')) await realEndToEnd(ctx, e2e);
  if (parts.includes('rate')) await rateLimited(ctx);
  if (parts.includes('mem')) await memory(ctx);
}
