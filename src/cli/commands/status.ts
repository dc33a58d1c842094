import type { Command } from 'commander';
import { getConfig } from '../../../config/index.js';
import { createPipeline } from '../../pipeline/index.js';
import { getMapper, SOURCE_NAMES } from '../../../mappers/registry.js';
import { publicStatus } from '../../ingest/views.js';
import { formatStatus } from '../../ingest/status-text.js';
import { errorBody } from '../../ingest/errors.js';

interface StatusOpts {
  source: string;
  agency: string;
  localId: string;
  json?: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show where one local record is: received → mapped → pushed, or rejected with its reasons (Vietnamese labels; no personal data).')
    .requiredOption('--source <source>', `source kind (${SOURCE_NAMES.join(' | ')})`)
    .requiredOption('--agency <code>', 'receiving agency code as in the record, e.g. 000.00.00.H29')
    .requiredOption('--local-id <id>', 'local record id (qldt id_don, pakn feedbackId, so-tiep Mã lượt tiếp)')
    .option('--json', 'print the status as JSON (the body of GET /v1/records/:source/:agency/:localId)')
    .addHelpText(
      'after',
      `
States: received (Đã tiếp nhận) → mapped (Đã chuyển đổi) → pushing → pushed (Đã gửi lên CSDL quốc gia),
or rejected (Bị từ chối, cần cán bộ xem xét) with issue codes and JSON Pointers into the source record.
Exit codes: 0 found, 1 not found or Redis unavailable, 2 usage.
Example: kntc status --source qldt --agency 000.00.00.H29 --local-id LC25-000142`,
    )
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (opts: StatusOpts) => {
      if (!getMapper(opts.source)) {
        process.stderr.write(`kntc status: unknown source "${opts.source}" (known: ${SOURCE_NAMES.join(', ')})\n`);
        process.exit(2);
      }
      const pipeline = createPipeline(getConfig());
      try {
        const s = await pipeline.status(opts.source, opts.agency, opts.localId);
        if (!s) {
          const e = errorBody('KNTC_ERR_RECORD_NOT_FOUND');
          if (opts.json) process.stdout.write(JSON.stringify(e, null, 2) + '\n');
          else process.stderr.write(`${e.thongDiep} [${e.code}]\n`);
          process.exitCode = 1;
          return;
        }
        const view = publicStatus(s);
        process.stdout.write((opts.json ? JSON.stringify(view, null, 2) : formatStatus(view)) + '\n');
      } catch (e) {
        const b = errorBody('KNTC_ERR_PIPELINE_UNAVAILABLE');
        process.stderr.write(`kntc status: ${b.thongDiep} [${b.code}: ${(e as Error).name}]\n`);
        process.exitCode = 1;
      } finally {
        await pipeline.close().catch(() => undefined);
      }
    });
}
