import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { getConfig } from '../../../config/index.js';
import { loadReferenceData } from '../../reference/dvhc.js';
import { GENERATOR_SOURCES, generateLocalRecords, paknJson, qldtJsonl, type SourceName } from '../../generator/index.js';

interface GenerateOpts {
  count: string;
  seed: string;
  out?: string;
  sources: string;
  brokenRate: string;
  duplicateRate: string;
  now?: string;
  names?: string;
  json?: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`kntc generate: ${msg}\n(add --help for usage)\n`);
  process.exit(2);
}

/** Write the generated exports to `dir`; returns the file paths. */
export function writeGenerated(dir: string, g: ReturnType<typeof generateLocalRecords>, sources: readonly SourceName[]): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  if (sources.includes('qldt')) writeFileSync((files.qldt = join(dir, 'qldt.jsonl')), qldtJsonl(g.qldt));
  if (sources.includes('so-tiep')) writeFileSync((files['so-tiep'] = join(dir, 'so-tiep.csv')), g.soTiep.toCsv());
  if (sources.includes('pakn')) writeFileSync((files.pakn = join(dir, 'pakn.json')), paknJson(g.pakn));
  writeFileSync((files.labels = join(dir, 'labels.json')), JSON.stringify(g.labels, null, 2) + '\n');
  return files;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Write realistic synthetic local exports (qldt JSON Lines, so-tiep CSV, pakn JSON) with labelled problems and duplicates, deterministic for a seed.')
    .option('-n, --count <n>', 'local records (distinct local ids) across the sources', '600')
    .option('-s, --seed <n>', 'random seed (same seed + same reference data + same --now = same files)', '1')
    .option('-o, --out <dir>', 'output folder, created (default: <KNTC_DATA_DIR>/generated, i.e. .kntc/generated)')
    .option('--sources <list>', `comma-separated sources (${GENERATOR_SOURCES.join(',')})`, GENERATOR_SOURCES.join(','))
    .option('--broken-rate <p>', 'share of records with a deliberate problem, 0..1', '0.08')
    .option('--duplicate-rate <p>', 'share of records that repeat an earlier petition (another agency or source, re-typed), 0..1', '0.1')
    .option('--now <iso>', 'the export time (default: now); every generated date is before it')
    .option('--names <file>', 'name list JSON (default: ../shared/data/names/vietnamese-names.json if present, else a built-in list)')
    .option('--json', 'print what was written as JSON on stdout')
    .addHelpText(
      'after',
      `
Files written to --out:
  qldt.jsonl    provincial petition software export: one JSON object per line; some records have
                several versions (phien_ban), a few lines come out of order or are repeated byte for byte
  so-tiep.csv   Sổ tiếp công dân export: UTF-8 BOM, "# xuat-luc:" first line, CRLF, quoted cells
  pakn.json     online feedback portal export: a JSON array
  labels.json   ground truth: {broken: [{source, localId, problem}], duplicateGroups: [{groupId, members: [{source, agency, localId}]}]}

Addresses use real administrative units (DVHC_DATA_PATH / DON_VI_PATH, else ../shared/data, else the simulator's
built-in sample), so they resolve against what \`kntc simulator\` serves. Receiving agencies are those of the demo
API keys (Lai Châu qldt, Kon Tum so-tiep, Lào Cai pakn). Every person is invented.

Problems (labels.broken[].problem): ngay-khong-ton-tai, ngay-tuong-lai, nhan-khong-xac-dinh, dinh-danh-11-so,
cccd-lech-nam-sinh, so-nguoi-it-hon-nguoi-dung-don, chuyen-don-khong-noi-nhan, don-vi-nhan-khong-xac-dinh,
khieu-nai-khong-doi-tuong, co-quan-chuyen-den-thieu, mau-cu-khong-dia-chi, ma-cu-sau-sap-nhap, ngay-tra-loi-khong-ton-tai.

Examples:
  kntc generate --count 600 --seed 7 --out .kntc/data
  kntc generate -n 50 --sources pakn --out /tmp/pakn && kntc enqueue --source pakn /tmp/pakn/pakn.json`,
    )
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action((opts: GenerateOpts) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) usage('--count must be an integer 1..1000000');
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) usage('--seed must be an integer');
      const rate = (name: string, v: string): number => {
        const x = Number(v);
        if (!Number.isFinite(x) || x < 0 || x > 1) usage(`${name} must be a number 0..1`);
        return x;
      };
      const sources = opts.sources.split(',').map((s) => s.trim()).filter(Boolean) as SourceName[];
      const unknown = sources.filter((s) => !GENERATOR_SOURCES.includes(s));
      if (unknown.length || sources.length === 0) usage(`unknown source(s) ${unknown.join(', ') || '(none given)'} (known: ${GENERATOR_SOURCES.join(', ')})`);
      let now: Date | undefined;
      if (opts.now) {
        now = new Date(opts.now);
        if (Number.isNaN(now.getTime())) usage('--now must be an ISO date-time, e.g. 2026-03-31T17:00:00+07:00');
      }
      const cfg = getConfig();
      const reference = loadReferenceData({ dvhcPath: cfg.DVHC_DATA_PATH || undefined, donViPath: cfg.DON_VI_PATH || undefined });
      const g = generateLocalRecords({
        seed, count, sources, reference,
        brokenRate: rate('--broken-rate', opts.brokenRate),
        duplicateRate: rate('--duplicate-rate', opts.duplicateRate),
        ...(now ? { now } : {}),
        ...(opts.names ? { namesPath: opts.names } : {}),
      });
      const dir = resolve(opts.out ?? join(cfg.KNTC_DATA_DIR, 'generated'));
      const files = writeGenerated(dir, g, sources);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ dir, files, stats: g.stats }, null, 2) + '\n');
        return;
      }
      const s = g.stats;
      process.stdout.write(
        [
          `Wrote ${dir}`,
          ...Object.entries(files).map(([k, f]) => `  ${k.padEnd(8)} ${f}`),
          `Records: qldt ${s.records.qldt} (${s.qldtLines} lines), so-tiep ${s.records['so-tiep']}, pakn ${s.records.pakn}`,
          `Deliberate problems: ${s.broken}; duplicate groups: ${s.duplicateGroups} (${s.duplicateRecords} records)`,
          `Names: ${s.names}; reference data: ${s.reference}`,
        ].join('\n') + '\n',
      );
    });
}
