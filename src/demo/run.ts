/**
 * `kntc demo`: the whole connector end to end on one machine, from a fresh clone.
 *
 *   Redis (REDIS_URL, or a throw-away redis-server) → national simulator (in-process, mild
 *   faults) → ingest API + workers (in-process, a dedicated KNTC_PREFIX) → a generated,
 *   realistic batch of local records fed THROUGH THE HTTP INGEST API with the demo keys →
 *   live progress until every record is pushed or rejected with reasons → a summary checked
 *   against the simulator's own inspection (every national record created exactly once).
 *
 * Logs go to <KNTC_DATA_DIR>/demo-<ts>/demo.log (pino); the terminal shows progress and
 * the summary only. No personal data is printed: ids, counts and codes.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../config/index.js';
import { createLogger, logger, setRootLogger, type Logger } from '../log/logger.js';
import { generateLocalRecords, qldtJsonl, paknJson, GENERATOR_SOURCES, type GeneratedData, type SourceName } from '../generator/index.js';
import { DemoError, ensureDemoRedis, portFree, type DemoRedis } from './redis.js';

export { DemoError } from './redis.js';

export interface DemoOptions {
  count?: number;
  seed?: number;
  /** leave the API and the simulator running until Ctrl-C (prints URLs and demo keys) */
  keepRunning?: boolean;
  /** inject mild national faults (default true) */
  faults?: boolean;
  /** give up waiting after this long (default 300 s) */
  timeoutMs?: number;
  /** where demo-<ts>/ goes (default KNTC_DATA_DIR) */
  dataDir?: string;
  /** environment to read settings from (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** fixed ports (default: 4010 / 8080 when free, else random); 0 = random */
  simulatorPort?: number;
  ingestPort?: number;
  /** terminal output (default process.stdout); `progress` goes to `progressOut` (default process.stderr) */
  out?: (text: string) => void;
  progressOut?: (text: string) => void;
  /** live progress line (default: when progressOut is a TTY) */
  progress?: boolean | 'tty' | 'lines';
  /** stop early (Ctrl-C) */
  signal?: AbortSignal;
  /** keep the demo's Redis keys at the end (default: true when using an existing Redis, so `kntc status` works) */
  keepKeys?: boolean;
}

export interface DemoSummary {
  prefix: string;
  dir: string;
  logFile: string;
  dataDir: string;
  elapsedMs: number;
  settled: boolean;
  /** stopped by Ctrl-C before settling */
  interrupted?: boolean;
  sent: { records: number; lines: number; requests: number; outcomes: Record<string, number> };
  /** distinct local records by final state */
  byState: Record<string, number>;
  bySource: Record<string, Record<string, number>>;
  /** national records the connector pushed, per kind (from the ledger) */
  pushedByKind: Record<string, number>;
  /** distinct rejected local records per error code, split by origin (mapper pre-check vs national answer) */
  rejectedBy: { mapper: Record<string, number>; national: Record<string, number> };
  warnings: number;
  brokenLabelled: number;
  brokenRejected: number;
  duplicates?: { links: number; labelledPairs: number; labelledPairsLinked: number };
  simulator: {
    records: number;
    byKind: Record<string, number>;
    creates: number;
    updates: number;
    noops: number;
    createdOnceEach: boolean;
    faults: Record<string, number>;
    rateLimited: number;
    replays: number;
    requests: number;
  };
  /** pushed outputs (ledger) = national records (simulator), per kind */
  consistent: boolean;
  stuck: { source: string; agency: string; localId: string; state: string }[];
  /** a pushed and a rejected record, for the status example */
  examples: { pushed?: { source: string; agency: string; localId: string }; rejected?: { source: string; agency: string; localId: string } };
}

export interface DemoRecordView {
  source: string; agency: string; localId: string; state: string;
  outputs: { kind: string; state: string; nationalId?: string }[];
  errorCodes: string[];
}

