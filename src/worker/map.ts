/**
 * The map processor: reads the ledger's latest raw version, runs the source's mapper
 * (pure) with the national catalogues, stores the mapped records and issues, and
 * enqueues a push per record that can be sent. Idempotent: a re-run of a job whose
 * mapping is already stored only makes sure the pushes are enqueued (job ids are
 * deterministic, so nothing doubles).
 */
import type { Logger } from 'pino';
import type { Catalogues, Clock, Issue, SourceMapper } from '../../mappers/types.js';
import type { HoSoDon, LuotTiep, RecordKind } from '../contract/schemas.js';
import { SOURCE_ID_FIELD } from '../contract/schemas.js';
import { bamNoiDung } from '../contract/hash.js';
import type { Ledger } from '../ledger/index.js';
import { pushPriority } from '../push/priority.js';
import { mapOutcomes } from '../metrics.js';
import { RetryableFailure } from '../push/processor.js';

/** The national catalogues could not be had (not cached in Redis yet and the national side unreachable): transient. */
export class CataloguesUnavailable extends RetryableFailure {
  constructor(cause: unknown) {
    super('KNTC_CATALOGUES_UNAVAILABLE', `national catalogues unavailable: ${String((cause as Error)?.message ?? cause).slice(0, 200)}`);
    this.name = 'CataloguesUnavailable';
  }
}

export interface PushRequest { tid: string; kind: RecordKind; v: number; f: string; priority: number }

export interface MapDeps {
  ledger: Ledger;
  mapperFor(source: string): Promise<SourceMapper | undefined>;
  catalogues(): Promise<Catalogues>;
  clock: Clock;
  enqueuePush(reqs: PushRequest[]): Promise<void>;
  log: Logger;
}

export type MapJobResult = { outcome: 'mapped' | 'rejected' | 'stale' | 'skipped' | 'requeued'; pushes: number };

export async function processMap(data: { tid: string; v: number; f: string }, d: MapDeps): Promise<MapJobResult> {
  const snap = await d.ledger.loadForMap(data.tid, data.v);
  if (!snap) return { outcome: 'skipped', pushes: 0 };
  if (data.v < snap.latest) {
    mapOutcomes.inc({ source: snap.source, outcome: 'stale' });
    return { outcome: 'stale', pushes: 0 }; // the newer version has its own job
  }
  const today = d.clock.today();
  if (snap.mappedVersion === snap.latest && snap.mappedFingerprint === snap.fingerprint) {
    // Already mapped (this is a re-run after a crash): make sure the pushes exist.
    const reqs: PushRequest[] = [];
    for (const kind of snap.kinds) {
      const ps = snap.pushStates[kind];
      if (ps === 'pushed' || ps === 'superseded' || ps === 'rejected') continue;
      const p = await d.ledger.loadForPush(snap.trackingId, kind);
      if (p?.body) reqs.push({ tid: snap.trackingId, kind, v: p.mappedVersion, f: snap.fingerprint!.slice(0, 12), priority: pushPriority(kind, p.body, today) });
    }
    if (reqs.length) await d.enqueuePush(reqs);
    return { outcome: 'requeued', pushes: reqs.length };
  }
  if (snap.raw === undefined || !snap.fingerprint) return { outcome: 'skipped', pushes: 0 };
  const mapper = await d.mapperFor(snap.source);
  if (!mapper) throw new Error(`no mapper for source ${snap.source}`);
  let catalogues: Catalogues;
  try {
    catalogues = await d.catalogues();
  } catch (e) {
    throw new CataloguesUnavailable(e); // retried for the job's whole budget, then a stored KNTC_MAP_FAILED rejection
  }

  let records: { kind: RecordKind; body: HoSoDon | LuotTiep; localId: string; hash: string }[] = [];
  let blocked: RecordKind[] = [];
  let issues: Issue[] = [];
  let mappingVersion = mapper.mappingVersion;
  try {
    const r = mapper.map(snap.raw, { catalogues, clock: d.clock });
    mappingVersion = r.mappingVersion || mapper.mappingVersion;
    issues = r.issues;
    blocked = [...new Set(r.blocked)];
    records = r.records
      .filter((x) => !blocked.includes(x.kind))
      .map((x) => ({ kind: x.kind, body: x.body, localId: String((x.body as unknown as Record<string, unknown>)[SOURCE_ID_FIELD[x.kind]] ?? ''), hash: bamNoiDung(x.body) }));
  } catch (e) {
    // A mapper must not throw; if one does, the record is kept for review rather than lost.
    d.log.error({ tid: snap.trackingId, source: snap.source, err: (e as Error).name }, 'mapper threw');
    records = [];
    issues = [{ code: 'LOI_CHUYEN_DOI', severity: 'error', source: '', message: 'Lỗi khi chuyển đổi bản ghi (lỗi kỹ thuật của bộ chuyển đổi); bản ghi được giữ lại để xem xét.' }];
  }
  const saved = await d.ledger.saveMapped(snap.trackingId, snap.latest, snap.fingerprint, { mappingVersion, issues, blocked, records });
  if (!saved.saved) {
    mapOutcomes.inc({ source: snap.source, outcome: 'stale' });
    return { outcome: 'stale', pushes: 0 };
  }
  const reqs = records
    .filter((r) => saved.toPush.includes(r.kind))
    .map((r) => ({ tid: snap.trackingId, kind: r.kind, v: snap.latest, f: snap.fingerprint!.slice(0, 12), priority: pushPriority(r.kind, r.body, today) }));
  if (reqs.length) await d.enqueuePush(reqs);
  const outcome = saved.state === 'rejected' ? 'rejected' : 'mapped';
  mapOutcomes.inc({ source: snap.source, outcome });
  return { outcome, pushes: reqs.length };
}
