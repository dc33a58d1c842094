/**
 * `kntc enqueue` without the command line: export files → mapper.parse → (optional scope
 * check, the same function as the API) → pipeline.accept in chunks. Lines the parser
 * cannot read are not dropped: they go to the pipeline wrapped with `unreadable()` and
 * are stored as reviewable rejections (`kntc report errors`), unless --agency-check asks
 * for the API's all-or-nothing behaviour.
 */
import { basename } from 'node:path';
import type { SourceMapper } from '../../mappers/types.js';
import { unreadable } from '../pipeline/index.js';
import { IngestError, type ErrorDetail } from './errors.js';
import type { Progress } from './progress.js';
import type { AcceptResult, IngestPipeline } from './types.js';
import { checkScope, chunks } from './validate.js';

export interface EnqueueFile {
  /** Path as given (shown in the summary). */
  file: string;
  text: string;
}

export interface EnqueueOptions {
  source: string;
  /** Allowed agencies (like an API key's scope); implies agencyCheck. */
  agencies?: ReadonlySet<string>;
  /** Refuse everything (exit 1, nothing enqueued) if any record is unreadable, unidentifiable or out of scope. */
  agencyCheck?: boolean;
  /** Records per pipeline.accept call. */
  chunkSize?: number;
}

export interface FileSummary {
  file: string;
  records: number;
  accepted: number;
  unchanged: number;
  older: number;
  /** Stored as reviewable rejections (unreadable line or unidentifiable record). */
  rejected: number;
  /** Source lines the parser could not read (first 20). */
  unreadableLines: number[];
  /** A few (agency, localId) pairs, to point the officer at `kntc status`. */
  sample: { agency: string; localId: string }[];
}

export interface EnqueueSummary {
  source: string;
  files: FileSummary[];
  totals: Omit<FileSummary, 'file' | 'unreadableLines' | 'sample'>;
}

export async function enqueueFiles(pipeline: IngestPipeline, mapper: SourceMapper, files: readonly EnqueueFile[], opts: EnqueueOptions, makeProgress?: (total: number) => Progress): Promise<EnqueueSummary> {
  const parsed = files.map((f) => ({ file: f.file, records: mapper.parse(f.text, basename(f.file)) }));

  if (opts.agencyCheck || opts.agencies) {
    const problems: ErrorDetail[] = [];
    let outOfScope = false;
    for (const p of parsed) {
      const lineOf = p.records.map((r) => r.line);
      p.records.forEach((r) => {
        if (!r.ok) problems.push({ pointer: `${p.file}#L${r.line}`, reason: r.issue.code });
      });
      const readable = p.records.flatMap((r) => (r.ok ? [r] : []));
      const rep = checkScope(mapper, readable.map((r) => r.raw), opts.agencies);
      for (const o of rep.outOfScope) {
        outOfScope = true;
        problems.push({ pointer: `${p.file}#L${readable[o.index]?.line ?? lineOf[o.index]}`, agency: o.agency, reason: 'agency-out-of-scope' });
      }
      for (const i of rep.unidentifiable) problems.push({ pointer: `${p.file}#L${readable[i]?.line}`, reason: 'unidentifiable' });
    }
    if (problems.length) throw new IngestError(outOfScope ? 'KNTC_ERR_AGENCY_FORBIDDEN' : 'KNTC_ERR_RECORD_UNIDENTIFIABLE', problems);
  }

  const chunkSize = Math.max(1, opts.chunkSize ?? 500);
  const progress = makeProgress?.(parsed.reduce((n, p) => n + p.records.length, 0));
  let done = 0;
  const summaries: FileSummary[] = [];
  for (const p of parsed) {
    const s: FileSummary = { file: p.file, records: p.records.length, accepted: 0, unchanged: 0, older: 0, rejected: 0, unreadableLines: [], sample: [] };
    const raws = p.records.map((r) => {
      if (r.ok) return r.raw;
      if (s.unreadableLines.length < 20) s.unreadableLines.push(r.line);
      return unreadable(r.text, r.issue, r.line);
    });
    for (const chunk of chunks(raws, chunkSize)) {
      const results: AcceptResult[] = await pipeline.accept(opts.source, chunk, { channel: 'cli' });
      for (const r of results) {
        s[r.outcome] += 1;
        if (r.outcome !== 'rejected' && s.sample.length < 3) s.sample.push({ agency: r.agency, localId: r.localId });
      }
      done += chunk.length;
      progress?.update(done, basename(p.file));
    }
    summaries.push(s);
  }
  progress?.finish();
  const totals = { records: 0, accepted: 0, unchanged: 0, older: 0, rejected: 0 };
  for (const s of summaries) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k];
  return { source: opts.source, files: summaries, totals };
}

/** The human summary (Vietnamese labels, English codes in brackets). */
export function formatSummary(sum: EnqueueSummary): string {
  const rows = [['tệp (file)', 'bản ghi', 'tiếp nhận', 'không đổi', 'cũ hơn', 'từ chối']];
  for (const f of sum.files) rows.push([f.file, String(f.records), String(f.accepted), String(f.unchanged), String(f.older), String(f.rejected)]);
  if (sum.files.length > 1) rows.push(['TỔNG (total)', ...[sum.totals.records, sum.totals.accepted, sum.totals.unchanged, sum.totals.older, sum.totals.rejected].map(String)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const out = [`Nguồn ${sum.source}: tiếp nhận (accepted) / không đổi (unchanged: same version already received) / cũ hơn (older: a newer version is stored) / từ chối (rejected: unreadable or unidentifiable, stored for review)`, ...lines];
  for (const f of sum.files) if (f.unreadableLines.length) out.push(`  ${f.file}: dòng không đọc được (unreadable lines): ${f.unreadableLines.join(', ')}`);
  const ex = sum.files.flatMap((f) => f.sample)[0];
  out.push('');
  out.push(`Trạng thái một bản ghi: kntc status --source ${sum.source} --agency ${ex?.agency ?? '<mã đơn vị>'} --local-id ${ex?.localId ?? '<mã bản ghi>'}`);
  out.push('Lỗi chuyển đổi / bản ghi bị từ chối: kntc report errors');
  return out.join('\n');
}
