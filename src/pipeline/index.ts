/**
 * Pipeline core (interface G): the one entry point the ingest API, `kntc enqueue`
 * and the demo use to hand records over. `accept` identifies each raw record, passes
 * it through the ledger's version gate and enqueues its `map` job; it resolves only
 * after Redis acknowledged both, so an "accepted" answer means the record is durable.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../config/index.js';
import type { Issue, SourceMapper } from '../../mappers/types.js';
import type { RecordKind } from '../contract/schemas.js';
import { MA_NGUON_RE } from '../contract/schemas.js';
import { Ledger, ledgerCipherFromConfig, type GateInput, type LedgerStatus, type ReportedIssue } from '../ledger/index.js';
import { queueSpecs, type QueueName } from '../../queues/catalog.js';
import { planMapJobs } from '../worker/batches.js';
import { connectRedis, openQueues, queueCounts, findMapper, redisReady, jobStates, type Queues } from './infra.js';
import { acceptedRecords, registerQueueDepthSource } from '../metrics.js';
import { logger } from '../log/logger.js';

export interface AcceptResult {
  index: number; trackingId: string; source: string; agency: string; localId: string; version: number;
  outcome: 'accepted' | 'unchanged' | 'older' | 'rejected';
  reasons?: Issue[];
}

export interface RecordStatus {
  source: string; agency: string; localId: string; trackingId: string;
  state: 'received' | 'mapped' | 'pushing' | 'pushed' | 'rejected';
  latestVersion: number; pushedVersion?: number;
  nationalIds: Partial<Record<RecordKind, string>>;
  issues: Issue[];
  lastError?: { code: string; message: string; at: string };
  history: { at: string; state: string; version: number; detail?: string }[];
  /** Per national record produced from this source record (so-tiep rows yield two). */
  outputs?: LedgerStatus['outputs'];
}

export interface Pipeline {
  /** Durably store raw records (ledger) and enqueue their map jobs; resolves only after Redis acknowledged both. */
  accept(source: string, raws: unknown[], via: { channel: 'api' | 'cli'; keyId?: string }): Promise<AcceptResult[]>;
  status(source: string, agency: string, localId: string): Promise<RecordStatus | undefined>;
  /** Redis reachable AND maxmemory-policy = noeviction. */
  ready(): Promise<{ ok: boolean; reason?: string }>;
  /** Per queue: waiting/active/delayed/failed/completed. */
  counts(): Promise<Record<string, Record<string, number>>>;
  close(): Promise<void>;
  /** The ledger (reports: listIssues, summary). */
  readonly ledger: Ledger;
  listIssues(q?: { since?: string | Date; agency?: string; limit?: number }): Promise<ReportedIssue[]>;
}

export class PipelineError extends Error {
  constructor(readonly code: 'UNKNOWN_SOURCE', message: string) {
    super(message);
    this.name = 'PipelineError';
  }
}

const UNREADABLE = Symbol.for('kntc.unreadable');
/**
 * Wrap a line that a mapper's `parse` could not read (ParsedRecord with ok: false) so
 * `accept` stores it as a reviewable rejection with the parser's own issue.
 */
export function unreadable(text: string, issue: Issue, line?: number): unknown {
  return { [UNREADABLE]: true, text, issue, ...(line !== undefined ? { line } : {}) };
}
function asUnreadable(raw: unknown): { text: string; issue: Issue; line?: number } | undefined {
  return raw !== null && typeof raw === 'object' && (raw as Record<symbol, unknown>)[UNREADABLE] === true
    ? (raw as { text: string; issue: Issue; line?: number }) : undefined;
}

export interface PipelineOptions {
  redis?: Redis;
  /** Mappers by source name, used before mappers/registry.ts (tests, embedding). */
  mappers?: Record<string, SourceMapper>;
  /** Queue handles to enqueue on (tests inject failing ones); closed by the pipeline. */
  queues?: Queues;
}

const log = () => logger().child({ component: 'pipeline' });

