import type { Command } from 'commander';
import pino from 'pino';
import { createLogger, setRootLogger } from '../../log/logger.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { getConfig } from '../../../config/index.js';
import { buildErrorReport, type IssueRow } from '../../report/errors.js';

interface ErrorsOpts {
  since?: string;
  agency?: string;
  format: 'table' | 'csv' | 'json';
  from?: string;
  output?: string;
}

/** Rows from a JSONL file of IssueRow objects (offline use, or an export of another deployment). */
function rowsFromFile(path: string): IssueRow[] {
  const out: IssueRow[] = [];
  readFileSync(path, 'utf8').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let v: Partial<IssueRow>;
    try {
      v = JSON.parse(line) as Partial<IssueRow>;
    } catch {
      throw new Error(`${path}:${i + 1}: not JSON`);
    }
    if (typeof v.code !== 'string' || typeof v.agency !== 'string' || typeof v.at !== 'string') throw new Error(`${path}:${i + 1}: needs code, agency, at`);
    out.push({
      source: String(v.source ?? ''), agency: v.agency, localId: String(v.localId ?? ''), code: v.code, at: v.at,
      severity: v.severity === 'warning' ? 'warning' : 'error', origin: v.origin === 'national' ? 'national' : 'mapper',
      ...(v.kind ? { kind: String(v.kind) } : {}),
    });
  });
  return out;
}

/** Rows from the ledger (Redis): mapper issues and national rejections of every record. */
async function rowsFromLedger(q: { since?: string; agency?: string }): Promise<IssueRow[]> {
  const cfg = getConfig();
  const [{ Ledger, ledgerCipherFromConfig }, { connectRedis }] = await Promise.all([import('../../ledger/index.js'), import('../../pipeline/infra.js')]);
  const redis = connectRedis(cfg.REDIS_URL, { name: 'kntc-report' });
  redis.on('error', () => undefined);
  try {
    const ledger = new Ledger(redis, cfg.KNTC_PREFIX, ledgerCipherFromConfig(cfg));
    const found = await ledger.listIssues({ ...(q.since ? { since: q.since } : {}), ...(q.agency ? { agency: q.agency } : {}) });
    const rows: IssueRow[] = [];
    for await (const r of found) {
      rows.push({
        source: r.record.source, agency: r.record.agency, localId: r.record.localId, code: r.issue.code,
        severity: r.issue.severity, origin: r.origin, at: r.at, ...(r.issue.recordKind ? { kind: r.issue.recordKind } : {}),
      });
    }
    return rows;
  } finally {
    redis.disconnect();
  }
}

export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('Reports for data officers and operators (no personal data: examples are local record ids only).');

  report
    .command('errors')
    .description('Mapping-error report: issues grouped by agency × code with counts, first/last seen and example local ids. National rejections appear under their contract codes.')
    .option('--since <instant>', 'only issues recorded at or after this date/time (ISO 8601; a bare date such as 2026-11-01 means from midnight Vietnam time)')
    .option('--agency <code>', 'only this receiving agency (e.g. 000.00.00.H29)')
    .option('--format <format>', 'table | csv (UTF-8 BOM + CRLF, opens in Excel) | json', 'table')
    .option('--from <file>', 'read issue rows from a JSONL file ({source, agency, localId, kind?, code, severity, origin, at} per line) instead of the ledger')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addHelpText(
      'after',
      `
Rows come from the record ledger in Redis (REDIS_URL, KNTC_PREFIX) unless --from is given.
Exit codes: 0 report written (also when empty); 1 the ledger or file could not be read; 2 usage.
Examples:
  kntc report errors --since 2026-11-01 --format csv --output loi-anh-xa.csv
  kntc report errors --agency 000.00.00.H29`,
    )
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (opts: ErrorsOpts) => {
      // stdout carries the output (JSON lines / CSV): logs go to stderr
      setRootLogger(createLogger({}, pino.destination({ fd: 2, sync: true })));
      if (!['table', 'csv', 'json'].includes(opts.format)) {
        process.stderr.write('kntc report errors: --format must be table, csv or json\n');
        process.exit(2);
      }
      if (opts.since && Number.isNaN(Date.parse(opts.since))) {
        process.stderr.write('kntc report errors: --since must be an ISO 8601 date or date-time\n');
        process.exit(2);
      }
      // a bare date is a Vietnamese calendar day: from its local midnight
      const sinceText = opts.since && /^\d{4}-\d{2}-\d{2}$/.test(opts.since) ? `${opts.since}T00:00:00+07:00` : opts.since;
      const since = sinceText ? new Date(Date.parse(sinceText)).toISOString() : undefined;
      let rows: IssueRow[];
      try {
        rows = opts.from ? rowsFromFile(opts.from) : await rowsFromLedger({ ...(since ? { since } : {}), ...(opts.agency ? { agency: opts.agency } : {}) });
      } catch (e) {
        process.stderr.write(`kntc report errors: cannot read ${opts.from ? opts.from : 'the ledger'}: ${(e as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const text = buildErrorReport(rows, { format: opts.format, ...(since ? { since } : {}), ...(opts.agency ? { agency: opts.agency } : {}) });
      if (opts.output) writeFileSync(opts.output, text, 'utf8');
      else process.stdout.write(text);
    });
}
