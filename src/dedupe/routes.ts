/**
 * Officer HTTP routes for duplicates, as a fastify plugin the ingest server registers:
 *   GET  /duplicates?level=TRUNG|NGHI_TRUNG&review=1&limit=   → { duLieu: PairView[] }
 *   POST /duplicates/:pairId/confirm  { by }                   → PairView
 *   POST /duplicates/:pairId/reject   { by }                   → PairView
 * Behind the admin token (same guard as the other operator endpoints). The viewer's role
 * comes from `X-Kntc-Role` (`can-bo` default, `can-bo-to-cao` may see tố cáo identities).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { adminGuard } from '../ingest/auth.js';
import type { Secret } from '../../config/index.js';
import type { DedupeStore } from './store.js';
import { confirmPair, rejectPair, PairNotFoundError, type DedupePort } from './processor.js';
import { listPairViews, pairView, type Describe, type ViewerRole } from './view.js';

export interface DedupeRoutesOptions {
  store: DedupeStore;
  client: DedupePort;
  adminToken: string | Secret;
  describe?: Describe;
}

const Action = z.object({ by: z.string().min(1).max(64) });
const ROLE = z.enum(['can-bo', 'can-bo-to-cao']).catch('can-bo');

export const dedupeRoutes: FastifyPluginAsync<DedupeRoutesOptions> = async (app: FastifyInstance, opts) => {
  const token = typeof opts.adminToken === 'string' ? opts.adminToken : opts.adminToken.reveal();
  app.addHook('onRequest', adminGuard(token));
  const role = (h: unknown): ViewerRole => ROLE.parse(h);

  app.get('/duplicates', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const duLieu = await listPairViews(opts.store, {
      role: role(req.headers['x-kntc-role']),
      describe: opts.describe,
      level: q.level === 'TRUNG' || q.level === 'NGHI_TRUNG' ? q.level : undefined,
      reviewOnly: q.review === '1',
      limit: q.limit ? Math.min(10_000, Math.max(1, Number(q.limit) || 1000)) : 1000,
    });
    return { duLieu };
  });

  for (const action of ['confirm', 'reject'] as const) {
    app.post(`/duplicates/:pairId/${action}`, async (req, reply) => {
      const { pairId } = req.params as { pairId: string };
      const body = Action.safeParse(req.body ?? {});
      if (!body.success) return reply.code(400).send({ code: 'KNTC_ERR_BAD_REQUEST', message: 'Cần trường "by" (mã cán bộ, 1–64 ký tự).' });
      try {
        const deps = { client: opts.client, store: opts.store, secret: 'unused' };
        const p = action === 'confirm' ? await confirmPair(pairId, body.data.by, deps) : await rejectPair(pairId, body.data.by, deps);
        return pairView(opts.store, p, role(req.headers['x-kntc-role']), opts.describe);
      } catch (e) {
        if (e instanceof PairNotFoundError) return reply.code(404).send({ code: e.code, message: 'Không tìm thấy cặp trùng.' });
        throw e;
      }
    });
  }
};
