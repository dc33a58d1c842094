/**
 * What officers see of linked pairs and clusters (CLI and HTTP): local references, level,
 * score, cluster and the Vietnamese reasons. No personal value is stored with a pair; a
 * display label (the first petitioner's name) comes from this deployment's ledger through
 * `describe` and is masked (`***`) for confidential records (tố cáo, anonymous) unless
 * the viewer's role may see it AND the record belongs to one of the viewer's agencies.
 * A masked label is never decrypted at all. Labels are never logged or cached beyond one
 * request (`perRequest`).
 */
import type { HoSoDon } from '../contract/schemas.js';
import { trackingIdOf } from '../ledger/index.js';
import type { DedupeStore, PairRecord, RecordInfo } from './store.js';

/** `operator`: the admin token (masked, every agency, read-only). */
export type ViewerRole = 'can-bo' | 'can-bo-to-cao' | 'operator';
/** Roles that may see a người tố cáo's identity (Luật Tố cáo Đ56: only those handling the tố cáo). */
export const ROLES_SEEING_CONFIDENTIAL: ReadonlySet<ViewerRole> = new Set(['can-bo-to-cao']);
export const MASK = '***';

export interface SideView {
  source: string | null;
  agency: string;
  localId: string | null;
  maHoSo: string;
  confidential: boolean;
  /** optional label from the ledger (e.g. petitioner name) — masked for confidential records */
  label?: string;
}
export interface PairView {
  pairId: string;
  a: SideView;
  b: SideView;
  level: PairRecord['level'];
  score: number;
  clusterId: string | null;
  reasons: string[];
  status: PairRecord['status'];
  origin: PairRecord['origin'];
  review: boolean;
  by?: string;
  at?: string;
}
export type MemberView = Omit<SideView, 'label'>;
export interface ClusterView {
  clusterId: string;
  members: MemberView[];
  /** active links inside the cluster */
  pairs: number;
}

export interface DescribeInput {
  maHoSo: string;
  source?: string;
  agency: string;
  localId?: string;
  tid?: string;
  own?: boolean;
}
/** A label, or a label with what the record itself says about confidentiality. */
export type DescribeResult = string | { label: string; confidential?: boolean } | undefined;
export type Describe = (side: DescribeInput) => Promise<DescribeResult>;

/** Who looks: role and agency scope (undefined = every agency). */
export interface ViewScope {
  role?: ViewerRole;
  agencies?: ReadonlySet<string>;
  describe?: Describe;
}

type Rec = (RecordInfo & { seen: number }) | undefined;

function maySee(scope: ViewScope, r: NonNullable<Rec>): boolean {
  return ROLES_SEEING_CONFIDENTIAL.has(scope.role ?? 'can-bo') && (!scope.agencies || scope.agencies.has(r.agency));
}

async function side(maHoSo: string, r: Rec, scope: ViewScope): Promise<SideView> {
  const v: SideView = { source: r?.source ?? null, agency: r?.agency ?? '', localId: r?.localId ?? null, maHoSo, confidential: r?.confidential ?? false };
  if (!scope.describe || !r) return v;
  const allowed = maySee(scope, r);
  if (v.confidential && !allowed) {
    v.label = MASK; // not even decrypted
    return v;
  }
  let d: DescribeResult;
  try {
    d = await scope.describe({ maHoSo, source: r.source, agency: r.agency, localId: r.localId, tid: r.tid, own: r.own });
  } catch {
    return v; // a label is a convenience: no label rather than a failed view
  }
  if (d === undefined) return v;
  const label = typeof d === 'string' ? d : d.label;
  if (typeof d !== 'string' && d.confidential) v.confidential = true;
  v.label = v.confidential && !allowed ? MASK : label;
  return v;
}

/** At least one side of the pair belongs to one of the agencies (undefined = every agency). */
export async function pairInScope(store: DedupeStore, p: PairRecord, agencies?: ReadonlySet<string>): Promise<boolean> {
  if (!agencies) return true;
  const [ra, rb] = await Promise.all([store.getRecord(p.a), store.getRecord(p.b)]);
  return inScope(agencies, ra, rb);
}
function inScope(agencies: ReadonlySet<string> | undefined, ...recs: Rec[]): boolean {
  return !agencies || recs.some((r) => !!r && agencies.has(r.agency));
}

