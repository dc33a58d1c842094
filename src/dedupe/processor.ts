/**
 * The `dedupe` queue's processor: after a ho-so-don was pushed, ask the national index
 * for candidates (tim-trung over its lk1 keys), score each one, link TRUNG pairs, link
 * NGHI_TRUNG pairs and open a local review item, and store every decision with its
 * contributions. Also: the periodic sweep over own records, pulling the links other
 * agencies made (lien-ket-trung listing), and the officer actions confirm / reject.
 *
 * Logs carry national ids, counts and levels only.
 */
import { z } from 'zod';
import { Redis } from 'ioredis';
import type { Candidate, DacTrungLienKet, HoSoDon, LienKet, LienKetRequest, TimTrungRequest } from '../contract/schemas.js';
import type { Config } from '../../config/index.js';
import { logger } from '../log/logger.js';
import { LK1, candidateFeatures, computeLinkage, isLk1Features, splitKeys, type Lk1Features } from './features.js';
import { DEFAULT_THRESHOLDS, quickScore, reasonText, scorePair, type Thresholds } from './score.js';
import { DedupeStore, pairIdOf, type PairRecord } from './store.js';
import { withRedisLock } from '../pipeline/lock.js';

/** Payload of a dedupe job. The pipeline sends {tid, v, maHoSo}; the rest is optional (found via the ledger or the national record). */
export const DEDUPE_JOB_SCHEMA = z.object({
  tid: z.string().optional(),
  v: z.number().int().optional(),
  maHoSo: z.string().min(1).max(200),
  maDonVi: z.string().optional(),
  ref: z.object({ source: z.string(), agency: z.string(), localId: z.string() }).optional(),
  dacTrungLienKet: z.object({ thuatToan: z.string(), khoa: z.array(z.string()), dacTrung: z.record(z.string(), z.unknown()) }).optional(),
});
export type DedupeJob = z.infer<typeof DEDUPE_JOB_SCHEMA>;

/** The slice of the national client this module uses (interface C). */
export interface DedupePort {
  timTrung(req: TimTrungRequest): Promise<{ ungVien: Candidate[]; conNua: boolean }>;
  link(maHoSo: string, req: LienKetRequest): Promise<LienKet>;
  unlink(maHoSo: string, maLienKet: string): Promise<void>;
  listLinks(q: { maDonVi: string; capNhatTu?: string }): AsyncIterable<LienKet>;
  get?(kind: 'ho-so-don', nationalId: string): Promise<Record<string, unknown>>;
}
/** What the processor may read from the ledger (src/ledger: loadForPush). */
export interface LedgerLike {
  loadForPush(tid: string, kind: 'ho-so-don'): Promise<{ source: string; agency: string; localId: string; body?: unknown } | undefined>;
}

export interface DedupeDeps {
  client: DedupePort | unknown;
  store?: DedupeStore;
  cfg?: Pick<Config, 'NATIONAL_LINKAGE_SECRET' | 'REDIS_URL' | 'KNTC_PREFIX'>;
  ledger?: LedgerLike;
  /** linkage secret (default cfg.NATIONAL_LINKAGE_SECRET) */
  secret?: string;
  thresholds?: Thresholds;
  /** candidates per tim-trung query (default 50) */
  limit?: number;
  now?: () => Date;
}

export interface DedupeOutcome {
  outcome: 'done' | 'no-features';
  maHoSo: string;
  candidates: number;
  trung: number;
  nghiTrung: number;
  unchanged: number;
  removed: number;
}

const log = () => logger().child({ component: 'dedupe' });

// One store per (Redis URL, prefix) when the worker does not hand one in.
const stores = new Map<string, DedupeStore>();
export function storeFor(cfg: Pick<Config, 'REDIS_URL' | 'KNTC_PREFIX'>): DedupeStore {
  const key = `${cfg.REDIS_URL}|${cfg.KNTC_PREFIX}`;
  let s = stores.get(key);
  if (!s) {
    s = new DedupeStore(new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false }), cfg.KNTC_PREFIX);
    stores.set(key, s);
  }
  return s;
}
/** Close the stores opened by storeFor (worker shutdown, tests). */
export async function closeDedupeStores(): Promise<void> {
  for (const s of stores.values()) s.redis.disconnect();
  stores.clear();
}

