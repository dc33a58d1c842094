/**
 * Officer HTTP routes for duplicates, a fastify plugin mounted by the ingest server
 * (`kntc serve`):
 *   GET  /duplicates?level=TRUNG|NGHI_TRUNG&review=1&limit=   → { duLieu: PairView[] }
 *   GET  /duplicates/clusters?limit=                          → { duLieu: ClusterView[] }
 *   GET  /duplicates/:pairId                                  → PairView & { history }
 *   POST /duplicates/:pairId/confirm                          → PairView (becomes TRUNG nationally)
 *   POST /duplicates/:pairId/reject                           → PairView (national link removed)
 *
 * Auth: `Authorization: Bearer <officer token>` (src/ingest/officers.ts). The role, the
 * agencies and the officer id come from the account; `by` recorded is the officer id, and
 * any header or body claiming a role or a name is ignored. An officer sees and acts on a
 * pair only when one of its records belongs to one of the officer's agencies. The operator
 * token (KNTC_ADMIN_TOKEN) views every agency, masked, and cannot decide.
 *
 * Refusals use the ingest error catalogue (src/ingest/errors.ts). Logs carry pair ids,
 * officer ids and codes only — never a label.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Secret } from '../../config/index.js';
import { errorBody, INGEST_ERRORS, type IngestErrorCode } from '../ingest/errors.js';
import { officerGuard, OfficerStore, type OfficerEntry } from '../ingest/officers.js';
import type { DedupeStore } from './store.js';
import { confirmPair, rejectPair, PairNotFoundError, type DedupePort } from './processor.js';
import { listClusterViews, listPairViews, pairInScope, pairView, perRequest, type Describe, type ViewScope } from './view.js';

export interface DedupeRoutesOptions {
  store: DedupeStore;
  client: DedupePort;
  /** Officer accounts (src/ingest/officers.ts resolveOfficers). */
  officers: OfficerStore | readonly OfficerEntry[];
  /** Operator token: masked, read-only view of every agency; empty = no operator access. */
  adminToken?: string | Secret;
  /** Labels (src/dedupe/view.ts ledgerDescribe). */
  describe?: Describe;
  /** Count a refusal (metrics). */
  onRefused?: (code: string) => void;
}

const limitOf = (s: string | undefined, dflt: number): number => (s ? Math.min(10_000, Math.max(1, Math.trunc(Number(s)) || dflt)) : dflt);

export const dedupeRoutes: FastifyPluginAsync<DedupeRoutesOptions> = async (app: FastifyInstance, opts) => {
  const token = opts.adminToken === undefined ? '' : typeof opts.adminToken === 'string' ? opts.adminToken : opts.adminToken.reveal();
  const officers = opts.officers instanceof OfficerStore ? opts.officers : new OfficerStore(opts.officers);
  app.addHook('onRequest', officerGuard(officers, token, opts.onRefused));

  const refuse = (req: FastifyRequest, reply: FastifyReply, code: IngestErrorCode) => {
    req.log.info({ code, officer: req.viewer?.id }, 'officer request refused');
    opts.onRefused?.(code);
    return reply.code(INGEST_ERRORS[code].status).type('application/json; charset=utf-8').send(errorBody(code, [], req.id));
  };
  const scope = (req: FastifyRequest): ViewScope => ({ role: req.viewer!.role, agencies: req.viewer!.agencies, describe: perRequest(opts.describe) });

  /** The pair, if it exists and the viewer may see it; otherwise the refusal was sent. */
  async function visiblePair(req: FastifyRequest, reply: FastifyReply) {
    const { pairId } = req.params as { pairId: string };
    const p = await opts.store.getPair(pairId);
    if (!p) return void refuse(req, reply, 'KNTC_ERR_PAIR_NOT_FOUND');
    if (!(await pairInScope(opts.store, p, req.viewer!.agencies))) return void refuse(req, reply, 'KNTC_ERR_OFFICER_SCOPE');
    return p;
  }

  app.get('/duplicates', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const duLieu = await listPairViews(opts.store, {
      ...scope(req),
      level: q.level === 'TRUNG' || q.level === 'NGHI_TRUNG' ? q.level : undefined,
      reviewOnly: q.review === '1' || q.review === 'true',
      limit: limitOf(q.limit, 1000),
    });
    return { duLieu };
  });

  app.get('/duplicates/clusters', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    return { duLieu: await listClusterViews(opts.store, { agencies: req.viewer!.agencies, limit: limitOf(q.limit, 1000) }) };
  });

  app.get('/duplicates/:pairId', async (req, reply) => {
    const p = await visiblePair(req, reply);
    if (!p) return reply;
    return { ...(await pairView(opts.store, p, scope(req))), history: await opts.store.history(p.pairId) };
  });

  for (const action of ['confirm', 'reject'] as const) {
    app.post(`/duplicates/:pairId/${action}`, async (req, reply) => {
      const viewer = req.viewer!;
      if (!viewer.canDecide) return refuse(req, reply, 'KNTC_ERR_OFFICER_ONLY');
      const p = await visiblePair(req, reply);
      if (!p) return reply;
      // The body is not read for anything: who decides is the account, not a field.
      const deps = { client: opts.client, store: opts.store };
      let rec;
      try {
        rec = action === 'confirm' ? await confirmPair(p.pairId, viewer.id, deps) : await rejectPair(p.pairId, viewer.id, deps);
      } catch (e) {
        if (e instanceof PairNotFoundError) return refuse(req, reply, 'KNTC_ERR_PAIR_NOT_FOUND');
        req.log.warn({ pairId: p.pairId, officer: viewer.id, errName: (e as Error).name, errCode: (e as { code?: unknown }).code }, `officer ${action} failed`);
        return refuse(req, reply, 'KNTC_ERR_DECISION_FAILED');
      }
      req.log.info({ pairId: p.pairId, officer: viewer.id, action }, 'officer decision recorded');
      return pairView(opts.store, rec, scope(req));
    });
  }
};
