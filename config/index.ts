/**
 * Configuration: parsed once with zod from the environment (and an optional JSON
 * config file named by KNTC_CONFIG_FILE; the environment wins), then frozen.
 * Secrets are wrapped in `Secret` and never printed. An invalid configuration
 * throws ConfigError naming each variable and what is wrong; the CLI prints it
 * and exits with code 78 (EX_CONFIG).
 *
 * Every setting is listed in SETTINGS with its default and meaning; the README
 * table is generated from it (`kntc config --markdown`) so the two cannot drift.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Secret } from './secret.js';

export { Secret };

const here = dirname(fileURLToPath(import.meta.url));
/** Project root (config/ sits at the top level, also when run from dist/config). */
export const PROJECT_ROOT = existsSync(resolve(here, '..', 'package.json')) ? resolve(here, '..') : resolve(here, '..', '..');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const secret = z.string().transform((s) => new Secret(s));
const url = z.string().url();

interface Setting {
  schema: z.ZodTypeAny;
  default: string | undefined;
  secret?: boolean;
  doc: string;
}

/** name → (schema, default, doc). Keep in alphabetical groups; the README table is generated from this. */
export const SETTINGS = {
  // --- Redis / queues
  REDIS_URL: { schema: url, default: 'redis://127.0.0.1:6379', doc: 'Redis used by BullMQ queues and the record ledger. Must run with `maxmemory-policy noeviction`.' },
  KNTC_PREFIX: { schema: z.string().regex(/^[a-z0-9_-]{1,32}$/i), default: 'kntc', doc: 'Key prefix for every Redis key and queue of this deployment (lets several deployments or tests share one Redis).' },
  WORKER_CONCURRENCY: { schema: int(1, 512), default: '32', doc: 'Jobs processed in parallel per worker process and queue.' },
  JOB_ATTEMPTS: { schema: int(1, 100), default: '8', doc: 'BullMQ attempts for a map or push job before it becomes a stored rejection (each push attempt itself retries in-call, see NATIONAL_RETRIES).' },
  JOB_BACKOFF_MS: { schema: int(0), default: '5000', doc: 'Base delay of the exponential job backoff (with jitter).' },
  JOB_BATCH_RECORDS: { schema: int(1, 100), default: '50', doc: 'Records carried by one map or push job (a batch job; 1 = a job per record). Records in flight per worker are about this × WORKER_CONCURRENCY per queue.' },
  // --- worker: recovery sweep, duplicate schedule, metrics
  REQUEUE_INTERVAL_SEC: { schema: int(0, 86400), default: '300', doc: 'Every worker process runs the requeue sweep at start and then this often (one replica at a time, Redis lock): a record stored but not moving (its map/push job missing, e.g. the enqueue failed after the ledger write) gets its job again. 0 disables.' },
  REQUEUE_GRACE_SEC: { schema: int(0, 7 * 86400), default: '300', doc: 'The requeue sweep only looks at records whose state has not changed for this long.' },
  DEDUPE_PULL_INTERVAL_SEC: { schema: int(0, 86400), default: '60', doc: 'Workers consuming the dedupe queue pull the duplicate links other agencies made this often (one replica at a time). 0 disables.' },
  DEDUPE_SWEEP_INTERVAL_SEC: { schema: int(0, 7 * 86400), default: '3600', doc: 'Workers consuming the dedupe queue re-run the duplicate search for own records checked longest ago this often (one replica at a time). 0 disables.' },
  DEDUPE_SWEEP_MAX: { schema: int(1, 100000), default: '500', doc: 'Own records re-checked per duplicate sweep.' },
  DEDUPE_PULL_AGENCIES: { schema: z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)), default: '', doc: 'Comma-separated agency codes to pull duplicate links for; empty = every agency seen in the ledger.' },
  WORKER_METRICS_PORT: { schema: int(0, 65535), default: '0', doc: 'Port where `kntc worker` serves /metrics (admin token) and /health/live, /health/ready; 0 = off (also `kntc worker --metrics-port`).' },
  WORKER_METRICS_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'Address the worker metrics endpoint listens on.' },
  // --- national API
  NATIONAL_API_URL: { schema: url, default: 'http://127.0.0.1:4010/api/v1', doc: 'Base URL of the national API (contract v1).' },
  NATIONAL_CLIENT_ID: { schema: z.string().min(1), default: 'demo-connector', doc: 'OAuth2 client id registered with the national side.' },
  NATIONAL_CLIENT_SECRET: { schema: secret, default: 'demo-secret', secret: true, doc: 'OAuth2 client secret.' },
  NATIONAL_TIMEOUT_MS: { schema: int(100, 120000), default: '10000', doc: 'Per-request timeout; a timed-out call is retried with the same Idempotency-Key.' },
  NATIONAL_RATE_LIMIT_RPS: { schema: num(0.1, 10000), default: '18', doc: 'Client-side request rate (token bucket), kept under the national 20/s.' },
  NATIONAL_RATE_BURST: { schema: int(1, 10000), default: '18', doc: 'Client-side burst size (national: 40).' },
  NATIONAL_MAX_IN_FLIGHT: { schema: int(1, 1000), default: '6', doc: 'Requests in flight at once (national: 8 per client); across all processes with NATIONAL_LIMIT_SCOPE=redis, else per process.' },
  NATIONAL_LIMIT_SCOPE: { schema: z.enum(['redis', 'process']), default: 'redis', doc: 'Where the national rate, in-flight cap and Retry-After pause live: `redis` = shared by every process with the same REDIS_URL, KNTC_PREFIX and NATIONAL_CLIENT_ID (any number of `kntc worker` replicas; falls back to these limits divided by the number of replicas if Redis stops answering); `process` = each process on its own (one replica only).' },
  NATIONAL_RETRIES: { schema: int(0, 20), default: '4', doc: 'In-call retries of a retryable failure (5xx, timeout, reset, 429, DANG_XU_LY).' },
  NATIONAL_RETRY_MIN_MS: { schema: int(0), default: '250', doc: 'First in-call retry delay (exponential, factor 2, with jitter).' },
  NATIONAL_RETRY_MAX_MS: { schema: int(0), default: '8000', doc: 'Largest in-call retry delay.' },
  NATIONAL_LINKAGE_SECRET: { schema: secret, default: 'kntc-demo-linkage-secret', secret: true, doc: 'National linkage secret shared by all connectors: the HMAC key of the duplicate-matching keys (contract §6).' },
  // --- ingest API
  INGEST_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'Address the ingest API listens on.' },
  INGEST_PORT: { schema: int(0, 65535), default: '8080', doc: 'Port of the ingest API (`kntc serve`).' },
  INGEST_KEYS_FILE: { schema: z.string(), default: '', doc: 'JSON file of local-system API keys (hashed) with their source kind and agencies; empty = the demo key set.' },
  OFFICERS_FILE: { schema: z.string(), default: '', doc: 'JSON file of officer accounts for /duplicates (id, hashed token, role can-bo | can-bo-to-cao, agencies); empty = the public demo officers.' },
  INGEST_MAX_BODY_BYTES: { schema: int(1024), default: '5242880', doc: 'Largest accepted request body (413 above).' },
  INGEST_MAX_BATCH: { schema: int(1, 100000), default: '1000', doc: 'Most records in one batch submission (400 above).' },
  INGEST_RATE_LIMIT_RPS: { schema: num(0.1, 100000), default: '50', doc: 'Requests per second per API key (429 with Retry-After above).' },
  INGEST_LIMIT_SCOPE: { schema: z.enum(['redis', 'process']), default: 'redis', doc: 'Where the per-key ingest rate lives: `redis` = one bucket per key shared by every `kntc serve` replica with the same REDIS_URL and KNTC_PREFIX (a Redis error falls back to the local bucket); `process` = per replica.' },
  KNTC_ADMIN_TOKEN: { schema: secret, default: 'demo-admin-token', secret: true, doc: 'Bearer token for operator endpoints (metrics, queue board, reviews).' },
  // --- ledger
  LEDGER_ENCRYPTION_KEY: { schema: secret, default: 'ZGVtby1vbmx5LWtleS0zMi1ieXRlcy1sb25nLSEhISE=', secret: true, doc: 'Base64 32-byte AES-256-GCM key for personal fields at rest. The default is for the demo only.' },
  LEDGER_KEY_ID: { schema: z.string().min(1).max(32), default: 'demo1', doc: 'Id stored with every encrypted value, for key rotation.' },
  LEDGER_OLD_KEYS: { schema: secret, default: '', secret: true, doc: 'Earlier ledger keys still to be read after a rotation, as `id=base64[,id2=base64…]` (new values are always written with LEDGER_ENCRYPTION_KEY under LEDGER_KEY_ID).' },
  // --- data and simulator
  DVHC_DATA_PATH: { schema: z.string(), default: '', doc: 'Folder with units-2025.json and units-before-2025-07.json for the simulator (empty: ../shared/data/dvhc if present, else the built-in sample).' },
  DON_VI_PATH: { schema: z.string(), default: '', doc: 'Agency catalogue JSON for the simulator (empty: ../shared/data/don-vi.json if present, else the built-in sample).' },
  SIMULATOR_PORT: { schema: int(0, 65535), default: '4010', doc: 'Port of `kntc simulator`.' },
  SIMULATOR_CLIENTS_FILE: { schema: z.string(), default: '', doc: 'JSON file of simulator clients (id, secret, agencies, limits); empty = one demo client covering every agency.' },
  SIMULATOR_FAULTS: { schema: z.string(), default: '', doc: 'Fault injection of `kntc simulator`: a FaultConfig as JSON text or a path to a JSON file (see src/simulator/types.ts); empty = no faults.' },
  // --- misc
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino log level.' },
  KNTC_DATA_DIR: { schema: z.string(), default: '.kntc', doc: 'Where the demo and CLI keep local files (generated data, reports, snapshots).' },
  TZ_OFFSET_MINUTES: { schema: int(-720, 840), default: '420', doc: 'Offset of local dates (Asia/Ho_Chi_Minh = +07:00, no DST).' },
  METRICS_ENABLED: { schema: bool, default: 'true', doc: 'Expose Prometheus metrics on the ingest API (`/metrics`, admin token).' },
} as const satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
export type Config = Readonly<{ [K in keyof Settings]: z.output<Settings[K]['schema']> }>;