export interface DemoResult {
  exitCode: number;
  summary?: DemoSummary;
  urls?: { ingest: string; simulator: string; metrics: string };
  /** The simulator's inspection at the end (tests check the summary against it). */
  inspect?: import('../simulator/index.js').InspectReport;
  /** Final status of every local record (ids, states, codes: no personal data). */
  records?: DemoRecordView[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res) => {
    const onAbort = () => {
      clearTimeout(t);
      res();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      res();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

const DEMO_FAULTS = (seed: number) => ({
  seed,
  // ~3 % of national calls fail before processing, a few after (the answer is lost: the retry must not create twice)
  errorRate: { 503: 0.02, 500: 0.01 } as const,
  errorAfterRate: { 502: 0.005 } as const,
  resetAfterRate: 0.003,
  latency: { minMs: 2, maxMs: 40 },
  retryAfterSec: 1,
});

async function pickPort(want: number | undefined, preferred: number): Promise<number> {
  if (want !== undefined) return want;
  return (await portFree(preferred)) ? preferred : 0;
}

interface Fed { source: SourceName; raws: Record<string, unknown>[]; key: string; ids: string[] }

/** The raw records a local system would submit, in file order (so-tiep rows as the file endpoint builds them). */
async function rawsOf(g: GeneratedData, sources: readonly SourceName[]): Promise<Fed[]> {
  const { getMapper } = await import('../../mappers/registry.js');
  const { DEMO_KEYS } = await import('../ingest/keys.js');
  const text: Record<SourceName, string> = { qldt: qldtJsonl(g.qldt), 'so-tiep': g.soTiep.toCsv(), pakn: paknJson(g.pakn) };
  const out: Fed[] = [];
  for (const s of sources) {
    const m = getMapper(s);
    const key = DEMO_KEYS.find((k) => k.source === s)?.plaintext;
    if (!m || !key) throw new DemoError(`no mapper or demo key for source ${s}`, 1);
    const raws = m.parse(text[s], `so-tiep-${g.soTiep.exportedAt.slice(0, 10)}.csv`).flatMap((p) => (p.ok ? [p.raw as Record<string, unknown>] : []));
    const ids = raws.map((r) => {
      const id = m.identify(r);
      return id ? `${s}|${id.agency}|${id.localId}` : '';
    });
    out.push({ source: s, raws, key, ids });
  }
  return out;
}

/** POST one batch, retrying 429/503 as a well-behaved local system would. */
async function postBatch(url: string, key: string, records: unknown[], signal?: AbortSignal): Promise<{ outcomes: Record<string, number> }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ records }),
      ...(signal ? { signal } : {}),
    });
    const body = (await res.json().catch(() => ({}))) as { outcomes?: Record<string, number>; code?: string };
    if (res.status === 202) return { outcomes: body.outcomes ?? {} };
    if ((res.status === 429 || res.status === 503) && attempt < 20) {
      await sleep(Math.max(200, Number(res.headers.get('retry-after') ?? 1) * 1000), signal);
      continue;
    }
    throw new DemoError(`ingest API answered ${res.status} ${body.code ?? ''} for a batch of ${records.length}`, 1);
  }
}

function fmtCounts(c: Record<string, number>, order?: string[]): string {
  const keys = order ? [...order.filter((k) => k in c), ...Object.keys(c).filter((k) => !order.includes(k)).sort()] : Object.keys(c).sort((a, b) => (c[b] ?? 0) - (c[a] ?? 0));
  return keys.map((k) => `${k} ${c[k]}`).join(', ') || '—';
}

