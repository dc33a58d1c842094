/**
 * so-tiep — CSV export of the Sổ tiếp công dân (TT 04/2021, Mẫu số 03) with two extra
 * leading columns (Mã lượt tiếp, Mã đơn vị). UTF-8 with BOM, CRLF, RFC 4180 quoting
 * (line breaks inside quoted cells, doubled quotes), first line `# xuat-luc: <RFC 3339>`.
 *
 * One row is one reception session (luot-tiep). A row where any handling column is
 * filled also received a đơn → a ho-so-don with the same local id, linked from the
 * luot-tiep by ketQua.maHoSoNguon. The form has no version column: the version is the
 * export timestamp as a Vietnam-local integer yyyymmddhhmmss (e.g. 20260331170000),
 * which is ≥ 1 and grows with every export, as phienBanNguon must.
 *
 * A raw record is the row as an object keyed by column header, plus `#xuat-luc`
 * (the export timestamp), so issue pointers are `/<column header>` (RFC 6901-escaped:
 * `/Phân loại đơn~1Số người`) and `/<column>/<i>` for the i-th citizen in a cell.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { MapContext, MapResult, ParsedRecord, SourceMapper, Suggestion } from '../types.js';
import { MA_NGUON_RE } from '../../src/contract/schemas.js';
import { eraOf, parseLocalDate } from '../../src/vn/dates.js';
import { cleanText } from '../../src/vn/text.js';
import { makeIssue } from '../issues.js';
import { Draft, finishDraft, type Finished } from '../common/draft.js';
import { put, readAgencyName, readDate, readLabel, readText } from '../common/fields.js';
import { LOAI_DON_LABELS } from '../common/labels.js';
import { buildPerson } from '../common/person.js';
import { assemble, guarded } from '../common/result.js';
import { ptr } from '../common/pointer.js';
import { blank, isRecord } from '../common/values.js';

export const MAPPING_VERSION = 'so-tiep@1.0.0';
const SOURCE = 'so-tiep';

export const COL = {
  id: 'Mã lượt tiếp',
  donVi: 'Mã đơn vị',
  stt: 'STT',
  ngay: 'Ngày tiếp',
  hoTenDiaChi: 'Họ tên - Địa chỉ',
  cmnd: 'CMND/Hộ chiếu của công dân',
  noiDung: 'Nội dung vụ việc',
  phanLoai: 'Phân loại đơn/Số người',
  coQuanDaGq: 'Cơ quan đã giải quyết',
  thuLy: 'Thụ lý để giải quyết',
  traLai: 'Trả lại đơn và hướng dẫn',
  chuyen: 'Chuyển đơn đến cơ quan có thẩm quyền',
  theoDoi: 'Theo dõi kết quả giải quyết',
  ghiChu: 'Ghi chú',
} as const;
/** Key of the export timestamp carried with every row. */
export const EXPORT_KEY = '#xuat-luc';

export type SoTiepRaw = Record<string, unknown>;
/**
 * Source pointer of each column (`/<column header>`, RFC 6901-escaped) and of the export stamp,
 * built once: the same dozen columns on every row. The i-th part of a cell is `${SRC.x}/${i}`.
 */
const SRC = Object.fromEntries(Object.entries(COL).map(([k, col]) => [k, ptr(col)])) as Record<keyof typeof COL, string>;
const SRC_EXPORT = ptr(EXPORT_KEY);

// ------------------------------------------------------------------ version
/** RFC 3339 instant → Vietnam-local yyyymmddhhmmss as an integer. */
const versionMemo = new Map<string, number | undefined>();
export function exportVersion(stamp: unknown): number | undefined {
  if (typeof stamp !== 'string') return undefined;
  // every row of an export carries the same stamp
  if (versionMemo.has(stamp)) return versionMemo.get(stamp);
  const v = computeVersion(stamp);
  if (versionMemo.size > 1000) versionMemo.clear();
  versionMemo.set(stamp, v);
  return v;
}

