/**
 * Mapping-error report: every issue recorded for the records of a deployment (mapper
 * issues and national 422/409 rejections, the latter under their contract codes),
 * grouped by agency × code with counts, first/last seen and a few example local ids.
 * Examples are local ids only — never a name, ID number, phone, address or petition
 * text — so the report can go to the agencies' data officers and their managers.
 *
 * Pure: rows in, text out. CSV is UTF-8 with a BOM and CRLF line ends so that Excel
 * (what the agencies use) opens it with the Vietnamese intact.
 */
import { ISSUE_CATALOGUE, type IssueDef } from '../../mappers/issues.js';

export interface IssueRow {
  source: string;
  agency: string;
  localId: string;
  kind?: string;
  code: string;
  severity: 'error' | 'warning';
  origin: 'mapper' | 'national';
  /** ISO 8601 instant. */
  at: string;
}

export interface ErrorGroup {
  agency: string;
  code: string;
  severity: 'error' | 'warning';
  origins: ('mapper' | 'national')[];
  /** Issues in the group. */
  count: number;
  /** Distinct source records in the group. */
  records: number;
  firstSeen: string;
  lastSeen: string;
  /** Up to `examples` distinct `source:localId`, most recent first. */
  examples: string[];
  /** What the code means, for the officer (Vietnamese). */
  meaning: string;
}

export interface ErrorReportOptions {
  format: 'table' | 'csv' | 'json';
  /** Only rows at or after this instant. */
  since?: string;
  /** Only this agency. */
  agency?: string;
  /** Example ids per group (default 3). */
  examples?: number;
}

/** Top-level national error codes (contract §4) that can reach a record. */
const NATIONAL_MEANING: Record<string, string> = {
  DU_LIEU_KHONG_HOP_LE: 'CSDL quốc gia từ chối: dữ liệu không hợp lệ.',
  KHONG_CO_QUYEN: 'Đơn vị không thuộc phạm vi được phân quyền của kết nối.',
  PHIEN_BAN_CU: 'Phiên bản gửi cũ hơn phiên bản đã lưu ở CSDL quốc gia (không ghi đè).',
  XUNG_DOT_PHIEN_BAN: 'Cùng phiên bản nhưng nội dung khác với bản đã lưu ở CSDL quốc gia.',
  QUA_KICH_THUOC: 'Bản ghi vượt quá kích thước cho phép.',
  KHONG_TIM_THAY: 'Không tìm thấy hồ sơ ở CSDL quốc gia.',
  KHOA_TRUNG_NOI_DUNG_KHAC: 'Lỗi kỹ thuật của kết nối (khóa lũy đẳng dùng lại với nội dung khác).',
};

export function meaningOf(code: string): string {
  const def = (ISSUE_CATALOGUE as Record<string, IssueDef>)[code];
  if (def) return def.vi.replace(/[:\s]*\{truong\}\.?/g, '').replace(/\s*\{\w+\}/g, '').trim().replace(/[:.]?$/, '.');
  return NATIONAL_MEANING[code] ?? code;
}

export function groupIssues(rows: Iterable<IssueRow>, opts: Omit<ErrorReportOptions, 'format'> = {}): ErrorGroup[] {
  const sinceMs = opts.since ? Date.parse(opts.since) : undefined;
  const maxEx = opts.examples ?? 3;
  const groups = new Map<string, ErrorGroup & { _ids: Map<string, string> }>();
  for (const r of rows) {
    if (opts.agency && r.agency !== opts.agency) continue;
    if (sinceMs !== undefined && !(Date.parse(r.at) >= sinceMs)) continue;
    const key = `${r.agency}\u0000${r.code}\u0000${r.severity}`;
    let g = groups.get(key);
    if (!g) {
      g = { agency: r.agency, code: r.code, severity: r.severity, origins: [], count: 0, records: 0, firstSeen: r.at, lastSeen: r.at, examples: [], meaning: meaningOf(r.code), _ids: new Map() };
      groups.set(key, g);
    }
    g.count++;
    if (!g.origins.includes(r.origin)) g.origins.push(r.origin);
    if (r.at < g.firstSeen) g.firstSeen = r.at;
    if (r.at > g.lastSeen) g.lastSeen = r.at;
    const id = `${r.source}:${r.localId}`;
    const prev = g._ids.get(id);
    if (prev === undefined || r.at > prev) g._ids.set(id, r.at);
  }
  return [...groups.values()]
    .map(({ _ids, ...g }) => ({
      ...g,
      origins: [...g.origins].sort(),
      records: _ids.size,
      examples: [..._ids.entries()].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : a[0].localeCompare(b[0]))).slice(0, maxEx).map(([id]) => id),
    }))
    .sort((a, b) => a.agency.localeCompare(b.agency) || b.count - a.count || a.code.localeCompare(b.code));
}

const HEADERS = ['Mã đơn vị', 'Mã lỗi', 'Mức độ', 'Nơi phát hiện', 'Số lần', 'Số bản ghi', 'Lần đầu', 'Lần cuối', 'Ví dụ (mã bản ghi)', 'Ý nghĩa'];
const SEV_VI = { error: 'Lỗi', warning: 'Cảnh báo' } as const;
const ORIGIN_VI = { mapper: 'Kết nối (chuyển đổi)', national: 'CSDL quốc gia' } as const;

function csvCell(v: string | number): string {
  let s = String(v);
  // a cell starting like a formula is neutralised (CSV injection in Excel)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

function rowOf(g: ErrorGroup): (string | number)[] {
  return [g.agency, g.code, SEV_VI[g.severity], g.origins.map((o) => ORIGIN_VI[o]).join(', '), g.count, g.records, g.firstSeen, g.lastSeen, g.examples.join('; '), g.meaning];
}

export function buildErrorReport(rows: Iterable<IssueRow>, opts: ErrorReportOptions): string {
  const groups = groupIssues(rows, opts);
  if (opts.format === 'json') {
    return JSON.stringify({ groups, total: groups.reduce((n, g) => n + g.count, 0) }, null, 2) + '\n';
  }
  if (opts.format === 'csv') {
    return '\uFEFF' + [HEADERS, ...groups.map(rowOf)].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }
  if (groups.length === 0) return 'Không có lỗi nào trong khoảng thời gian đã chọn.\n';
  const table = [HEADERS.slice(0, 9), ...groups.map((g) => rowOf(g).slice(0, 9).map(String))];
  const widths = table[0]!.map((_, c) => Math.min(40, Math.max(...table.map((r) => String(r[c]).length))));
  const fmt = (r: (string | number)[]) => r.map((v, c) => String(v).padEnd(widths[c]!)).join('  ').trimEnd();
  const out = [fmt(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(fmt)];
  out.push('', 'Ý nghĩa các mã lỗi:');
  for (const code of [...new Set(groups.map((g) => g.code))].sort()) out.push(`  ${code}: ${meaningOf(code)}`);
  out.push('', `Tổng: ${groups.reduce((n, g) => n + g.count, 0)} lỗi/cảnh báo trong ${groups.length} nhóm.`);
  return out.join('\n') + '\n';
}
