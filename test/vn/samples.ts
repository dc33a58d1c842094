/** Read the shared sample records by id (the samples stay in ../shared; nothing is copied). */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { projectPath } from '../../config/index.js';

const dir = projectPath('..', 'shared', 'samples');

export type QldtRow = Record<string, unknown> & { id_don: string; phien_ban: number };
export type PaknRow = Record<string, any> & { feedbackId: string };

let qldt: QldtRow[] | undefined;
let soTiep: Record<string, string>[] | undefined;
let pakn: PaknRow[] | undefined;

export function qldtRecords(): QldtRow[] {
  qldt ??= readFileSync(`${dir}/qldt-lai-chau.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as QldtRow);
  return qldt;
}
/** Highest version of one qldt record. */
export function qldt1(id: string): QldtRow {
  const rows = qldtRecords().filter((r) => r.id_don === id).sort((a, b) => b.phien_ban - a.phien_ban);
  if (!rows[0]) throw new Error(`no qldt record ${id}`);
  return rows[0];
}
export function qldtPerson(id: string, i = 0): Record<string, any> {
  const p = (qldt1(id).nguoi_dung_don as Record<string, any>[])[i];
  if (!p) throw new Error(`no petitioner ${i} in ${id}`);
  return p;
}

export function soTiepRows(): Record<string, string>[] {
  if (!soTiep) {
    const text = readFileSync(`${dir}/so-tiep-kon-tum.csv`, 'utf8').replace(/^\uFEFF/, '');
    const body = text.startsWith('#') ? text.slice(text.indexOf('\n') + 1) : text;
    soTiep = parse(body, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  }
  return soTiep;
}
export function soTiep1(id: string): Record<string, string> {
  const r = soTiepRows().find((x) => x['Mã lượt tiếp'] === id);
  if (!r) throw new Error(`no so-tiep row ${id}`);
  return r;
}
/** Name and address of the i-th citizen of a so-tiep row ("Name - Address; Name - Address"). */
export function soTiepCitizen(id: string, i = 0): { name: string; address: string } {
  const cell = soTiep1(id)['Họ tên - Địa chỉ'] ?? '';
  const part = cell.split(';')[i] ?? '';
  const k = part.indexOf(' - ');
  return { name: part.slice(0, k).trim(), address: part.slice(k + 3).trim() };
}

export function paknRecords(): PaknRow[] {
  pakn ??= JSON.parse(readFileSync(`${dir}/pakn-lao-cai.json`, 'utf8')) as PaknRow[];
  return pakn;
}
export function pakn1(id: string): PaknRow {
  const r = paknRecords().find((x) => x.feedbackId === id);
  if (!r) throw new Error(`no pakn record ${id}`);
  return r;
}
