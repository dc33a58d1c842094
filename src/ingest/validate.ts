/**
 * The one scope check shared by the ingest API and `kntc enqueue`: read each raw record's
 * (local id, version, agency) with the mapper's identify() — never from an envelope field —
 * and refuse the WHOLE submission when any record is outside the caller's agencies or
 * cannot be identified. Nothing is enqueued for a refused submission: a partial accept
 * would let a caller learn (and a retry duplicate) what got through.
 */
import type { SourceMapper } from '../../mappers/types.js';
import { MA_NGUON_RE } from '../contract/schemas.js';
import { IngestError, type ErrorDetail } from './errors.js';

export interface Identified {
  index: number;
  localId: string;
  version: number;
  agency: string;
}

export interface ScopeReport {
  identified: Identified[];
  /** Indexes whose id/version/agency could not be read. */
  unidentifiable: number[];
  /** Records of agencies outside the allowed set. */
  outOfScope: { index: number; agency: string }[];
}

/** Safe identify: a mapper that throws on garbage is treated as "cannot identify". */
export function identifyOne(mapper: SourceMapper, raw: unknown): Omit<Identified, 'index'> | undefined {
  let id: ReturnType<SourceMapper['identify']>;
  try {
    id = mapper.identify(raw);
  } catch {
    return undefined;
  }
  if (!id) return undefined;
  // Same bar as the pipeline's gate (a national maNguon, version >= 1): what the API lets
  // through is never stored as an anonymous "unidentifiable" rejection.
  if (typeof id.localId !== 'string' || !MA_NGUON_RE.test(id.localId)) return undefined;
  if (typeof id.agency !== 'string' || id.agency === '' || id.agency.length > 200) return undefined;
  if (!Number.isSafeInteger(id.version) || id.version < 1) return undefined;
  return { localId: id.localId, version: id.version, agency: id.agency };
}

/**
 * @param agencies allowed agency codes; undefined = no scope restriction (operator CLI
 *   without --agencies). An empty set allows nothing.
 */
export function checkScope(mapper: SourceMapper, raws: readonly unknown[], agencies?: ReadonlySet<string>): ScopeReport {
  const report: ScopeReport = { identified: [], unidentifiable: [], outOfScope: [] };
  raws.forEach((raw, index) => {
    const id = identifyOne(mapper, raw);
    if (!id) {
      report.unidentifiable.push(index);
      return;
    }
    if (agencies && !agencies.has(id.agency)) report.outOfScope.push({ index, agency: id.agency });
    report.identified.push({ index, ...id });
  });
  return report;
}

/** Throw the refusal for the whole submission, if any. Out-of-scope wins over unreadable. */
export function assertInScope(report: ScopeReport, indexToPointer: (i: number) => string = (i) => `/records/${i}`): void {
  if (report.outOfScope.length) {
    const details: ErrorDetail[] = report.outOfScope.map((o) => ({ index: o.index, pointer: indexToPointer(o.index), agency: o.agency, reason: 'agency-out-of-scope' }));
    throw new IngestError('KNTC_ERR_AGENCY_FORBIDDEN', details);
  }
  if (report.unidentifiable.length) {
    const details: ErrorDetail[] = report.unidentifiable.map((i) => ({ index: i, pointer: indexToPointer(i), reason: 'unidentifiable' }));
    throw new IngestError('KNTC_ERR_RECORD_UNIDENTIFIABLE', details);
  }
}

/** Split into chunks of at most `size` (CLI accepts files in pieces). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