/**
 * Run the demo. Resolves with the exit code and the summary; throws DemoError for
 * set-up failures (exit 2: no Redis). Everything started here is stopped before it resolves,
 * unless keepRunning (then it waits for `signal`).
 */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((t: string) => void process.stdout.write(t));
  const progressOut = opts.progressOut ?? ((t: string) => void process.stderr.write(t));
  const tty = opts.progress === 'tty' || (opts.progress === undefined || opts.progress === true ? Boolean(process.stderr.isTTY) : false);
  const showProgress = opts.progress !== false;
  const count = opts.count ?? 600;
  const seed = opts.seed ?? 1;
  const ts = stamp(new Date());
  const base = loadConfig(env);
  const dir = resolve(opts.dataDir ?? base.KNTC_DATA_DIR, `demo-${ts}`);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'demo.log');
  mkdirSync(dataDir, { recursive: true });

  // logs to the file only
  const prevRoot = logger();
  const dest = pino.destination({ dest: logFile, sync: false, mkdir: true });
  const fileLog: Logger = createLogger({ level: env.LOG_LEVEL ?? 'info' }, dest);
  setRootLogger(fileLog);
  const log = fileLog.child({ component: 'demo' });

  const cleanups: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'cleanup step failed'));
    cleanups.length = 0;
  };
  try {
    out(`kntc demo — ${count} generated local records (seed ${seed}) through the ingest API to the national simulator\n`);
    // ---------------------------------------------------------------- Redis
    let redis: DemoRedis;
    redis = await ensureDemoRedis(base.REDIS_URL);
    if (redis.started) {
      out(`  Redis: none answered at ${base.REDIS_URL}; started a throw-away redis-server at ${redis.url} (stopped at the end)\n`);
      cleanups.push(() => redis.stop());
    } else out(`  Redis: ${redis.url}\n`);
    const prefix = `kntc-demo-${ts}`.toLowerCase();

    // ---------------------------------------------------------------- simulator
    const { startSimulator } = await import('../simulator/index.js');
    const sim = await startSimulator({
      host: '127.0.0.1',
      port: await pickPort(opts.simulatorPort, 4010),
      ...(opts.faults === false ? {} : { faults: DEMO_FAULTS(seed) }),
      quiet: true,
    });
    cleanups.push(() => sim.close());
    out(`  National simulator: ${sim.baseUrl}${opts.faults === false ? '' : ' (mild faults: ~3 % 5xx, some after the write, resets, latency)'}; reference data: ${sim.reference.origin.includes('shared') ? '../shared/data' : 'built-in sample'}\n`);

    const cfg: Config = loadConfig(env, {
      REDIS_URL: redis.url,
      KNTC_PREFIX: prefix,
      NATIONAL_API_URL: sim.baseUrl,
      NATIONAL_CLIENT_ID: 'demo-connector',
      NATIONAL_CLIENT_SECRET: 'demo-secret',
      INGEST_KEYS_FILE: '',
      INGEST_HOST: '127.0.0.1',
      JOB_BACKOFF_MS: '1000',
    });

    // ---------------------------------------------------------------- pipeline, workers, ingest API
    let createPipeline: typeof import('../pipeline/index.js').createPipeline;
    let startWorkers: typeof import('../pipeline/index.js').startWorkers;
    let buildIngestServer: typeof import('../ingest/server.js').buildIngestServer;
    try {
      ({ createPipeline, startWorkers } = await import('../pipeline/index.js'));
      ({ buildIngestServer } = await import('../ingest/server.js'));
    } catch (e) {
      throw new DemoError(`a connector piece is missing or does not load: ${(e as Error).message}`, 1);
    }
    const pipeline = createPipeline(cfg);
    cleanups.push(() => pipeline.close());
    const ready = await pipeline.ready();
    if (!ready.ok) throw new DemoError(`Redis at ${redis.url} is not usable: ${ready.reason}\n  (fix: redis-cli config set maxmemory-policy noeviction, or run scripts/ensure-redis.sh)`, 2);
    const workers = await startWorkers(cfg, {});
    cleanups.push(() => workers.close());
    const app: FastifyInstance = await buildIngestServer(cfg, { pipeline });
    const ingestUrl = await app.listen({ host: '127.0.0.1', port: await pickPort(opts.ingestPort, 8080) });
    cleanups.push(() => app.close());
    out(`  Ingest API: ${ingestUrl} (demo keys), workers in-process, Redis prefix ${prefix}\n`);
    out(`  Logs: ${logFile}\n`);

    // ---------------------------------------------------------------- data
    const { writeGenerated } = await import('../cli/commands/generate.js');
    const g = generateLocalRecords({ seed, count, reference: sim.reference });
    writeGenerated(dataDir, g, GENERATOR_SOURCES);
    const fed = await rawsOf(g, GENERATOR_SOURCES);
    const distinct = new Set(fed.flatMap((f) => f.ids)).size;
    const lines = fed.reduce((s, f) => s + f.raws.length, 0);
    out(`  Generated ${distinct} local records (${lines} lines: qldt versions, repeats and late versions included), ${g.stats.broken} with deliberate problems, ${g.stats.duplicateGroups} duplicate groups → ${dataDir}\n\n`);

    // ---------------------------------------------------------------- feed through HTTP (batch endpoint)
    const outcomes: Record<string, number> = {};
    let requests = 0;
    let accepted = 0;
    let sentDone = false;
    const feeding = (async () => {
      // one local system per source, in parallel; each sends its own file in order, 100 records per request
      await Promise.all(fed.map(async (f) => {
        for (let i = 0; i < f.raws.length && !opts.signal?.aborted; i += 100) {
          const chunk = f.raws.slice(i, i + 100);
          const r = await postBatch(`${ingestUrl}/v1/records/${f.source}/batch`, f.key, chunk, opts.signal);
          requests++;
          for (const [k, v] of Object.entries(r.outcomes)) {
            outcomes[k] = (outcomes[k] ?? 0) + v;
            if (k === 'accepted') accepted += v;
          }
        }
      }));
      sentDone = true;
    })();
    feeding.catch(() => undefined);

    // ---------------------------------------------------------------- progress until settled
    const timeoutMs = opts.timeoutMs ?? 300_000;
    let settled = false;
    let lastLine = 0;
    let byState: Record<string, number> = {};
    let total = 0;
    while (!opts.signal?.aborted) {
      const feedErr = await Promise.race([feeding.then(() => undefined, (e: unknown) => e), sleep(400, opts.signal).then(() => undefined)]);
      if (feedErr) throw feedErr;
      const s = await pipeline.ledger.summary();
      byState = s.byState;
      total = s.total;
      const q = await pipeline.counts();
      const depth = (name: string) => {
        const c = q[name] ?? {};
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0);
      };
      const busy = (byState.received ?? 0) + (byState.mapped ?? 0) + (byState.pushing ?? 0);
      const phase = !sentDone ? 'sending' : depth('map') > 0 ? 'mapping' : depth('push') > 0 || busy > 0 ? 'pushing' : depth('dedupe') > 0 ? 'duplicate check' : 'settling';
      const line = `[${phase}] accepted ${accepted} | mapped ${total - (byState.received ?? 0)} | pushed ${byState.pushed ?? 0} | rejected ${byState.rejected ?? 0} | jobs queued map ${depth('map')} push ${depth('push')} dedupe ${depth('dedupe')} | ${((Date.now() - started) / 1000).toFixed(0)} s`;
      if (showProgress) {
        if (tty) progressOut(`\r\x1b[2K${line}`);
        else if (Date.now() - lastLine > 2000) {
          progressOut(line + '\n');
          lastLine = Date.now();
        }
      }
      if (sentDone && total >= distinct && busy === 0 && depth('map') === 0 && depth('push') === 0 && depth('dedupe') === 0) {
        settled = true;
        if (showProgress) progressOut(tty ? `\r\x1b[2K${line}\n` : line + '\n');
        break;
      }
      if (Date.now() - started > timeoutMs) {
        if (showProgress) progressOut(tty ? '\n' : '');
        break;
      }
    }
    await feeding.catch(() => undefined);

    // ---------------------------------------------------------------- summary
    const { summary, records } = await summarize({ g, fed, pipeline, sim, prefix, dir, logFile, dataDir, started, settled, requests, outcomes, lines });
    const inspect = sim.inspect();
    if (opts.signal?.aborted && !settled) summary.interrupted = true;
    out(renderSummary(summary, { ingestUrl, simUrl: sim.origin, redisStarted: redis.started, redisUrl: redis.url, keepRunning: Boolean(opts.keepRunning) }));
    const exitCode = opts.signal?.aborted ? 130 : summary.settled && summary.stuck.length === 0 && summary.consistent ? 0 : 1;
    const urls = { ingest: ingestUrl, simulator: sim.baseUrl, metrics: `${ingestUrl}/metrics` };

    if (opts.keepRunning && !opts.signal?.aborted) {
      const { DEMO_KEYS } = await import('../ingest/keys.js');
      out([
        '',
        'Still running (--keep-running); Ctrl-C stops everything.',
        `  Ingest API   ${ingestUrl}   keys: ${DEMO_KEYS.map((k) => `${k.plaintext} (${k.source})`).join(', ')}`,
        `    curl -H 'Authorization: Bearer demo-qldt-key' ${ingestUrl}/v1/whoami`,
        `    curl -H 'Authorization: Bearer demo-qldt-key' ${ingestUrl}/v1/records/qldt/<agency>/<localId>`,
        `    curl -H 'Authorization: Bearer ${cfg.KNTC_ADMIN_TOKEN.reveal()}' ${ingestUrl}/metrics`,
        `  Simulator    ${sim.baseUrl}   client demo-connector / demo-secret`,
        `    curl -H 'Authorization: Bearer ${sim.adminToken}' ${sim.origin}/_sim/inspect`,
        `  CLI against this run: REDIS_URL=${redis.url} KNTC_PREFIX=${prefix} NATIONAL_API_URL=${sim.baseUrl} node bin/kntc.js status …`,
        '',
      ].join('\n'));
      await new Promise<void>((res) => {
        if (!opts.signal) return; // without a signal: runs until the process is killed
        if (opts.signal.aborted) res();
        else opts.signal.addEventListener('abort', () => res(), { once: true });
      });
    }
    if (opts.keepKeys === false || (opts.keepKeys === undefined && redis.started)) await dropKeys(redis.url, prefix).catch(() => undefined);
    return { exitCode, summary, urls, inspect, records };
  } finally {
    await closeAll();
    setRootLogger(prevRoot);
    await new Promise<void>((res) => dest.flush(() => res()));
  }
}