export class ConfigError extends Error {
  readonly code = 'KNTC_ERR_CONFIG';
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n'));
    this.name = 'ConfigError';
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('must be a JSON object of SETTING: value');
    return raw as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([{ variable: 'KNTC_CONFIG_FILE', problem: `cannot read ${path}: ${(e as Error).message}` }]);
  }
}

/** Parse a configuration. Pure apart from reading KNTC_CONFIG_FILE; `overrides` win over everything (tests). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Settings, unknown>> = {}): Config {
  const file = env.KNTC_CONFIG_FILE ? readConfigFile(env.KNTC_CONFIG_FILE) : {};
  const known = new Set(Object.keys(SETTINGS));
  const problems: { variable: string; problem: string }[] = [];
  for (const k of Object.keys(file)) if (!known.has(k)) problems.push({ variable: k, problem: `unknown setting in ${env.KNTC_CONFIG_FILE}` });
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [keyof Settings, Setting][]) {
    const raw = name in overrides ? overrides[name] : env[name] !== undefined && env[name] !== '' ? env[name] : name in file ? file[name] : s.default;
    const r = s.schema.safeParse(raw);
    if (r.success) out[name] = r.data;
    else problems.push({ variable: name, problem: r.error.issues.map((i) => i.message).join('; ') + (s.secret ? '' : ` (got ${JSON.stringify(raw)})`) });
  }
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

let cached: Config | undefined;
/** The process-wide configuration, parsed on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** A printable view: secrets shown as set/unset, never their value. */
export function describeConfig(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg)) out[k] = v instanceof Secret ? (v.isSet ? '[secret: set]' : '[secret: empty]') : v;
  return out;
}

/** The README settings table. */
export function settingsMarkdown(): string {
  const rows = Object.entries(SETTINGS as Record<string, Setting>).map(
    ([k, s]) => `| \`${k}\` | ${s.secret ? '*(secret)* ' : ''}${s.default === '' ? '*(empty)*' : s.secret ? 'demo value' : `\`${s.default}\``} | ${s.doc} |`,
  );
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Resolve a path relative to the project root (for defaults like ../shared/data). */
export function projectPath(...parts: string[]): string {
  return resolve(PROJECT_ROOT, ...parts);
}