function port(deps: DedupeDeps): DedupePort {
  const c = deps.client as Partial<DedupePort>;
  if (typeof c?.timTrung !== 'function' || typeof c.link !== 'function') throw new Error('dedupe: national client without timTrung/link');
  return c as DedupePort;
}
function secretOf(deps: DedupeDeps): string {
  const s = deps.secret ?? deps.cfg?.NATIONAL_LINKAGE_SECRET?.reveal();
  if (!s) throw new Error('dedupe: no national linkage secret');
  return s;
}
const ledgerStores = new WeakMap<object, DedupeStore>();
function storeOf(deps: DedupeDeps): DedupeStore {
  if (deps.store) return deps.store;
  // The worker hands in its ledger: share its Redis connection (and lifetime) and prefix.
  const l = deps.ledger as unknown as { r?: Redis; prefix?: string } | undefined;
  if (l && l.r && typeof l.r.hset === 'function' && typeof l.prefix === 'string') {
    let s = ledgerStores.get(l);
    if (!s) ledgerStores.set(l, (s = new DedupeStore(l.r, l.prefix)));
    return s;
  }
  if (!deps.cfg) throw new Error('dedupe: no store and no config');
  return storeFor(deps.cfg);
}

interface Self {
  maHoSo: string;
  agency: string;
  source?: string;
  localId?: string;
  confidential: boolean;
  linkage?: DacTrungLienKet;
}

async function resolveSelf(data: DedupeJob, deps: DedupeDeps, p: DedupePort, secret: string): Promise<Self> {
  const self: Self = { maHoSo: data.maHoSo, agency: data.maDonVi ?? data.ref?.agency ?? '', source: data.ref?.source, localId: data.ref?.localId, confidential: false, linkage: data.dacTrungLienKet as DacTrungLienKet | undefined };
  let body: Partial<HoSoDon> | undefined;
  if (data.tid && deps.ledger) {
    const snap = await deps.ledger.loadForPush(data.tid, 'ho-so-don');
    if (snap) {
      self.source ??= snap.source;
      self.agency ||= snap.agency;
      self.localId ??= snap.localId;
      body = snap.body as Partial<HoSoDon> | undefined;
    }
  }
  if (!body && !self.linkage && p.get) body = (await p.get('ho-so-don', data.maHoSo)) as Partial<HoSoDon>;
  if (body) {
    self.agency ||= body.maDonVi ?? '';
    self.localId ??= body.maHoSoNguon;
    self.confidential = !!(body.baoMatDanhTinh || body.anDanh);
    if (!self.linkage || self.linkage.thuatToan !== LK1) {
      self.linkage = body.dacTrungLienKet?.thuatToan === LK1 ? body.dacTrungLienKet : computeLinkage(body as HoSoDon, secret);
    }
  }
  if (self.linkage && isLk1Features(self.linkage.dacTrung)) self.confidential ||= self.linkage.dacTrung.bm || self.linkage.dacTrung.an;
  return self;
}