async function dropKeys(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

interface SummarizeInput {
  g: GeneratedData;
  fed: Fed[];
  pipeline: import('../pipeline/index.js').Pipeline;
  sim: import('../simulator/index.js').RunningSimulator;
  prefix: string; dir: string; logFile: string; dataDir: string;
  started: number; settled: boolean; requests: number; outcomes: Record<string, number>; lines: number;
}

async function summarize(x: SummarizeInput): Promise<{ summary: DemoSummary; records: DemoRecordView[] }> {
  const { getMapper } = await import('../../mappers/registry.js');
  // every distinct local record and its final status
  const refs = new Map<string, { source: SourceName; agency: string; localId: string }>();
  for (const f of x.fed) {
    const m = getMapper(f.source)!;
    for (const raw of f.raws) {
      const id = m.identify(raw);
      if (id) refs.set(`${f.source}|${id.agency}|${id.localId}`, { source: f.source, agency: id.agency, localId: id.localId });
    }
  }
  const statuses = await Promise.all([...refs.values()].map(async (r) => ({ ref: r, st: await x.pipeline.status(r.source, r.agency, r.localId) })));
  const byState: Record<string, number> = {};
  const bySource: Record<string, Record<string, number>> = {};
  const pushedByKind: Record<string, number> = {};
  const rejectedBy = { mapper: {} as Record<string, number>, national: {} as Record<string, number> };
  const stuck: DemoSummary['stuck'] = [];
  let warnings = 0;
  const nationalOf = new Map<string, string>(); // nationalId → source|localId
  for (const { ref, st } of statuses) {
    const state = st?.state ?? 'missing';
    byState[state] = (byState[state] ?? 0) + 1;
    (bySource[ref.source] ??= {})[state] = (bySource[ref.source]![state] ?? 0) + 1;
    if (state !== 'pushed' && state !== 'rejected') stuck.push({ ...ref, state });
    for (const o of st?.outputs ?? []) {
      if (o.state === 'pushed' || o.state === 'superseded') pushedByKind[o.kind] = (pushedByKind[o.kind] ?? 0) + 1;
      if (o.nationalId) nationalOf.set(o.nationalId, `${ref.source}|${ref.localId}`);
    }
    const issues = (st?.issues ?? []) as { code: string; severity: string; origin?: string }[];
    warnings += issues.filter((i) => i.severity === 'warning').length;
    if (state === 'rejected') {
      for (const origin of ['mapper', 'national'] as const) {
        const codes = new Set(issues.filter((i) => i.severity === 'error' && (i.origin ?? 'mapper') === origin).map((i) => i.code));
        for (const c of codes) rejectedBy[origin][c] = (rejectedBy[origin][c] ?? 0) + 1;
      }
      if (!issues.some((i) => i.severity === 'error') && !st?.lastError) stuck.push({ ...ref, state: 'rejected-without-reason' });
    }
  }
  const rejectedIds = new Set(statuses.filter((s) => s.st?.state === 'rejected').map((s) => `${s.ref.source}|${s.ref.localId}`));
  const brokenRejected = x.g.labels.broken.filter((b) => rejectedIds.has(`${b.source}|${b.localId}`)).length;

  // the simulator's own view
  const insp = x.sim.inspect();
  const recs = Object.values(insp.records);
  const byKind: Record<string, number> = {};
  for (const r of recs) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  const createdOnceEach = recs.every((r) => r.creates === 1);
  const kinds = new Set([...Object.keys(byKind), ...Object.keys(pushedByKind)]);
  const consistent = createdOnceEach && [...kinds].every((k) => (byKind[k] ?? 0) === (pushedByKind[k] ?? 0));

  // duplicates: links made on the national side vs the generator's ground truth
  let duplicates: DemoSummary['duplicates'];
  const links = insp.links.filter((l) => l.trangThai !== 'DA_HUY' && l.trangThai !== 'DA_GO');
  const dedupeLoaded = await import('../dedupe/processor.js').then(() => true, () => false);
  if (dedupeLoaded) {
    const linked = new Set(links.map((l) => [nationalOf.get(l.maHoSo), nationalOf.get(l.maHoSoKhac)].sort().join('~')));
    let labelledPairs = 0, labelledPairsLinked = 0;
    for (const grp of x.g.labels.duplicateGroups) {
      const ms = grp.members.map((m) => `${m.source}|${m.localId}`);
      for (let i = 0; i < ms.length; i++) {
        for (let j = i + 1; j < ms.length; j++) {
          labelledPairs++;
          if (linked.has([ms[i], ms[j]].sort().join('~'))) labelledPairsLinked++;
        }
      }
    }
    duplicates = { links: links.length, labelledPairs, labelledPairsLinked };
  }
  const records: DemoRecordView[] = statuses.map(({ ref, st }) => ({
    ...ref,
    state: st?.state ?? 'missing',
    outputs: (st?.outputs ?? []).map((o) => ({ kind: o.kind, state: o.state, ...(o.nationalId ? { nationalId: o.nationalId } : {}) })),
    errorCodes: [...new Set(((st?.issues ?? []) as { code: string; severity: string }[]).filter((i) => i.severity === 'error').map((i) => i.code))],
  }));
  const ex = (state: string) => {
    const r = records.find((v) => v.state === state);
    return r ? { source: r.source, agency: r.agency, localId: r.localId } : undefined;
  };
  const pushedEx = ex('pushed');
  const rejectedEx = ex('rejected');
  const summary: DemoSummary = {
    examples: { ...(pushedEx ? { pushed: pushedEx } : {}), ...(rejectedEx ? { rejected: rejectedEx } : {}) },
    prefix: x.prefix, dir: x.dir, logFile: x.logFile, dataDir: x.dataDir,
    elapsedMs: Date.now() - x.started,
    settled: x.settled,
    sent: { records: refs.size, lines: x.lines, requests: x.requests, outcomes: x.outcomes },
    byState, bySource, pushedByKind, rejectedBy, warnings,
    brokenLabelled: x.g.labels.broken.length, brokenRejected,
    ...(duplicates ? { duplicates } : {}),
    simulator: {
      records: recs.length, byKind,
      creates: insp.totals.creates, updates: insp.totals.updates, noops: insp.totals.noops,
      createdOnceEach, faults: insp.totals.faults, rateLimited: insp.totals.rateLimited + insp.totals.concurrencyLimited,
      replays: insp.totals.replays, requests: insp.totals.requests,
    },
    consistent,
    stuck,
  };
  return { summary, records };
}

export function renderSummary(s: DemoSummary, ctx: { ingestUrl: string; simUrl: string; redisStarted: boolean; redisUrl: string; keepRunning: boolean }): string {
  const faults = Object.values(s.simulator.faults).reduce((a, b) => a + b, 0);
  const ex = s.stuck[0];
  const L: string[] = [];
  L.push('');
  L.push(s.settled ? `Done in ${(s.elapsedMs / 1000).toFixed(1)} s.` : s.interrupted ? `Interrupted after ${(s.elapsedMs / 1000).toFixed(1)} s (Ctrl-C): ${s.stuck.length} record(s) were still in flight; what they reached is below.` : `NOT SETTLED after ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.stuck.length} record(s) still in flight.`);
  L.push(`  Sent through the ingest API: ${s.sent.lines} lines in ${s.sent.requests} batch requests → ${fmtCounts(s.sent.outcomes, ['accepted', 'unchanged', 'older', 'rejected'])}`);
  L.push(`  Local records: ${s.sent.records} → pushed ${s.byState.pushed ?? 0}, rejected for review ${s.byState.rejected ?? 0}${s.stuck.length ? `, STUCK ${s.stuck.length}` : ''}`);
  for (const [src, c] of Object.entries(s.bySource)) L.push(`    ${src.padEnd(8)} ${fmtCounts(c, ['pushed', 'rejected'])}`);
  L.push(`  National records pushed: ${fmtCounts(s.pushedByKind)}  (so-tiep rows with a đơn give a luot-tiep and a ho-so-don)`);
  L.push(`  Rejected, by reason (distinct records; a record can have several):`);
  L.push(`    mapper pre-check: ${fmtCounts(s.rejectedBy.mapper)}`);
  L.push(`    national answer:  ${fmtCounts(s.rejectedBy.national)}`);
  L.push(`  Deliberate problems in the data: ${s.brokenLabelled}, of which rejected: ${s.brokenRejected}; warnings recorded: ${s.warnings}`);
  if (s.duplicates) L.push(`  Duplicates: ${s.duplicates.links} links made on the national side; labelled duplicate pairs linked: ${s.duplicates.labelledPairsLinked}/${s.duplicates.labelledPairs}`);
  else L.push('  Duplicates: src/dedupe/processor.ts not present, no duplicate check ran');
  L.push(`  Simulator inspection: ${s.simulator.records} records (${fmtCounts(s.simulator.byKind)}), creates ${s.simulator.creates}, updates ${s.simulator.updates}, ` +
    `created exactly once each: ${s.simulator.createdOnceEach ? 'yes' : 'NO'}; ledger and simulator agree: ${s.consistent ? 'yes' : 'NO'}`);
  L.push(`    ${s.simulator.requests} national requests, ${faults} injected faults (${fmtCounts(s.simulator.faults)}), ${s.simulator.replays} idempotent replays, ${s.simulator.rateLimited} answered 429`);
  if (ex) L.push(`  Example stuck record: ${ex.source} ${ex.agency} ${ex.localId} (${ex.state})`);
  L.push('');
  L.push('Where to look:');
  const env = `REDIS_URL=${ctx.redisUrl} KNTC_PREFIX=${s.prefix}`;
  const live = ctx.redisStarted && !ctx.keepRunning ? '  (the throw-away Redis is gone when the demo ends: use --keep-running to query it)' : '';
  const st = (r: { source: string; agency: string; localId: string }) => `${env} node bin/kntc.js status --source ${r.source} --agency ${r.agency} --local-id ${r.localId}`;
  if (live) L.push(live.trim());
  if (s.examples.pushed) L.push(`  a pushed record:   ${st(s.examples.pushed)}`);
  if (s.examples.rejected) L.push(`  a rejected record: ${st(s.examples.rejected)}`);
  L.push(`  error report:      ${env} node bin/kntc.js report errors`);
  L.push(`  metrics:           ${ctx.ingestUrl}/metrics (Authorization: Bearer <KNTC_ADMIN_TOKEN>)${ctx.keepRunning ? '' : ' — while running (--keep-running)'}`);
  L.push(`  log file:          ${s.logFile}`);
  L.push(`  generated data:    ${s.dataDir} (qldt.jsonl, so-tiep.csv, pakn.json, labels.json = the ground truth)`);
  L.push('');
  return L.join('\n') + '\n';
}
