import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { getConfig } from '../../../config/index.js';
import { createPipeline } from '../../pipeline/index.js';
import { getMapper, SOURCE_NAMES } from '../../../mappers/registry.js';
import { enqueueFiles, formatSummary, type EnqueueFile } from '../../ingest/enqueue.js';
import { IngestError, errorBody } from '../../ingest/errors.js';
import { Progress } from '../../ingest/progress.js';
import { MA_DON_VI_RE } from '../../contract/schemas.js';

interface EnqueueOpts {
  source: string;
  agencies?: string;
  agencyCheck?: boolean;
  chunk: string;
  json?: boolean;
  progress: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`kntc enqueue: ${msg}\n(add --help for usage)\n`);
  process.exit(2);
}

export function registerEnqueue(program: Command): void {
  program
    .command('enqueue')
    .description('Hand local export files to the pipeline (same parsing and scope check as the ingest API): each record is stored durably and queued for mapping and push.')
    .argument('<files...>', 'export files: qldt .jsonl, pakn .json, so-tiep .csv')
    .requiredOption('--source <source>', `source kind (${SOURCE_NAMES.join(' | ')})`)
    .option('--agencies <codes>', 'comma-separated agency codes the files may contain (like an API key scope); implies --agency-check')
    .option('--agency-check', 'all or nothing, as the API: if any record is unreadable, unidentifiable or outside --agencies, enqueue nothing and exit 1')
    .option('--chunk <n>', 'records per pipeline call', '500')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-progress', 'no progress output on stderr')
    .addHelpText(
      'after',
      `
Without --agency-check, lines the parser cannot read are stored as reviewable rejections
(see them with \`kntc report errors\`), never dropped silently.
Outcomes per record: accepted (tiếp nhận) | unchanged (same version already received) |
older (a newer version is stored; not overwritten) | rejected (unreadable/unidentifiable, stored for review).
Progress goes to stderr: a bar on a terminal, a line every 2 s otherwise.
Exit codes: 0 done (even with rejected lines), 1 run failed (Redis, scope check), 2 usage.
Examples:
  kntc enqueue --source qldt ../shared/samples/qldt-lai-chau.jsonl
  kntc enqueue --source so-tiep --agencies 000.00.00.H34 --json so-tiep-kon-tum.csv`,
    )
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (paths: string[], opts: EnqueueOpts) => {
      const mapper = getMapper(opts.source);
      if (!mapper) usage(`unknown source "${opts.source}" (known: ${SOURCE_NAMES.join(', ')})`);
      const chunkSize = Number(opts.chunk);
      if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 10000) usage('--chunk must be an integer 1..10000');
      let agencies: Set<string> | undefined;
      if (opts.agencies !== undefined) {
        const list = opts.agencies.split(',').map((s) => s.trim()).filter(Boolean);
        const bad = list.filter((a) => !MA_DON_VI_RE.test(a));
        if (!list.length || bad.length) usage(`--agencies needs agency codes like 000.00.00.H29 (bad: ${bad.join(', ') || '(empty)'})`);
        agencies = new Set(list);
      }
      const files: EnqueueFile[] = [];
      for (const p of paths) {
        try {
          files.push({ file: p, text: readFileSync(p, 'utf8') });
        } catch (e) {
          usage(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }

      const cfg = getConfig();
      const pipeline = createPipeline(cfg);
      try {
        const sum = await enqueueFiles(pipeline, mapper, files, { source: opts.source, agencies, agencyCheck: opts.agencyCheck === true || agencies !== undefined, chunkSize }, (total) =>
          opts.progress ? new Progress(total, process.stderr) : new Progress(total, { write: () => true }),
        );
        process.stdout.write((opts.json ? JSON.stringify(sum, null, 2) : formatSummary(sum)) + '\n');
      } catch (e) {
        if (e instanceof IngestError) {
          const body = e.toBody();
          if (opts.json) process.stdout.write(JSON.stringify(body, null, 2) + '\n');
          process.stderr.write(`kntc enqueue: ${body.thongDiep} [${body.code}] — nothing was enqueued.\n`);
          for (const d of e.details) process.stderr.write(`  ${d.pointer ?? ''}${d.agency ? ` agency ${d.agency}` : ''}${d.reason ? ` (${d.reason})` : ''}\n`);
        } else {
          const body = errorBody('KNTC_ERR_PIPELINE_UNAVAILABLE');
          process.stderr.write(`kntc enqueue: ${body.thongDiep} [${body.code}: ${(e as Error).name}: ${(e as { code?: string }).code ?? ''}]\n`);
          process.stderr.write('  Records acknowledged before the failure are stored; re-running is safe (unchanged versions are recognised).\n');
        }
        process.exitCode = 1;
      } finally {
        await pipeline.close().catch(() => undefined);
      }
    });
}