/** Process one dedupe job (idempotent: re-running re-finds the same pairs; the national link call is idempotent per pair). */
export async function processDedupe(raw: unknown, deps: DedupeDeps): Promise<DedupeOutcome> {
  const data = DEDUPE_JOB_SCHEMA.parse(raw);
  const p = port(deps);
  const store = storeOf(deps);
  const secret = secretOf(deps);
  const th = deps.thresholds ?? DEFAULT_THRESHOLDS;
  const now = deps.now ?? (() => new Date());
  const self = await resolveSelf(data, deps, p, secret);
  const out: DedupeOutcome = { outcome: 'done', maHoSo: self.maHoSo, candidates: 0, trung: 0, nghiTrung: 0, unchanged: 0, removed: 0 };
  await store.upsertRecord({ maHoSo: self.maHoSo, agency: self.agency, source: self.source, localId: self.localId, tid: data.tid, own: true, confidential: self.confidential });
  if (!self.linkage || !self.linkage.khoa.length || !isLk1Features(self.linkage.dacTrung)) {
    log().info({ maHoSo: self.maHoSo }, 'dedupe: record has no lk1 features');
    return { ...out, outcome: 'no-features' };
  }
  await store.saveFeatures(self.maHoSo, self.linkage);
  const mine = self.linkage.dacTrung as Lk1Features;

  // Two queries: identity keys and content keys (see splitKeys).
  const cands = new Map<string, Candidate>();
  for (const khoa of splitKeys(self.linkage.khoa)) {
    const r = await p.timTrung({ khoa, loaiTru: [self.maHoSo], gioiHan: deps.limit ?? 50 });
    for (const c of r.ungVien) if (c.maHoSo !== self.maHoSo && !cands.has(c.maHoSo)) cands.set(c.maHoSo, c);
  }
  out.candidates = cands.size;

  for (const c of cands.values()) {
    const theirs = candidateFeatures(c, secret);
    const quick = quickScore(mine, theirs, th);
    const pairId = pairIdOf(self.maHoSo, c.maHoSo);
    const prev = await store.getPair(pairId);
    await store.upsertRecord({ maHoSo: c.maHoSo, agency: c.maDonVi, confidential: theirs.bm || theirs.an || c.nguoiDungDon.length === 0 });
    // An officer's decision stands until an officer changes it.
    if (prev && (prev.status === 'rejected' || prev.status === 'confirmed')) {
      out.unchanged++;
      continue;
    }
    if (quick.decision === 'KHONG') {
      // A pair this connector linked before that no longer scores (the record changed): take the link back.
      if (prev && prev.status === 'auto' && prev.origin === 'local' && prev.maLienKet) {
        await p.unlink(self.maHoSo, prev.maLienKet);
        await store.savePair({ ...prev, status: 'removed', decidedAt: now().toISOString(), review: false });
        await store.appendHistory(pairId, { at: now().toISOString(), action: 'removed-by-rescore' });
        out.removed++;
      }
      continue;
    }
    const s = scorePair(mine, theirs, th);
    if (s.decision === 'KHONG') continue; // same computation as quickScore: cannot happen
    if (prev && prev.status === 'auto' && prev.level === s.decision && Math.abs((prev.weight ?? 0) - s.weight) < 0.01) {
      out.unchanged++;
      continue;
    }
    const lk = await p.link(self.maHoSo, { maHoSoKhac: c.maHoSo, mucDo: s.decision, diem: s.probability, lyDo: reasonText(s) });
    const rec: PairRecord = {
      pairId,
      a: self.maHoSo,
      b: c.maHoSo,
      level: s.decision,
      score: s.probability,
      weight: s.weight,
      reasons: s.contributions.map((x) => x.reason),
      contributions: s.contributions,
      maLienKet: lk.maLienKet,
      origin: 'local',
      taoBoi: lk.taoBoi,
      status: 'auto',
      decidedAt: now().toISOString(),
      review: s.decision === 'NGHI_TRUNG',
    };
    await store.savePair(rec);
    await store.appendHistory(pairId, { at: rec.decidedAt, action: 'linked', level: s.decision });
    if (s.decision === 'TRUNG') out.trung++;
    else out.nghiTrung++;
  }
  await store.markChecked(self.maHoSo, now().getTime());
  log().info({ maHoSo: self.maHoSo, candidates: out.candidates, trung: out.trung, nghiTrung: out.nghiTrung, removed: out.removed }, 'dedupe: decided');
  return out;
}

/** Periodic sweep: re-run the search for the own records checked longest ago (late arrivals, failed jobs, rule changes). */
export async function sweepDedupe(deps: DedupeDeps, opts: { max?: number } = {}): Promise<{ checked: number; trung: number; nghiTrung: number }> {
  const store = storeOf(deps);
  const ids = await store.ownRecords(opts.max ?? 1000);
  let trung = 0;
  let nghiTrung = 0;
  for (const maHoSo of ids) {
    const feat = (await store.loadFeatures(maHoSo)) as DacTrungLienKet | undefined;
    const info = await store.getRecord(maHoSo);
    const r = await processDedupe({ maHoSo, maDonVi: info?.agency, dacTrungLienKet: feat, ...(info?.source && info.localId ? { ref: { source: info.source, agency: info.agency, localId: info.localId } } : {}) }, deps);
    trung += r.trung;
    nghiTrung += r.nghiTrung;
  }
  return { checked: ids.length, trung, nghiTrung };
}

