/**
 * Request envelopes of the ingest API. Strict: an unknown field is a 400, because a field
 * the connector ignores is a field the caller believes was used (e.g. an `agency` that
 * would not be honoured — the agency is always read from the record itself).
 *
 *   POST /v1/records/:source        { "record":  <raw> }
 *   POST /v1/records/:source/batch  { "records": [<raw>, …] }
 *
 * <raw> is one source record exactly as the mapper's parse() yields it from a file:
 * qldt = one JSON Lines object; pakn = one element of the portal's JSON array;
 * so-tiep = one CSV row as an object keyed by the (NFC) CSV header, plus the export stamp
 * under "#xuat-luc" (RFC 3339, e.g. "2026-03-31T17:00:00+07:00"; the row's version is that
 * instant, so a re-export of an unchanged row is recognised). The file endpoint builds the
 * same object from the file itself (`# xuat-luc:` first line or the file name).
 */
import { z } from 'zod';
import { IngestError, type ErrorDetail } from './errors.js';

const RawRecord = z.record(z.string(), z.unknown());

export const SingleEnvelope = z.strictObject({ record: RawRecord });
export const BatchEnvelope = z.strictObject({ records: z.array(RawRecord) });

function zodDetails(err: z.ZodError): ErrorDetail[] {
  // Pointers and zod issue codes only: never the received value.
  return err.issues.slice(0, 20).map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys ?? [] : [];
    const base = '/' + i.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    return { pointer: keys.length ? `${base === '/' ? '' : base}/${keys[0]}` : base, reason: i.code };
  });
}

export function parseSingle(body: unknown): unknown[] {
  const r = SingleEnvelope.safeParse(body);
  if (!r.success) throw new IngestError('KNTC_ERR_ENVELOPE_INVALID', zodDetails(r.error));
  return [r.data.record];
}

/** Counts before looking inside any record, so an oversized batch costs nothing more. */
export function parseBatch(body: unknown, maxBatch: number): unknown[] {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const recs = (body as { records?: unknown }).records;
    if (Array.isArray(recs) && recs.length > maxBatch) {
      throw new IngestError('KNTC_ERR_BATCH_TOO_LARGE', [{ pointer: '/records', reason: `max ${maxBatch}, got ${recs.length}` }]);
    }
  }
  const r = BatchEnvelope.safeParse(body);
  if (!r.success) throw new IngestError('KNTC_ERR_ENVELOPE_INVALID', zodDetails(r.error));
  if (r.data.records.length === 0) throw new IngestError('KNTC_ERR_BATCH_EMPTY', [{ pointer: '/records' }]);
  return r.data.records;
}
