/**
 * The mapper contract. A mapper is a pure function of (source record, catalogues,
 * clock): it never throws on bad data and does no I/O. One source record may yield
 * several national records (so-tiep: a luot-tiep and, when a đơn was received, a
 * ho-so-don). Problems are reported as Issues — never guessed away.
 */
import type { HoSoDon, LuotTiep, RecordKind, CatalogueItem, CatalogueName } from '../src/contract/schemas.js';

export type Severity = 'error' | 'warning';

export interface Issue {
  /** Stable code: a national chiTiet code (e.g. NGAY_KHONG_HOP_LE) or a mapper code (e.g. NHAN_KHONG_XAC_DINH). */
  code: string;
  /** `error` blocks the push of `recordKind` (or of every record when absent); `warning` does not. */
  severity: Severity;
  /** RFC 6901 pointer into the *source* record (for CSV: `/<column header>`, for a cell part `/<column>/<index>`). */
  source: string;
  /** RFC 6901 pointer into the national record, where relevant. */
  national?: string;
  /** Which output record it concerns, when the source yields several. */
  recordKind?: RecordKind;
  /** Message for the data officer, in Vietnamese. Never contains a personal value. */
  message: string;
  /** Optional non-personal hint for the officer (e.g. closest catalogue candidates). */
  hint?: string;
}

export type NationalRecord =
  | { kind: 'ho-so-don'; body: HoSoDon }
  | { kind: 'luot-tiep'; body: LuotTiep };

export interface MappedOutput {
  kind: RecordKind;
  /** Present when the record has no blocking error of its own. */
  body?: HoSoDon | LuotTiep;
  /** Source id of this national record (maHoSoNguon / maLuotTiepNguon). */
  localId: string;
  ok: boolean;
}

export interface MapResult {
  source: string;
  /** Local id of the source record ('' when it could not be read). */
  localId: string;
  /** Local version used for phienBanNguon. */
  version: number;
  /** Receiving agency as read from the record (validated later against ingest scope). */
  agency: string;
  /** True when no output has a blocking error. */
  ok: boolean;
  /** Records that can be pushed (their own issues are warnings only). */
  records: NationalRecord[];
  /** Records that could not be produced or are blocked, by kind. */
  blocked: RecordKind[];
  issues: Issue[];
  /** Version of the mapping code that produced this result (stored with each output). */
  mappingVersion: string;
  /**
   * Values an officer may use to complete a blocked record in review (e.g. so-tiep: the first
   * clause of the content as a candidate doiTuongBiKNTC). They are petition text, i.e. personal
   * data: store them like the raw record (encrypted), never log them, never put them in messages.
   */
  suggestions?: Suggestion[];
  /**
   * The candidate body of each blocked output, as far as it could be built — what an officer
   * completes in review. Personal data: stored like the raw record, never logged.
   */
  candidates?: { kind: RecordKind; body: Record<string, unknown> }[];
}

export interface Suggestion {
  recordKind: RecordKind;
  /** National pointer of the field the value would fill. */
  national: string;
  /** Source pointer the value was taken from. */
  source: string;
  value: string;
}

/** A catalogue lookup table, fetched from the national API at run time (never vendored). */
export interface Catalogues {
  get(name: CatalogueName): readonly CatalogueItem[];
  /** Fast lookup by code. */
  byCode(name: CatalogueName, code: string): CatalogueItem | undefined;
}

export interface Clock {
  /** Today in Vietnam local time (YYYY-MM-DD). */
  today(): string;
  now(): Date;
}

export interface MapContext {
  catalogues: Catalogues;
  clock: Clock;
}

/**
 * One local source. `parse` splits a file/body into raw records (it may report
 * unreadable lines as records with a parse error); `map` converts one raw record.
 */
export interface SourceMapper<Raw = unknown> {
  /** Source kind name: 'qldt' | 'so-tiep' | 'pakn' | … */
  name: string;
  /** Human title (Vietnamese) for --help and reports. */
  title: string;
  mappingVersion: string;
  /** Split a file's text into raw records. `fileName` may carry the export version (so-tiep). */
  parse(text: string, fileName?: string): ParsedRecord<Raw>[];
  /** Local id, version and agency read without mapping (for the ledger key and ingest scope check). */
  identify(raw: Raw): { localId: string; version: number; agency: string } | undefined;
  map(raw: Raw, ctx: MapContext): MapResult;
  /**
   * Optional: the part of a raw record that carries content, for change detection. Two raws with
   * equal content views are the same record state even at different versions (so-tiep: every
   * export has a new timestamp-version, but an unchanged row must not be pushed again). Absent:
   * the whole raw is the content.
   */
  contentView?(raw: Raw): unknown;
}

export type ParsedRecord<Raw> =
  | { ok: true; raw: Raw; line: number }
  | { ok: false; line: number; text: string; issue: Issue };
