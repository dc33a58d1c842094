/**
 * The ingest API (`kntc serve`): local systems push raw records; the connector stores
 * them durably (pipeline.accept → ledger + map queue) and answers 202 with tracking ids
 * only after that resolved. Every refusal (401/403/413/415/422/429/400) happens before
 * pipeline.accept is called, so a refused request leaves nothing behind.
 *
 * Order of checks for a write, cheapest and most important first:
 *   onRequest (body not read yet): key present → key known → rate → source known →
 *     source = key's source (→ 401/429/404/403)
 *   body read with bodyLimit (→ 413), JSON parse (→ 400), envelope strict (→ 400),
 *   batch size (→ 400), every record identified + agency in key scope (→ 422/403),
 *   pipeline.accept (→ 503 if Redis fails) → 202.
 *
 * Logs carry request id, key id, source, counts and error codes — never bodies, never
 * error messages of the JSON parser (Node puts a slice of the input in them).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Config } from '../../config/index.js';
import { logger as rootLogger, type Logger } from '../log/logger.js';
import { adminGuard, keyGuard } from './auth.js';
import { parseBatch, parseSingle } from './envelope.js';
import { IngestError, errorBody, type ErrorDetail, type IngestErrorCode } from './errors.js';
import { KeyStore, demoKeyEntries, loadKeyFile, type KeyEntry } from './keys.js';
import { SharedTokenBuckets, TokenBuckets, type KeyRateLimiter, type SharedTokenBucketsOptions } from './rate-limit.js';
import type { IngestPipeline, MapperLookup } from './types.js';
import { assertInScope, checkScope } from './validate.js';
import { publicAccept, publicStatus, statusPath } from './views.js';
import { resolveOfficers, type OfficerEntry, type OfficerStore } from './officers.js';
import type { DedupeStore } from '../dedupe/store.js';
import type { DedupePort } from '../dedupe/processor.js';
import { ledgerDescribe, type Describe, type LabelLedger } from '../dedupe/view.js';

export interface IngestServerOptions {
  pipeline: IngestPipeline;
  /** Key entries or a ready store; default: INGEST_KEYS_FILE, or the demo keys when it is empty. */
  keys?: readonly KeyEntry[] | KeyStore;
  /** Default: mappers/registry.ts getMapper. */
  mappers?: MapperLookup;
  /** Default: src/metrics.ts registry. */
  metrics?: Registry;
  /** Default: logger().child({component: 'ingest'}). */
  logger?: Logger;
  /** Rate-limiter clock in ms (tests). */
  now?: () => number;
  /** Burst of the per-key bucket (default: one second of INGEST_RATE_LIMIT_RPS). */
  rateBurst?: number;
  /** Redis of the shared per-key buckets (INGEST_LIMIT_SCOPE=redis), borrowed; default: a connection of its own to REDIS_URL. */
  rateRedis?: SharedTokenBucketsOptions['redis'];
  /** How long /health/ready waits for pipeline.ready(). */
  readyTimeoutMs?: number;
  /** BullMQ queues to show on the operators' board at /admin/board (bull-board); none = no board. */
  boardQueues?: readonly Queue[];
  /** Officer duplicate routes (/duplicates…, src/dedupe/routes.ts); absent = not mounted. `kntc serve` always mounts them. */
  dedupe?: {
    store: DedupeStore;
    client: DedupePort;
    /** Labels: explicit, else from this ledger (src/dedupe/view.ts ledgerDescribe). */
    describe?: Describe;
    ledger?: LabelLedger;
    /** Officer accounts; default: OFFICERS_FILE, or the demo officers when it is empty. */
    officers?: readonly OfficerEntry[] | OfficerStore;
  };
}

const FILE_TYPES = ['text/plain', 'text/csv', 'application/x-ndjson', 'application/jsonl', 'application/json'];