export function createPipeline(cfg: Config, opts: PipelineOptions = {}): Pipeline {
  const ownRedis = !opts.redis;
  const redis = opts.redis ?? connectRedis(cfg.REDIS_URL, { name: 'kntc-pipeline-q' });
  const ledgerRedis = opts.redis ?? connectRedis(cfg.REDIS_URL, { name: 'kntc-pipeline-l', autoPipeline: true });
  const ledger = new Ledger(ledgerRedis, cfg.KNTC_PREFIX, ledgerCipherFromConfig(cfg));
  let queues: Queues | undefined = opts.queues;
  const q = (): Queues => (queues ??= openQueues(cfg, redis));
  const specs = queueSpecs(cfg);
  const unregister = registerQueueDepthSource(() => queueCounts(q()));

  // Storing (ledger.gate) and enqueueing (addBulk) are two Redis calls: when the enqueue fails the
  // caller gets an error (503) and may resend, but the record is already stored. The workers'
  // requeue sweep (src/worker/requeue.ts) finds such records and enqueues their jobs, so an
  // accepted-then-failed enqueue is never a record that sits `received` for ever.
  async function accept(source: string, raws: unknown[], via: { channel: 'api' | 'cli'; keyId?: string }): Promise<AcceptResult[]> {
    const mapper = await findMapper(source, opts.mappers);
    if (!mapper) throw new PipelineError('UNKNOWN_SOURCE', `unknown source ${JSON.stringify(source)}`);
    const channel = via.keyId ? `${via.channel}:${via.keyId}` : via.channel;
    const inputs: GateInput[] = [];
    const rejectedReasons = new Map<number, Issue[]>();
    raws.forEach((raw, index) => {
      const bad = asUnreadable(raw);
      let id: { localId: string; version: number; agency: string } | undefined;
      let reason: Issue | undefined = bad?.issue;
      if (!bad) {
        try {
          id = mapper.identify(raw);
        } catch {
          id = undefined;
        }
        if (id && !(typeof id.localId === 'string' && MA_NGUON_RE.test(id.localId) && Number.isInteger(id.version) && id.version >= 1 && typeof id.agency === 'string' && id.agency.length > 0 && id.agency.length <= 200)) {
          reason = { code: 'KHONG_XAC_DINH_BAN_GHI', severity: 'error', source: '', message: 'Mã, phiên bản hoặc đơn vị tiếp nhận của bản ghi không hợp lệ nên không xác định được bản ghi.' };
          id = undefined;
        }
      }
      if (id) {
        inputs.push({ source, agency: id.agency, localId: id.localId, version: id.version, raw, channel });
        return;
      }
      // Unreadable / unidentifiable: kept as a reviewable rejection under a synthetic id, never dropped.
      const content = bad ? { unreadable: bad.text } : raw;
      const localId = `_khong-xac-dinh-${ledger.fingerprint(content).slice(0, 16)}`;
      rejectedReasons.set(index, [reason ?? { code: 'KHONG_XAC_DINH_BAN_GHI', severity: 'error', source: '', message: 'Không đọc được mã, phiên bản hoặc đơn vị tiếp nhận của bản ghi; bản ghi được lưu để xem xét.' }]);
      inputs.push({ source, agency: '_', localId, version: 1, raw: content, channel });
    });
    // Inputs are in raw order; map back by position.
    const indexOf: number[] = [];
    raws.forEach((_r, i) => indexOf.push(i));
    const gated = await ledger.gate(inputs);
    const results: AcceptResult[] = [];
    const mapJobs: { name: QueueName; data: { tid: string; v: number; f: string }; opts: { jobId: string } }[] = [];
    /** Re-sent before they were mapped: they need a map job only if the one they had is gone. */
    const resent: typeof mapJobs = [];
    const rejections: Promise<unknown>[] = [];
    gated.forEach((g, n) => {
      const inp = inputs[n]!;
      const index = indexOf[n]!;
      const base = { index, trackingId: g.trackingId, source, agency: inp.agency, localId: inp.localId, version: inp.version };
      const reasons = rejectedReasons.get(index);
      if (reasons) {
        if (g.outcome !== 'unchanged') rejections.push(ledger.saveMapped(g.trackingId, 1, ledger.fingerprint(inp.raw), { mappingVersion: 'ingest', issues: reasons, blocked: [], records: [] }));
        results.push({ ...base, outcome: 'rejected', reasons });
        acceptedRecords.inc({ source, outcome: 'rejected' });
        return;
      }
      if (g.outcome === 'older') {
        results.push({ ...base, outcome: 'older', reasons: [{ code: 'PHIEN_BAN_CU', severity: 'warning', source: '', message: `Đã nhận phiên bản ${g.latest} mới hơn; phiên bản ${inp.version} không được ghi đè.` }] });
        acceptedRecords.inc({ source, outcome: 'older' });
        return;
      }
      if (g.outcome === 'accepted' || g.outcome === 'conflict' || g.needsMap) {
        const data = { tid: g.trackingId, v: inp.version, f: g.fingerprint.slice(0, 12) };
        (g.outcome === 'unchanged' ? resent : mapJobs).push({ name: 'map', data, opts: { jobId: specs.map.jobId(data) } });
      }
      if (g.outcome === 'unchanged') {
        results.push({ ...base, outcome: 'unchanged' });
        acceptedRecords.inc({ source, outcome: 'unchanged' });
      } else {
        results.push({
          ...base, outcome: 'accepted',
          ...(g.outcome === 'conflict' ? { reasons: [{ code: 'PHIEN_BAN_TRUNG_NOI_DUNG_KHAC', severity: 'warning', source: '', message: 'Cùng số phiên bản với bản đã nhận nhưng nội dung khác; hệ thống nguồn cần tăng phiên bản khi sửa hồ sơ.' } satisfies Issue] } : {}),
        });
        acceptedRecords.inc({ source, outcome: 'accepted' });
      }
    });
    await Promise.all(rejections);
    if (resent.length) {
      const refs = await ledger.mapJobRefs(resent.map((j) => j.data.tid));
      const [single, batch] = await Promise.all([jobStates(q().map, resent.map((j) => j.opts.jobId)), jobStates(q().map, refs.map((r) => r ?? '-'))]);
      const inCall = new Set(mapJobs.map((j) => j.opts.jobId)); // the same record twice in one call
      resent.forEach((j, n) => {
        if (inCall.has(j.opts.jobId) || single[n] === 'alive' || (refs[n] && batch[n] === 'alive')) return;
        inCall.add(j.opts.jobId);
        mapJobs.push(j);
      });
    }
    let jobs = 0;
    if (mapJobs.length) {
      // Up to BATCH_JOB_MAX records per map job (src/worker/batches.ts); deterministic ids: a
      // retried accept re-adds the same job ids, which BullMQ ignores.
      const { jobs: bulk, refs } = planMapJobs(specs.map, mapJobs.map((j) => j.data), cfg.JOB_BATCH_RECORDS);
      await ledger.setJobRefs(refs);
      for (let i = 0; i < bulk.length; i += 1000) await q().map.addBulk(bulk.slice(i, i + 1000));
      jobs = bulk.length;
    }
    log().debug({ source, n: raws.length, records: mapJobs.length, jobs }, 'accepted');
    return results;
  }

  return {
    ledger,
    accept,
    async status(source, agency, localId) {
      const s = await ledger.status(source, agency, localId);
      if (!s) return undefined;
      return {
        source: s.source, agency: s.agency, localId: s.localId, trackingId: s.trackingId, state: s.state,
        latestVersion: s.latestVersion, ...(s.pushedVersion ? { pushedVersion: s.pushedVersion } : {}),
        nationalIds: s.nationalIds, issues: s.issues, ...(s.lastError ? { lastError: s.lastError } : {}),
        history: s.history, outputs: s.outputs,
      };
    },
    ready: () => redisReady(redis),
    counts: () => queueCounts(q()),
    listIssues: (qq) => ledger.listIssues(qq),
    async close() {
      unregister();
      if (queues) await Promise.all(Object.values(queues).map((x) => x.close()));
      if (ownRedis) for (const c of [redis, ledgerRedis]) await c.quit().catch(() => c.disconnect());
    },
  };
}

export { startWorkers } from '../worker/index.js';
export type { LedgerStatus, ReportedIssue } from '../ledger/index.js';
