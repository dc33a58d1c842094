import type { Command } from 'commander';
import pino from 'pino';
import { createLogger, setRootLogger } from '../../log/logger.js';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Redis } from 'ioredis';
import { getConfig } from '../../../config/index.js';
import { getMapper, SOURCE_NAMES } from '../../../mappers/registry.js';
import type { Catalogues, MapContext } from '../../../mappers/types.js';
import { makeCatalogues } from '../../contract/catalogues.js';
import { CATALOGUE_NAMES, type CatalogueItem, type CatalogueName } from '../../contract/schemas.js';
import { loadReferenceData, buildCatalogues } from '../../reference/dvhc.js';
import { todayLocal } from '../../vn/dates.js';
import { dryRun, formatDryRunTable, type DryRunLine } from '../../report/dry-run.js';

interface MapOpts {
  source: string;
  format: 'json' | 'table';
  catalogues?: string;
  showConfidential?: boolean;
  today?: string;
}

class RunError extends Error {}

/** Reference-data folder (../shared/data layout, or a dvhc folder) or a JSON dump {name: items[]}. */
function offlineCatalogues(spec: string): { cat: Catalogues; origin: string } {
  if (!existsSync(spec)) throw new RunError(`catalogues: ${spec} does not exist`);
  if (statSync(spec).isDirectory()) {
    let dvhcPath = spec;
    let donViPath = join(spec, 'don-vi.json');
    if (existsSync(join(spec, 'dvhc', 'units-2025.json'))) dvhcPath = join(spec, 'dvhc');
    else if (!existsSync(donViPath)) donViPath = join(dirname(spec), 'don-vi.json');
    if (!existsSync(join(dvhcPath, 'units-2025.json'))) throw new RunError(`catalogues: ${spec} has no units-2025.json (nor dvhc/units-2025.json)`);
    if (!existsSync(donViPath)) throw new RunError(`catalogues: no don-vi.json next to ${spec}`);
    const ref = loadReferenceData({ dvhcPath, donViPath });
    return { cat: makeCatalogues(buildCatalogues(ref)), origin: ref.origin };
  }
  const data = JSON.parse(readFileSync(spec, 'utf8')) as Record<string, unknown>;
  const out: Partial<Record<CatalogueName, CatalogueItem[]>> = {};
  for (const name of CATALOGUE_NAMES) {
    const v = data[name] as unknown;
    // either {name: items[]} or {name: {ten, phienBan, muc: items[]}} (the national answer)
    const items = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { muc?: unknown }).muc) ? (v as { muc: unknown[] }).muc : undefined;
    if (items) out[name] = items as CatalogueItem[];
  }
  if (Object.keys(out).length === 0) throw new RunError(`catalogues: ${spec} holds no catalogue`);
  return { cat: makeCatalogues(out), origin: spec };
}

/**
 * Does anything answer HTTP at the national base URL? (Any status counts: it is there.)
 * Returns why not (e.g. ECONNREFUSED, timeout), or undefined when it answers.
 */