/**
 * Pull the links that touch an agency's records (made by anyone) since the saved cursor,
 * so an agency learns that another agency flagged one of its records. Tolerates repeats.
 */
export async function pullLinks(maDonVi: string, deps: DedupeDeps): Promise<{ seen: number; added: number; removed: number }> {
  const p = port(deps);
  const store = storeOf(deps);
  const since = await store.linkCursor(maDonVi);
  let max = since;
  let seen = 0;
  let added = 0;
  let removed = 0;
  for await (const l of p.listLinks({ maDonVi, ...(since ? { capNhatTu: since } : {}) })) {
    seen++;
    if (!max || l.capNhatLuc > max) max = l.capNhatLuc;
    await store.upsertRecord({ maHoSo: l.maHoSo, agency: l.maDonVi });
    await store.upsertRecord({ maHoSo: l.maHoSoKhac, agency: l.maDonViKhac });
    const pairId = pairIdOf(l.maHoSo, l.maHoSoKhac);
    const prev = await store.getPair(pairId);
    // Our officer's rejection after the link's last change stands.
    if (prev?.status === 'rejected' && (prev.at ?? '') >= l.capNhatLuc) continue;
    const active = l.trangThai === 'HIEU_LUC';
    if (prev && prev.maLienKet === l.maLienKet && prev.level === l.mucDo && (prev.status === 'auto' || prev.status === 'confirmed') === active) continue;
    const rec: PairRecord = {
      ...(prev ?? {
        pairId,
        a: l.maHoSo,
        b: l.maHoSoKhac,
        origin: 'national' as const,
        reasons: [],
        decidedAt: l.capNhatLuc,
      }),
      level: l.mucDo,
      score: l.diem,
      maLienKet: l.maLienKet,
      taoBoi: l.taoBoi,
      status: active ? (prev?.status === 'confirmed' ? 'confirmed' : 'auto') : 'removed',
      review: active && l.mucDo === 'NGHI_TRUNG' && prev?.status !== 'confirmed',
    };
    if (!prev || prev.origin === 'national') {
      // Another connector's lyDo is free text we cannot vouch for (it might name a người tố cáo), so it is
      // neither stored nor shown: officers see who linked, at what level and score.
      rec.reasons = [pulledReason(l)];
      rec.decidedAt = l.capNhatLuc;
    }
    await store.savePair(rec);
    await store.appendHistory(pairId, { at: l.capNhatLuc, action: active ? 'pulled-link' : 'pulled-removal', by: l.taoBoi, level: l.mucDo });
    if (active) added++;
    else removed++;
  }
  if (max && max !== since) await store.setLinkCursor(maDonVi, max);
  log().info({ maDonVi, seen, added, removed }, 'dedupe: links pulled');
  return { seen, added, removed };
}

/** The one reason shown for a link pulled from the national side (no text of the other connector). */
export function pulledReason(l: { taoBoi: string; mucDo: string; diem: number }): string {
  const level = l.mucDo === 'TRUNG' ? 'trùng' : 'nghi trùng';
  return `Liên kết ${level} do hệ thống ${l.taoBoi} tạo, điểm ${l.diem.toFixed(3)} (lý do do hệ thống khác ghi không được hiển thị vì có thể chứa thông tin cá nhân)`;
}

/** The pair's record this deployment sent (the national path names it), else `a`. */
async function ownSide(store: DedupeStore, p: PairRecord): Promise<[string, string]> {
  const rb = await store.getRecord(p.b);
  const ra = await store.getRecord(p.a);
  return !ra?.own && rb?.own ? [p.b, p.a] : [p.a, p.b];
}

export class PairNotFoundError extends Error {
  readonly code = 'KNTC_ERR_PAIR_NOT_FOUND';
}