/** Resolve keys: explicit > INGEST_KEYS_FILE > demo set. */
export function resolveKeys(cfg: Config, keys: IngestServerOptions['keys'], knownSources?: readonly string[]): { store: KeyStore; demo: boolean } {
  if (keys instanceof KeyStore) return { store: keys, demo: false };
  if (keys) return { store: new KeyStore(keys), demo: false };
  if (cfg.INGEST_KEYS_FILE) return { store: new KeyStore(loadKeyFile(cfg.INGEST_KEYS_FILE, knownSources)), demo: false };
  return { store: new KeyStore(demoKeyEntries()), demo: true };
}

function counter(reg: Registry | undefined, name: string, help: string, labelNames: string[]): Counter<string> | undefined {
  if (!reg) return undefined;
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [reg] });
}

async function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((res) => (t = setTimeout(() => res(fallback), ms)))]);
  } finally {
    if (t) clearTimeout(t);
  }
}

/** Map fastify's own errors (body limit, parser, media type) onto the ingest catalogue. */
function toIngestError(err: FastifyError | IngestError | Error): IngestError {
  if (err instanceof IngestError) return err;
  const code = (err as FastifyError).code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new IngestError('KNTC_ERR_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new IngestError('KNTC_ERR_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new IngestError('KNTC_ERR_MALFORMED_JSON');
  }
  const status = (err as FastifyError).statusCode;
  if (status === 400 && (err instanceof SyntaxError || code === undefined)) return new IngestError('KNTC_ERR_MALFORMED_JSON');
  if (status === 413) return new IngestError('KNTC_ERR_BODY_TOO_LARGE');
  if (status === 415) return new IngestError('KNTC_ERR_MEDIA_TYPE');
  if (status === 405) return new IngestError('KNTC_ERR_METHOD_NOT_ALLOWED');
  return new IngestError('KNTC_ERR_INTERNAL');
}

/** bull-board (job lists, retry of failed jobs) inside the admin scope, so the admin guard covers its pages, assets and API. */
async function registerBoard(scope: FastifyInstance, queues: readonly Queue[], basePath: string): Promise<void> {
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const serverAdapter = new FastifyAdapter();
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'kntc queues' } } });
  serverAdapter.setBasePath(basePath);
  await scope.register(serverAdapter.registerPlugin(), { prefix: basePath });
}