function computeVersion(stamp: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(stamp.trim());
  if (!m) return undefined;
  const t = Date.parse(stamp.trim());
  if (!Number.isFinite(t)) return undefined;
  const local = new Date(t + 7 * 3600_000).toISOString(); // Vietnam: UTC+7, no DST
  const digits = local.slice(0, 19).replace(/[-T:]/g, '');
  const v = Number(digits);
  return Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

/** Export timestamp from a file name like `so-tiep-20260331-170000.csv` or `…2026-03-31T17-00-00…` (Vietnam time). */
export function stampFromFileName(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const m = /(20\d{2})-?(\d{2})-?(\d{2})(?:[T_ -]?(\d{2})[-:]?(\d{2})(?:[-:]?(\d{2}))?)?/.exec(base);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const stamp = `${y}-${mo}-${d}T${h}:${mi}:${s}+07:00`;
  return exportVersion(stamp) !== undefined ? stamp : undefined;
}

// ------------------------------------------------------------------ parse
function parse(text: string, fileName?: string): ParsedRecord<SoTiepRaw>[] {
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let lineOffset = 0;
  let stamp: string | undefined;
  const first = /^#\s*xuat-luc\s*:\s*(.*)\n/i.exec(body);
  if (first) {
    stamp = (first[1] ?? '').trim();
    body = body.slice(first[0].length);
    lineOffset = 1;
  } else if (fileName) {
    stamp = stampFromFileName(fileName);
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(body, { relax_column_count: true, info: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const line = typeof (e as { lines?: unknown }).lines === 'number' ? (e as { lines: number }).lines + lineOffset : 1;
    return [{
      ok: false, line, text: '',
      issue: makeIssue('KHONG_DOC_DUOC', { source: '', truong: String(line), chiTiet: 'tệp CSV không đúng chuẩn RFC 4180 (ví dụ: dấu ngoặc kép không đóng).' }),
    }];
  }
  const out: ParsedRecord<SoTiepRaw>[] = [];
  const header = rows[0]?.record.map((h) => h.normalize('NFC').trim()) ?? [];
  let prevEnd = rows[0]?.info.lines ?? 0;
  for (const { record, info } of rows.slice(1)) {
    const line = prevEnd + 1 + lineOffset;
    prevEnd = info.lines;
    if (record.length !== header.length) {
      out.push({
        ok: false, line, text: record.join(','),
        issue: makeIssue('KHONG_DOC_DUOC', { source: '', truong: String(line), chiTiet: `số cột (${record.length}) khác dòng tiêu đề (${header.length}).` }),
      });
      continue;
    }
    const raw: SoTiepRaw = {};
    header.forEach((h, i) => (raw[h] = record[i] ?? ''));
    if (stamp !== undefined) raw[EXPORT_KEY] = stamp;
    out.push({ ok: true, raw, line });
  }
  return out;
}

function identify(raw: SoTiepRaw): { localId: string; version: number; agency: string } | undefined {
  if (!isRecord(raw)) return undefined;
  const id = typeof raw[COL.id] === 'string' ? (raw[COL.id] as string).trim() : '';
  const version = exportVersion(raw[EXPORT_KEY]);
  if (!id || !MA_NGUON_RE.test(id) || version === undefined) return undefined;
  return { localId: id, version, agency: typeof raw[COL.donVi] === 'string' ? (raw[COL.donVi] as string).trim() : '' };
}

// ------------------------------------------------------------------ map
const isX = (v: unknown) => typeof v === 'string' && /^\s*x\s*$/i.test(v);
const PHIEU_CHUYEN = /Phiếu chuyển số\s+([^\s,;]+)\s+ngày\s+(\d{1,2}\/\d{1,2}\/\d{2,4})/iu;

/** Citizens of the row: `Name - Address; Name - Address`, IDs positional in their own cell. */
// (loops rather than map/filter callbacks: this runs for every row, and each callback is a closure)
function citizens(raw: SoTiepRaw) {
  const names = typeof raw[COL.hoTenDiaChi] === 'string' ? trimmedParts(raw[COL.hoTenDiaChi] as string) : [];
  while (names.length && names[names.length - 1] === '') names.pop();
  const ids = typeof raw[COL.cmnd] === 'string' ? trimmedParts(raw[COL.cmnd] as string) : [];
  let extraIds = 0;
  for (let i = names.length; i < ids.length; i++) if (ids[i] !== '') extraIds++;
  const list: { name: string; address: string | undefined; id: string; index: number }[] = [];
  for (let i = 0; i < names.length; i++) {
    const cell = names[i]!;
    const sep = cell.indexOf(' - ');
    list.push({
      name: sep >= 0 ? cell.slice(0, sep) : cell,
      address: sep >= 0 ? cell.slice(sep + 3) : undefined,
      id: ids[i] ?? '',
      index: i,
    });
  }
  return { list, extraIds };
}

/** `a; b ;` → ['a', 'b', ''] — parts trimmed, empty ones kept (positions matter). */
function trimmedParts(cell: string): string[] {
  if (cell.indexOf(';') === -1) return [cell.trim()]; // one citizen, the usual row: no split
  const parts = cell.split(';');
  for (let i = 0; i < parts.length; i++) parts[i] = parts[i]!.trim();
  return parts;
}

function mapSoTiep(raw: SoTiepRaw, ctx: MapContext): MapResult {
  const cat = ctx.catalogues;
  const today = ctx.clock.today();
  const id = isRecord(raw) ? identify(raw) : undefined;
  const meta = {
    source: SOURCE,
    localId: id?.localId ?? (isRecord(raw) && typeof raw[COL.id] === 'string' ? (raw[COL.id] as string).trim() : ''),
    version: id?.version ?? 0,
    agency: id?.agency ?? (isRecord(raw) && typeof raw[COL.donVi] === 'string' ? (raw[COL.donVi] as string).trim() : ''),
    mappingVersion: MAPPING_VERSION,
  };
  if (!isRecord(raw)) return assemble(meta, [], [makeIssue('SAI_KIEU', { source: '', recordKind: 'luot-tiep' })]);

  const filled = { thuLy: !blank(raw[COL.thuLy]), traLai: !blank(raw[COL.traLai]), chuyen: !blank(raw[COL.chuyen]) };
  const nHandling = Number(filled.thuLy) + Number(filled.traLai) + Number(filled.chuyen);
  const receivedDon = nHandling > 0;

  const lt = new Draft('luot-tiep');
  const hs = receivedDon ? new Draft('ho-so-don') : undefined;
  const drafts = hs ? [lt, hs] : [lt];
  const suggestions: Suggestion[] = [];

  // ---- identity of the row
  const localId = typeof raw[COL.id] === 'string' ? (raw[COL.id] as string).trim() : undefined;
  const maDonVi = typeof raw[COL.donVi] === 'string' ? (raw[COL.donVi] as string).trim() : undefined;
  const version = exportVersion(raw[EXPORT_KEY]);
  for (const d of drafts) {
    const idField = d.kind === 'luot-tiep' ? 'maLuotTiepNguon' : 'maHoSoNguon';
    d.from('/maDonVi', SRC.donVi).from(`/${idField}`, SRC.id).from('/phienBanNguon', SRC_EXPORT);
    put(d.body, 'maDonVi', maDonVi || undefined);
    put(d.body, idField, localId || undefined);
    if (version === undefined) d.add('THIEU_PHIEN_BAN_XUAT', { national: '/phienBanNguon', source: EXPORT_KEY in raw ? SRC_EXPORT : '' });
    else d.body.phienBanNguon = version;
  }

  // ---- date (both records)
  let era: 'truoc-2025' | 'hien-hanh' | null = null;
  let ngay: string | undefined;
  for (const d of drafts) {
    // constant keys (not national.slice(1)): a fresh key string per store has to be looked up in the string table
    const isLt = d.kind === 'luot-tiep';
    const national = isLt ? '/ngayTiep' : '/ngayNhanDon';
    const key = isLt ? 'ngayTiep' : 'ngayNhanDon';
    ngay = readDate(d, national, raw[COL.ngay], SRC.ngay, { today, notFuture: true, required: true });
    put(d.body, key, ngay);
  }
  if (ngay) era = eraOf(ngay);

  // ---- classification and number of people: "KN,PA/12"
  const pl = typeof raw[COL.phanLoai] === 'string' ? (raw[COL.phanLoai] as string) : '';
  const slash = pl.lastIndexOf('/');
  const label = slash >= 0 ? pl.slice(0, slash) : pl;
  const countText = slash >= 0 ? pl.slice(slash + 1).trim() : '';
  let soNguoi: number | undefined;
  let loaiDon: string | undefined;
  for (const d of drafts) {
    const isLt = d.kind === 'luot-tiep';
    const national = isLt ? '/phanLoai' : '/loaiDon';
    const key = isLt ? 'phanLoai' : 'loaiDon';
    loaiDon = readLabel(d, national, label, SRC.phanLoai, LOAI_DON_LABELS, 'loai-don', cat, { required: true });
    put(d.body, key, loaiDon);
    d.from('/soNguoi', SRC.phanLoai);
    if (countText === '') d.add('THIEU_TRUONG', { national: '/soNguoi', source: SRC.phanLoai });
    else if (!/^\d{1,6}$/.test(countText)) d.add('SAI_KIEU', { national: '/soNguoi', source: SRC.phanLoai });
    else soNguoi = d.body.soNguoi = Number(countText);
  }

  // ---- content
  for (const d of drafts) {
    const isLt = d.kind === 'luot-tiep';
    const national = isLt ? '/noiDung' : '/noiDungTomTat';
    const key = isLt ? 'noiDung' : 'noiDungTomTat';
    put(d.body, key, readText(d, national, raw[COL.noiDung], SRC.noiDung, { multiline: true, required: true }));
  }

  // ---- citizens (both records, each at its own national pointer)
  const { list: people, extraIds } = citizens(raw);
  const daiDien = soNguoi !== undefined && soNguoi >= 5;
  const pctx = { catalogues: cat, era, year: Number(today.slice(0, 4)) };
  for (const d of drafts) {
    const list = d.kind === 'luot-tiep' ? 'congDan' : 'nguoiDungDon';
    d.from(`/${list}`, SRC.hoTenDiaChi);
    const out: Record<string, unknown>[] = [];
    for (const c of people) {
      const cellSource = `${SRC.hoTenDiaChi}/${c.index}`;
      out.push(buildPerson(d, `/${list}/${c.index}`, {
        hoTen: c.name, hoTenSource: cellSource,
        idNumber: c.id, idSource: `${SRC.cmnd}/${c.index}`,
        address: c.address !== undefined ? { text: c.address, source: cellSource } : undefined,
        laDaiDien: daiDien,
      }, pctx));
    }
    if (extraIds > 0) d.add('CONG_DAN_KHONG_KHOP', { national: `/${list}`, source: SRC.cmnd });
    d.body[list] = out;
  }

  // ---- handling
  const theoDoi = typeof raw[COL.theoDoi] === 'string' && raw[COL.theoDoi] !== '' ? cleanText(raw[COL.theoDoi] as string) : undefined;
  const chuyenCell = raw[COL.chuyen];
  const chuyenName = filled.chuyen && !isX(chuyenCell) ? chuyenCell : undefined;

  // luot-tiep
  lt.from('/ketQua', SRC.thuLy).from('/coQuanDaGiaiQuyet', SRC.coQuanDaGq).from('/ghiChu', SRC.ghiChu);
  const ketQua: Record<string, unknown> = {};
  if (nHandling > 1) {
    for (const d of drafts) d.add('XU_LY_MAU_THUAN', { national: d.kind === 'luot-tiep' ? '/ketQua/huong' : '/xuLy/huong', source: SRC.thuLy });
    hs?.skip('/dieuKienXuLy');
  } else if (filled.thuLy) ketQua.huong = 'NHAN_DON';
  else if (filled.chuyen) {
    ketQua.huong = 'CHUYEN_DON';
    lt.from('/ketQua/maDonViNhan', SRC.chuyen);
    const ma = chuyenName !== undefined
      ? readAgencyName(lt, '/ketQua/maDonViNhan', chuyenName, SRC.chuyen, cat, { severity: 'warning', warningCode: 'DON_VI_NHAN_KHONG_XAC_DINH' })
      : undefined;
    if (chuyenName === undefined) lt.add('DON_VI_NHAN_KHONG_XAC_DINH', { national: '/ketQua/maDonViNhan', source: SRC.chuyen });
    put(ketQua, 'maDonViNhan', ma);
  } else ketQua.huong = 'HUONG_DAN'; // "Trả lại đơn và hướng dẫn", or nothing filled: the citizen was guided
  if (receivedDon && localId) ketQua.maHoSoNguon = localId;
  lt.body.hinhThuc = 'TRUC_TIEP';
  lt.body.ketQua = ketQua;
  put(lt.body, 'coQuanDaGiaiQuyet', readText(lt, '/coQuanDaGiaiQuyet', raw[COL.coQuanDaGq], SRC.coQuanDaGq, { multiline: true }));
  const followUp = theoDoi ? `Theo dõi kết quả giải quyết: ${theoDoi}` : undefined;
  const note = readText(lt, '/ghiChu', raw[COL.ghiChu], SRC.ghiChu, { multiline: true });
  const ghiChu = followUp && note ? `${followUp}\n${note}` : followUp || note;
  if (ghiChu) lt.body.ghiChu = ghiChu;

  // ho-so-don
  if (hs) {
    hs.body.nguonDon = 'TRUC_TIEP';
    hs.from('/linhVuc', SRC.noiDung);
    // The form has no field column: sent explicitly unclassified, with a warning to reclassify.
    hs.body.linhVuc = 'KHAC.KHAC';
    hs.add('LINH_VUC_CHUA_PHAN_LOAI', { national: '/linhVuc', source: SRC.noiDung });
    hs.body.anDanh = false;
    hs.from('/baoMatDanhTinh', SRC.phanLoai);
    hs.body.baoMatDanhTinh = loaiDon === 'TO_CAO';
    hs.from('/dieuKienXuLy', SRC.thuLy).from('/xuLy', SRC.thuLy).from('/lyDoKhongDu', SRC.traLai);
    const xuLy: Record<string, unknown> = {};
    if (nHandling === 1) {
      if (filled.thuLy) {
        hs.body.dieuKienXuLy = 'DU_DIEU_KIEN';
        xuLy.huong = 'THU_LY';
      } else if (filled.traLai) {
        // "Trả lại đơn và hướng dẫn": not for this body to handle; the đơn goes back with guidance
        hs.body.dieuKienXuLy = 'KHONG_DU_DIEU_KIEN';
        hs.body.lyDoKhongDu = theoDoi ?? 'Trả lại đơn và hướng dẫn công dân gửi đến cơ quan có thẩm quyền (Sổ tiếp công dân).';
        hs.from('/lyDoKhongDu', theoDoi ? SRC.theoDoi : SRC.traLai).from('/xuLy', SRC.traLai);
        xuLy.huong = 'TRA_LAI';
      } else {
        hs.body.dieuKienXuLy = 'DU_DIEU_KIEN';
        xuLy.huong = 'CHUYEN_DON';
        hs.from('/xuLy', SRC.chuyen).from('/xuLy/maDonViNhan', SRC.chuyen);
        put(xuLy, 'maDonViNhan', chuyenName !== undefined ? readAgencyName(hs, '/xuLy/maDonViNhan', chuyenName, SRC.chuyen, cat) : undefined);
      }
      // handling date: the transfer slip's date when the follow-up column cites one, else the reception day
      let ngayXuLy = ngay;
      const m = theoDoi ? PHIEU_CHUYEN.exec(theoDoi) : null;
      if (m && xuLy.huong === 'CHUYEN_DON') {
        xuLy.soVanBan = m[1];
        hs.from('/xuLy/soVanBan', SRC.theoDoi).from('/xuLy/ngayXuLy', SRC.theoDoi);
        const r = parseLocalDate(m[2]);
        if (r.ok && (!ngay || r.date >= ngay) && r.date <= today) ngayXuLy = r.date;
        else hs.add('NGAY_KHONG_HOP_LE', { national: '/xuLy/ngayXuLy', source: SRC.theoDoi });
      }
      if (ngayXuLy) xuLy.ngayXuLy = ngayXuLy;
      else hs.skip('/xuLy'); // the reception date itself is wrong and already reported
      hs.body.xuLy = xuLy;
    }
    // Rule 4 needs doiTuongBiKNTC; the form has no such column and reading it out of the
    // content would be a guess: the ho-so-don waits for an officer (samples README, open point).
    if ((loaiDon === 'KHIEU_NAI' || loaiDon === 'TO_CAO') && hs.body.dieuKienXuLy === 'DU_DIEU_KIEN') {
      hs.add('KHONG_NHAT_QUAN', {
        national: '/doiTuongBiKNTC', source: SRC.noiDung,
        chiTiet: 'Sổ tiếp công dân không có cột đối tượng bị khiếu nại, tố cáo; cán bộ cần bổ sung trước khi gửi (xem gợi ý lưu kèm hồ sơ).',
      });
      const content = typeof raw[COL.noiDung] === 'string' ? cleanText(raw[COL.noiDung] as string) : '';
      const clause = content.split(/[;\n]|\.\s/u)[0]?.trim();
      if (clause) suggestions.push({ recordKind: 'ho-so-don', national: '/doiTuongBiKNTC/ten', source: SRC.noiDung, value: clause.slice(0, 500) });
    }
    hs.body.dacTrungLienKet = { thuatToan: 'none', khoa: [], dacTrung: {} };
  }

  const finished: Finished[] = [];
  for (const d of drafts) finished.push(finishDraft(d, { catalogues: cat, today }));
  return assemble(meta, finished, [], suggestions);
}

export const soTiep: SourceMapper<SoTiepRaw> = {
  name: SOURCE,
  title: 'Sổ tiếp công dân (CSV, Mẫu số 03 TT 04/2021)',
  mappingVersion: MAPPING_VERSION,
  parse,
  identify: (raw) => {
    try {
      return identify(raw);
    } catch {
      return undefined;
    }
  },
  map: guarded({ source: SOURCE, mappingVersion: MAPPING_VERSION, kinds: ['luot-tiep', 'ho-so-don'] }, identify, mapSoTiep),
  /** The row without the export timestamp: a row re-exported unchanged has the same content view. */
  contentView: (raw) => {
    if (!isRecord(raw)) return raw;
    const { [EXPORT_KEY]: _stamp, ...rest } = raw;
    return rest;
  },
};