function nationalUnreachable(url: string): Promise<string | undefined> {
  // node:http, not fetch: fetch refuses some ports outright ("bad port") that the national client would reach
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve('not a valid URL');
      return;
    }
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'GET', timeout: 3000 }, (res) => {
      res.resume();
      resolve(undefined);
    });
    req.on('timeout', () => {
      resolve('no answer within 3 s');
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

const HOW_TO_FIX =
  'The catalogues (administrative units, agencies, labels) are taken from the national API at run time. ' +
  'Set NATIONAL_API_URL to a national API that answers, start a local one with `kntc simulator` ' +
  '(it listens on the default NATIONAL_API_URL), or, for offline testing against the public reference data, ' +
  'pass --catalogues DIR (e.g. --catalogues ../shared/data).';

/**
 * Catalogues from the national API: through CatalogueStore (Redis cache, then a conditional
 * re-check so a cached copy is never staler than the national one) when Redis answers, else
 * fetched directly.
 */
async function nationalCatalogues(): Promise<{ cat: Catalogues; origin: string }> {
  const cfg = getConfig();
  const [{ createNationalClient }, { CatalogueStore }] = await Promise.all([import('../../national/client.js'), import('../../national/catalogue-store.js')]);
  const client = createNationalClient(cfg);
  const redis = new Redis(cfg.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    let redisOk = false;
    try {
      await redis.connect();
      redisOk = (await redis.ping()) === 'PONG';
    } catch {
      redisOk = false;
    }
    if (redisOk) {
      const store = new CatalogueStore(client, redis, cfg.KNTC_PREFIX);
      await store.load();
      const r = await store.refresh();
      if (r.failed.length) {
        process.stderr.write(`kntc map: warning: could not re-check ${r.failed.map((f) => `${f.name} (${f.code})`).join(', ')} with the national API; using the copy cached in Redis\n`);
      }
      return { cat: store.current(), origin: `${cfg.NATIONAL_API_URL} (cache Redis ${cfg.KNTC_PREFIX}:cat:*)` };
    }
    const data: Partial<Record<CatalogueName, CatalogueItem[]>> = {};
    for (const name of CATALOGUE_NAMES) data[name] = (await client.catalogue(name)).muc;
    return { cat: makeCatalogues(data), origin: cfg.NATIONAL_API_URL };
  } finally {
    redis.disconnect();
    await client.close().catch(() => undefined);
  }
}

/**
 * Default (and `--catalogues national`): the national API, never a local file. Local reference
 * data only with an explicit `--catalogues DIR|FILE` (offline testing against the public data).
 */
async function loadCatalogues(spec: string | undefined): Promise<{ cat: Catalogues; origin: string }> {
  if (spec && spec !== 'national') return offlineCatalogues(spec);
  const url = getConfig().NATIONAL_API_URL;
  const why = await nationalUnreachable(url);
  if (why) throw new RunError(`the national API at ${url} (NATIONAL_API_URL) does not answer (${why}). ${HOW_TO_FIX}`);
  try {
    return await nationalCatalogues();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new RunError(`the national API at ${url} (NATIONAL_API_URL) answers, but its catalogues could not be read (${typeof code === 'string' ? `${code}: ` : ''}${(e as Error).message}). ${HOW_TO_FIX}`);
  }
}

export function registerMap(program: Command): void {
  program
    .command('map')
    .description('Dry run of the mapping: convert local export files and show, per record, what would be sent to the national database and every issue (nothing is queued or sent).')
    .argument('<files...>', 'local export files (qldt: .jsonl, so-tiep: .csv, pakn: .json)')
    .requiredOption('--source <name>', `source kind: ${SOURCE_NAMES.join(' | ')}`)
    .option('--format <format>', 'json: one JSON line per source record; table: readable Vietnamese summary', 'json')
    .option('--catalogues <DIR>', 'for offline testing only: take the catalogues from a reference-data folder (the public data, ../shared/data layout) or a JSON dump of national catalogue answers instead of the national API. Default: the national API at NATIONAL_API_URL (cached in Redis when it answers); when the national API does not answer, kntc map fails (exit 1) rather than guess with local files. "national" = the default')
    .option('--show-confidential', 'show the identity of người tố cáo (masked by default, Luật Tố cáo Đ56)')
    .option('--today <date>', 'treat this as today (YYYY-MM-DD, Vietnam) for the future-date checks; default: the real date')
    .addHelpText(
      'after',
      `
Output (json): per source record one line
  {"source","localId","ok","records":[{"kind","body"}],"issues":[{code,severity,source,national,recordKind,message,hint}],
   "file","line","version","mappingVersion","blocked"}
A record with errors is not sent by the pipeline; it is kept for an officer. Bodies show personal data (your own
file); petitioners of a tố cáo are masked unless --show-confidential.
Catalogues (administrative units, agencies, labels) come from the national API at NATIONAL_API_URL, as the
connector uses them at run time. If it does not answer, the run fails: reading local files instead would report
codes the national side knows as unknown. --catalogues DIR is for offline testing against the public data only.
Exit codes: 0 the run completed (even when records have errors); 1 a file could not be read, or no catalogues
(national API unreachable, unreadable --catalogues); 2 usage (unknown source, bad option).
Examples:
  NATIONAL_API_URL=https://…/api/v1 kntc map --source qldt FILE --format table
  NATIONAL_API_URL=https://…/api/v1 kntc map --source so-tiep export.csv > mapped.jsonl
  kntc simulator &   # a local national API on the default NATIONAL_API_URL (http://127.0.0.1:4010/api/v1)
  kntc map --source qldt ../shared/samples/qldt-lai-chau.jsonl --catalogues ../shared/data   # offline test
`,
    )
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (files: string[], opts: MapOpts) => {
      // stdout carries the output (JSON lines / CSV): logs go to stderr
      setRootLogger(createLogger({}, pino.destination({ fd: 2, sync: true })));
      const mapper = getMapper(opts.source);
      if (!mapper) {
        process.stderr.write(`kntc map: unknown source "${opts.source}" (known: ${SOURCE_NAMES.join(', ')})\n`);
        process.exit(2);
      }
      if (opts.format !== 'json' && opts.format !== 'table') {
        process.stderr.write(`kntc map: --format must be json or table\n`);
        process.exit(2);
      }
      if (opts.today && !/^\d{4}-\d{2}-\d{2}$/.test(opts.today)) {
        process.stderr.write(`kntc map: --today must be YYYY-MM-DD\n`);
        process.exit(2);
      }
      // read every file first: an unreadable file fails the run before anything is printed
      const texts: { file: string; text: string }[] = [];
      for (const file of files) {
        try {
          texts.push({ file, text: readFileSync(file, 'utf8') });
        } catch (e) {
          process.stderr.write(`kntc map: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
      }
      let cat: Catalogues;
      try {
        cat = (await loadCatalogues(opts.catalogues)).cat;
      } catch (e) {
        process.stderr.write(e instanceof RunError ? `kntc map: ${e.message}\n` : `kntc map: catalogues unavailable: ${(e as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const today = opts.today ?? todayLocal();
      const ctx: MapContext = { catalogues: cat, clock: { today: () => today, now: () => new Date() } };
      const all: DryRunLine[] = [];
      for (const { file, text } of texts) {
        const lines = dryRun(mapper, text, file, ctx, { showConfidential: !!opts.showConfidential });
        if (opts.format === 'json') for (const l of lines) process.stdout.write(JSON.stringify(l) + '\n');
        else all.push(...lines);
      }
      if (opts.format === 'table') process.stdout.write(formatDryRunTable(all));
    });
}
