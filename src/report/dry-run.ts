/**
 * The mapping dry run (`kntc map`): map every record of a local export file and show
 * what would be sent and what is wrong, without queueing or pushing anything. Pure:
 * text in, lines out (the command does the file and catalogue I/O).
 *
 * Bodies do show personal data — it is the integrator's own file — except the identity
 * of a người tố cáo (Luật Tố cáo Đ56), masked unless `showConfidential`.
 */
import type { Issue, MapContext, SourceMapper, Suggestion } from '../../mappers/types.js';
import type { RecordKind } from '../contract/schemas.js';

export interface DryRunLine {
  source: string;
  localId: string;
  ok: boolean;
  records: { kind: RecordKind; body: Record<string, unknown> }[];
  issues: Issue[];
  file: string;
  line: number;
  version: number;
  /** Version of the mapping code that produced the line (`<source>@x.y.z`, MapResult.mappingVersion); stored with each output by the pipeline. */
  mappingVersion: string;
  blocked: RecordKind[];
  suggestions?: Suggestion[];
}

export const MASK = '***';

/** Replace every value of each petitioner by a mask, keeping which fields were present and laDaiDien. */
function maskPeople(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((p) => {
    if (p === null || typeof p !== 'object') return MASK;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) out[k] = k === 'laDaiDien' ? v : MASK;
    return out;
  });
}

/** Mask the petitioners of a tố cáo (ho-so-don with baoMatDanhTinh, luot-tiep classified TO_CAO). */
export function maskConfidential(kind: RecordKind, body: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'ho-so-don' && (body.baoMatDanhTinh === true || body.loaiDon === 'TO_CAO')) {
    return { ...body, nguoiDungDon: maskPeople(body.nguoiDungDon) };
  }
  if (kind === 'luot-tiep' && body.phanLoai === 'TO_CAO') return { ...body, congDan: maskPeople(body.congDan) };
  return body;
}

export function dryRun(
  mapper: SourceMapper,
  text: string,
  file: string,
  ctx: MapContext,
  opts: { showConfidential?: boolean } = {},
): DryRunLine[] {
  return mapper.parse(text, file).map((p): DryRunLine => {
    if (!p.ok) {
      return { source: mapper.name, localId: '', ok: false, records: [], issues: [p.issue], file, line: p.line, version: 0, mappingVersion: mapper.mappingVersion, blocked: [] };
    }
    const r = mapper.map(p.raw, ctx);
    const confidential = !opts.showConfidential;
    const out: DryRunLine = {
      source: r.source,
      localId: r.localId,
      ok: r.ok,
      records: r.records.map((x) => {
        const body = x.body as unknown as Record<string, unknown>;
        return { kind: x.kind, body: confidential ? maskConfidential(x.kind, body) : body };
      }),
      issues: r.issues,
      file,
      line: p.line,
      version: r.version,
      mappingVersion: r.mappingVersion,
      blocked: r.blocked,
    };
    if (r.suggestions?.length) out.suggestions = r.suggestions;
    return out;
  });
}

const KIND_VI: Record<RecordKind, string> = { 'ho-so-don': 'hồ sơ đơn', 'luot-tiep': 'lượt tiếp' };

/** A readable table for officers (Vietnamese), one block per source record. */
export function formatDryRunTable(lines: DryRunLine[]): string {
  const out: string[] = [];
  let ok = 0, warn = 0, err = 0;
  for (const l of lines) {
    const errors = l.issues.filter((i) => i.severity === 'error');
    const warnings = l.issues.filter((i) => i.severity === 'warning');
    const mark = !l.ok ? 'LỖI ' : warnings.length ? 'CẢNH BÁO' : 'ĐẠT ';
    if (!l.ok) err++;
    else if (warnings.length) warn++;
    else ok++;
    const sent = l.records.map((r) => KIND_VI[r.kind]).join(' + ') || '—';
    const blocked = l.blocked.map((k) => KIND_VI[k]).join(' + ');
    out.push(`${mark.padEnd(8)} ${l.source} ${l.localId || '(không đọc được)'} v${l.version}  dòng ${l.line}  ánh xạ ${l.mappingVersion}  gửi: ${sent}${blocked ? `  chặn: ${blocked}` : ''}`);
    for (const i of [...errors, ...warnings]) {
      const where = `${i.national ?? ''}${i.source ? ` ← ${i.source}` : ''}`;
      out.push(`    ${i.severity === 'error' ? 'lỗi     ' : 'cảnh báo'} ${i.code.padEnd(26)} ${i.recordKind ? `[${KIND_VI[i.recordKind]}] ` : ''}${i.message}${where ? `  (${where})` : ''}${i.hint ? `  — ${i.hint}` : ''}`);
    }
  }
  out.push('');
  out.push(`Tổng: ${lines.length} bản ghi — ${ok} đạt, ${warn} gửi kèm cảnh báo, ${err} lỗi (lưu để cán bộ xem xét, chưa gửi).`);
  return out.join('\n') + '\n';
}