async function viewOf(store: DedupeStore, p: PairRecord, ra: Rec, rb: Rec, scope: ViewScope): Promise<PairView> {
  const [a, b, clusterId] = await Promise.all([side(p.a, ra, scope), side(p.b, rb, scope), store.clusterOf(p.a)]);
  return {
    pairId: p.pairId, a, b, level: p.level, score: p.score, clusterId: clusterId ?? null, reasons: p.reasons.filter((r) => !/\(\+0\.0\)$/.test(r)),
    status: p.status, origin: p.origin, review: !!p.review, ...(p.by ? { by: p.by, at: p.at } : {}),
  };
}

export async function pairView(store: DedupeStore, p: PairRecord, role: ViewerRole | ViewScope = 'can-bo', describe?: Describe): Promise<PairView> {
  const scope: ViewScope = typeof role === 'string' ? { role, describe } : role;
  const [ra, rb] = await Promise.all([store.getRecord(p.a), store.getRecord(p.b)]);
  return viewOf(store, p, ra, rb, scope);
}

export interface ListOptions extends ViewScope {
  level?: string;
  limit?: number;
  reviewOnly?: boolean;
  /** how many of the newest pairs are looked at before filtering (default 10 000) */
  scan?: number;
}

/** Active pairs, newest decision first, filtered by level, review and agency scope. */
export async function listPairViews(store: DedupeStore, opts: ListOptions = {}): Promise<PairView[]> {
  const limit = opts.limit ?? 10_000;
  const pairs = await store.listPairs({ limit: Math.max(limit, opts.scan ?? 10_000) });
  const out: PairView[] = [];
  for (const p of pairs) {
    if (out.length >= limit) break;
    if (opts.level && p.level !== opts.level) continue;
    if (opts.reviewOnly && !p.review) continue;
    const [ra, rb] = await Promise.all([store.getRecord(p.a), store.getRecord(p.b)]);
    if (!inScope(opts.agencies, ra, rb)) continue;
    out.push(await viewOf(store, p, ra, rb, opts));
  }
  return out;
}

/** Clusters (≥ 2 members) with at least one member in the agencies (undefined = all), by cluster id. */
export async function listClusterViews(store: DedupeStore, opts: { agencies?: ReadonlySet<string>; limit?: number } = {}): Promise<ClusterView[]> {
  const out: ClusterView[] = [];
  for (const c of await store.listClusters()) {
    if (out.length >= (opts.limit ?? 10_000)) break;
    const recs = await Promise.all(c.members.map((m) => store.getRecord(m)));
    if (!inScope(opts.agencies, ...recs)) continue;
    out.push({
      clusterId: c.clusterId,
      members: c.members.map((maHoSo, i) => {
        const r = recs[i];
        return { source: r?.source ?? null, agency: r?.agency ?? '', localId: r?.localId ?? null, maHoSo, confidential: r?.confidential ?? false };
      }),
      pairs: (await store.clusterPairIds(c.members)).length,
    });
  }
  return out;
}

/** The slice of the ledger (src/ledger/index.ts) labels need. */
export interface LabelLedger {
  loadForPush(tid: string, kind: 'ho-so-don'): Promise<{ body?: unknown; nationalId?: string } | undefined>;
}

/**
 * Labels from this deployment's ledger: the first petitioner's name of the mapped ho-so-don
 * (decrypted by the ledger). Records of other deployments are not in the ledger: no label.
 * A body that is a tố cáo, asks for confidentiality or is anonymous is reported confidential,
 * whatever the dedupe store says.
 */
export function ledgerDescribe(ledger: LabelLedger): Describe {
  return async (s) => {
    const tid = s.tid ?? (s.source && s.localId ? trackingIdOf(s.source, s.agency, s.localId) : undefined);
    if (!tid) return undefined;
    const snap = await ledger.loadForPush(tid, 'ho-so-don');
    if (!snap?.body || (snap.nationalId && snap.nationalId !== s.maHoSo)) return undefined;
    const body = snap.body as Partial<HoSoDon>;
    const confidential = !!(body.baoMatDanhTinh || body.anDanh || body.loaiDon === 'TO_CAO');
    const name = body.nguoiDungDon?.[0]?.hoTen;
    return name ? { label: name, confidential } : undefined;
  };
}

/** One request's describe: each record decrypted at most once, nothing kept afterwards. */
export function perRequest(describe: Describe | undefined): Describe | undefined {
  if (!describe) return undefined;
  const seen = new Map<string, Promise<DescribeResult>>();
  return (s) => {
    let p = seen.get(s.maHoSo);
    if (!p) seen.set(s.maHoSo, (p = describe(s)));
    return p;
  };
}
