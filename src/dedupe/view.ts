/**
 * What officers see of a linked pair (CLI and HTTP): local references, level, score,
 * cluster and the Vietnamese reasons. No personal value is stored with a pair, so none
 * can be shown; a display label from the ledger (optional `describe`) is masked for
 * confidential records (tố cáo, anonymous) unless the viewer's role may see it.
 */
import type { DedupeStore, PairRecord } from './store.js';

export type ViewerRole = 'can-bo' | 'can-bo-to-cao';
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

export type Describe = (side: { maHoSo: string; source?: string; agency: string; localId?: string }) => Promise<string | undefined>;

async function side(store: DedupeStore, maHoSo: string, role: ViewerRole, describe?: Describe): Promise<SideView> {
  const r = await store.getRecord(maHoSo);
  const confidential = r?.confidential ?? false;
  const v: SideView = { source: r?.source ?? null, agency: r?.agency ?? '', localId: r?.localId ?? null, maHoSo, confidential };
  if (describe && r) {
    const label = await describe({ maHoSo, source: r.source, agency: r.agency, localId: r.localId });
    if (label !== undefined) v.label = confidential && !ROLES_SEEING_CONFIDENTIAL.has(role) ? MASK : label;
  }
  return v;
}

export async function pairView(store: DedupeStore, p: PairRecord, role: ViewerRole = 'can-bo', describe?: Describe): Promise<PairView> {
  const [a, b, clusterId] = await Promise.all([side(store, p.a, role, describe), side(store, p.b, role, describe), store.clusterOf(p.a)]);
  return {
    pairId: p.pairId, a, b, level: p.level, score: p.score, clusterId: clusterId ?? null, reasons: p.reasons.filter((r) => !/\(\+0\.0\)$/.test(r)),
    status: p.status, origin: p.origin, review: !!p.review, ...(p.by ? { by: p.by, at: p.at } : {}),
  };
}

export async function listPairViews(store: DedupeStore, opts: { role?: ViewerRole; describe?: Describe; level?: string; limit?: number; reviewOnly?: boolean } = {}): Promise<PairView[]> {
  const pairs = await store.listPairs({ limit: opts.limit });
  const out: PairView[] = [];
  for (const p of pairs) {
    if (opts.level && p.level !== opts.level) continue;
    if (opts.reviewOnly && !p.review) continue;
    out.push(await pairView(store, p, opts.role, opts.describe));
  }
  return out;
}