export async function buildIngestServer(cfg: Config, opts: IngestServerOptions): Promise<FastifyInstance> {
  const log = opts.logger ?? rootLogger().child({ component: 'ingest' });
  const mappers: MapperLookup = opts.mappers ?? (await import('../../mappers/registry.js')).getMapper;
  const metrics: Registry | undefined = cfg.METRICS_ENABLED ? (opts.metrics ?? (await import('../metrics.js')).registry) : undefined;
  const knownSources = opts.mappers ? undefined : (await import('../../mappers/registry.js')).SOURCE_NAMES;
  const { store: keys, demo } = resolveKeys(cfg, opts.keys, knownSources);
  if (demo) log.warn({ keys: keys.size }, 'INGEST_KEYS_FILE is empty: using the public DEMO API keys (see kntc serve --help); never in production');
  if (keys.size === 0) log.warn('no ingest API key configured: every write will be refused');
  // INGEST_LIMIT_SCOPE=redis: one bucket per key for all replicas (an injected test clock keeps it in process)
  const buckets: KeyRateLimiter = cfg.INGEST_LIMIT_SCOPE === 'redis' && !opts.now
    ? new SharedTokenBuckets({
      ...(opts.rateRedis ? { redis: opts.rateRedis } : { redisUrl: cfg.REDIS_URL }),
      prefix: cfg.KNTC_PREFIX, ratePerSec: cfg.INGEST_RATE_LIMIT_RPS, ...(opts.rateBurst !== undefined ? { burst: opts.rateBurst } : {}), logger: log,
    })
    : new TokenBuckets(cfg.INGEST_RATE_LIMIT_RPS, opts.rateBurst, opts.now);
  const pipeline = opts.pipeline;
  const maxBatch = cfg.INGEST_MAX_BATCH;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 2000;

  // Accepted records are counted by the pipeline (kntc_accepted_records_total); ingest adds its refusals.
  const mRefused = counter(metrics, 'kntc_ingest_refusals_total', 'Ingest requests refused, by error code.', ['code']);

  const app = Fastify({
    loggerInstance: log,
    bodyLimit: cfg.INGEST_MAX_BODY_BYTES,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // Only the (non-personal) route is logged per request: the default serializer keeps method/url/ids.
  });

  app.decorateRequest('apiKey', undefined);
  app.addHook('onClose', async () => buckets.close?.());
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((err: FastifyError | IngestError, req: FastifyRequest, reply: FastifyReply) => {
    const e = toIngestError(err);
    if (e.code === 'KNTC_ERR_INTERNAL') {
      // Name and fastify code only: messages may carry input fragments.
      req.log.error({ errName: err.name, errCode: (err as FastifyError).code }, 'ingest request failed');
    } else {
      req.log.info({ code: e.code, status: e.status, keyId: req.apiKey?.id }, 'ingest request refused');
    }
    mRefused?.inc({ code: e.code });
    if (e.retryAfterSec !== undefined) reply.header('retry-after', String(e.retryAfterSec));
    return reply.code(e.status).type('application/json; charset=utf-8').send(e.toBody(req.id));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody('KNTC_ERR_NOT_FOUND', [], req.id));
  });

  // ---------- health (no auth: probes) ----------
  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (req, reply) => {
    let r: { ok: boolean; reason?: string };
    try {
      r = await withTimeout(pipeline.ready(), readyTimeoutMs, { ok: false, reason: 'readiness check timed out' });
    } catch (e) {
      r = { ok: false, reason: (e as Error).name };
    }
    if (r.ok) return { status: 'ready' };
    req.log.warn({ reason: r.reason }, 'not ready');
    return reply.code(503).send({ ...errorBody('KNTC_ERR_NOT_READY', [], req.id), reason: r.reason ?? 'not ready' });
  });

  // ---------- operators (admin token) ----------
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminGuard(cfg.KNTC_ADMIN_TOKEN.reveal(), (code) => mRefused?.inc({ code })));
    admin.get('/metrics', async (_req, reply) => {
      if (!metrics) throw new IngestError('KNTC_ERR_NOT_FOUND');
      reply.type(metrics.contentType);
      return metrics.metrics();
    });
    admin.get('/admin/queues', async () => ({ queues: await pipeline.counts(), at: new Date().toISOString() }));
    if (opts.boardQueues?.length) await registerBoard(admin, opts.boardQueues, '/admin/board');
  });

  // ---------- officers (officer accounts; operator token = masked read-only) ----------
  if (opts.dedupe) {
    const d = opts.dedupe;
    const { store: officers, demo: demoOfficers } = resolveOfficers(cfg, d.officers);
    if (demoOfficers) log.warn({ officers: officers.size }, 'OFFICERS_FILE is empty: using the public DEMO officer tokens (see kntc serve --help); never in production');
    const { dedupeRoutes } = await import('../dedupe/routes.js');
    await app.register(dedupeRoutes, {
      store: d.store, client: d.client, officers, adminToken: cfg.KNTC_ADMIN_TOKEN,
      describe: d.describe ?? (d.ledger ? ledgerDescribe(d.ledger) : undefined),
      onRefused: (code) => mRefused?.inc({ code }),
    });
  }

  // ---------- local systems (API key) ----------
  await app.register(async (v1) => {
    v1.addHook('onRequest', keyGuard(keys, buckets, mappers));

    async function acceptAll(req: FastifyRequest, reply: FastifyReply, source: string, raws: unknown[], pointer: (i: number) => string) {
      const key = req.apiKey!;
      const mapper = mappers(source)!;
      assertInScope(checkScope(mapper, raws, key.agencies), pointer);
      let results;
      try {
        results = await pipeline.accept(source, raws, { channel: 'api', keyId: key.id });
      } catch (e) {
        req.log.error({ errName: (e as Error).name, errCode: (e as { code?: unknown }).code, count: raws.length }, 'pipeline.accept failed');
        reply.header('retry-after', '5');
        throw new IngestError('KNTC_ERR_PIPELINE_UNAVAILABLE');
      }
      const byOutcome: Record<string, number> = {};
      for (const r of results) {
        byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
      }
      req.log.info({ keyId: key.id, source, count: results.length, outcomes: byOutcome }, 'records accepted');
      return reply.code(202).send({
        requestId: req.id,
        source,
        count: results.length,
        outcomes: byOutcome,
        results: results.map((r) => publicAccept(r, statusPath(source, r.agency, r.localId))),
      });
    }

    v1.get('/v1/whoami', async (req) => ({ keyId: req.apiKey!.id, source: req.apiKey!.source, agencies: [...req.apiKey!.agencies] }));

    v1.post<{ Params: { source: string } }>('/v1/records/:source', async (req, reply) => {
      return acceptAll(req, reply, req.params.source, parseSingle(req.body), () => '/record');
    });

    v1.post<{ Params: { source: string } }>('/v1/records/:source/batch', async (req, reply) => {
      return acceptAll(req, reply, req.params.source, parseBatch(req.body, maxBatch), (i) => `/records/${i}`);
    });

    v1.get<{ Params: { source: string; agency: string; localId: string } }>('/v1/records/:source/:agency/:localId', async (req) => {
      const { source, agency, localId } = req.params;
      let s;
      try {
        s = await pipeline.status(source, agency, localId);
      } catch (e) {
        req.log.error({ errName: (e as Error).name }, 'pipeline.status failed');
        throw new IngestError('KNTC_ERR_PIPELINE_UNAVAILABLE');
      }
      if (!s) throw new IngestError('KNTC_ERR_RECORD_NOT_FOUND');
      return publicStatus(s);
    });

    // Raw export files, parsed exactly as `kntc enqueue` parses them. The body is text in any
    // of the file formats; JSON is NOT parsed as an envelope here.
    await v1.register(async (files) => {
      files.removeAllContentTypeParsers();
      files.addContentTypeParser(FILE_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
      files.post<{ Params: { source: string }; Headers: { 'x-file-name'?: string } }>('/v1/files/:source', async (req, reply) => {
        const source = req.params.source;
        const text = typeof req.body === 'string' ? req.body : '';
        if (!text.trim()) throw new IngestError('KNTC_ERR_BATCH_EMPTY');
        const fileName = typeof req.headers['x-file-name'] === 'string' ? req.headers['x-file-name'].slice(0, 255) : undefined;
        const parsed = mappers(source)!.parse(text, fileName);
        if (parsed.length > maxBatch) throw new IngestError('KNTC_ERR_BATCH_TOO_LARGE', [{ reason: `max ${maxBatch}, got ${parsed.length}` }]);
        const unreadable: ErrorDetail[] = parsed.flatMap((p, i) => (p.ok ? [] : [{ index: i, pointer: `/lines/${p.line}`, reason: p.issue.code }]));
        if (unreadable.length) throw new IngestError('KNTC_ERR_RECORD_UNIDENTIFIABLE', unreadable);
        if (parsed.length === 0) throw new IngestError('KNTC_ERR_BATCH_EMPTY');
        const raws = parsed.map((p) => (p.ok ? p.raw : undefined));
        const lines = parsed.map((p) => p.line);
        return acceptAll(req, reply, source, raws, (i) => `/lines/${lines[i] ?? i}`);
      });
    });
  });

  return app as unknown as FastifyInstance;
}

export type { IngestErrorCode };