/** Officer confirms a pair: it becomes TRUNG (nationally too), with who and when recorded. */
export async function confirmPair(pairId: string, by: string, deps: DedupeDeps): Promise<PairRecord> {
  const store = storeOf(deps);
  const prev = await store.getPair(pairId);
  if (!prev) throw new PairNotFoundError(`no pair ${pairId}`);
  const at = (deps.now ?? (() => new Date()))().toISOString();
  let maLienKet = prev.maLienKet;
  // Always (re)link: the national link then says TRUNG and who confirmed it.
  if (prev.status !== 'confirmed' || !prev.maLienKet) {
    const [mine, other] = await ownSide(store, prev);
    const lk = await port(deps).link(mine, { maHoSoKhac: other, mucDo: 'TRUNG', diem: Math.max(prev.score, 0.99), lyDo: `Cán bộ xác nhận trùng. ${prev.reasons.join('; ')}`.slice(0, 1000), xacNhanBoi: by.slice(0, 64) });
    maLienKet = lk.maLienKet;
  }
  const rec: PairRecord = { ...prev, level: 'TRUNG', status: 'confirmed', by, at, maLienKet, review: false };
  await store.savePair(rec);
  await store.appendHistory(pairId, { at, action: 'confirmed', by, level: 'TRUNG' });
  log().info({ pairId }, 'dedupe: pair confirmed');
  return rec;
}

/** Officer rejects a pair: the national link is removed and the cluster may split. */
export async function rejectPair(pairId: string, by: string, deps: DedupeDeps): Promise<PairRecord> {
  const store = storeOf(deps);
  const prev = await store.getPair(pairId);
  if (!prev) throw new PairNotFoundError(`no pair ${pairId}`);
  const at = (deps.now ?? (() => new Date()))().toISOString();
  if (prev.maLienKet && prev.status !== 'removed' && prev.status !== 'rejected') await port(deps).unlink((await ownSide(store, prev))[0], prev.maLienKet);
  const rec: PairRecord = { ...prev, status: 'rejected', by, at, review: false };
  await store.savePair(rec);
  await store.appendHistory(pairId, { at, action: 'rejected', by });
  log().info({ pairId }, 'dedupe: pair rejected');
  return rec;
}

export { DedupeStore };

/**
 * Periodic work for a worker process: pull the links made by others for each agency, and
 * sweep own records. Runs never overlap: not in this process (one run at a time), and not
 * across replicas (a Redis lock with expiry per task, renewed while it runs; a replica that
 * finds it taken skips its turn). An interval of 0 disables that task. `agencies` may be a
 * function, asked before each pull (agencies seen in the ledger grow over time). Timers are
 * unref'd; `stop()` waits for a run in progress.
 */
export function scheduleDedupe(deps: DedupeDeps, opts: {
  agencies: string[] | (() => Promise<string[]>); pullEveryMs?: number; sweepEveryMs?: number; sweepMax?: number; lockTtlMs?: number;
}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const ttl = opts.lockTtlMs ?? 120_000;
  const tick = (task: string, fn: () => Promise<unknown>) => () => {
    if (busy) return;
    busy = true;
    running = (async () => {
      const store = storeOf(deps);
      const r = await withRedisLock(store.redis, `${store.prefix}:lock:dedupe-${task}`, ttl, fn);
      if (!r.ran) log().debug({ task }, 'dedupe: another replica is running this task');
    })()
      .catch((e: Error) => log().warn({ task, errName: e.name, errCode: (e as { code?: string }).code }, 'dedupe: scheduled run failed'))
      .finally(() => {
        busy = false;
      });
  };
  const agencies = async (): Promise<string[]> => (typeof opts.agencies === 'function' ? opts.agencies() : opts.agencies);
  const pullMs = opts.pullEveryMs ?? 60_000;
  const sweepMs = opts.sweepEveryMs ?? 3_600_000;
  const timers: NodeJS.Timeout[] = [];
  const pullAll = async (): Promise<void> => {
    for (const a of await agencies()) {
      // one agency the national side refuses (out of scope) must not stop the others
      await pullLinks(a, deps).catch((e: Error) => log().warn({ maDonVi: a, errName: e.name, errCode: (e as { code?: string }).code }, 'dedupe: link pull failed'));
    }
  };
  if (pullMs > 0) timers.push(setInterval(tick('pull', pullAll), pullMs));
  if (sweepMs > 0) timers.push(setInterval(tick('sweep', () => sweepDedupe(deps, { max: opts.sweepMax ?? 500 })), sweepMs));
  for (const t of timers) t.unref();
  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
