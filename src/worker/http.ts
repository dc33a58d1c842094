/**
 * The worker process's own small HTTP endpoint (`kntc worker --metrics-port`): push
 * outcomes, latency, national 429s and queue depths are counted in the worker, not in
 * `kntc serve`, so Prometheus scrapes each worker here. /metrics sits behind the same
 * admin token and guard as the ingest API's; the health probes are open.
 */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { adminGuard } from '../ingest/auth.js';

export interface WorkerHttpOptions {
  host: string;
  port: number;
  adminToken: string;
  registry: Registry;
  /** Redis reachable with noeviction, and the workers not closing. */
  ready(): Promise<{ ok: boolean; reason?: string }>;
  log: Logger;
  readyTimeoutMs?: number;
}

export interface WorkerHttp {
  url: string;
  close(): Promise<void>;
}

export async function startWorkerHttp(o: WorkerHttpOptions): Promise<WorkerHttp> {
  const app = Fastify({ loggerInstance: o.log, return503OnClosing: true });
  // probes and scrapes every few seconds: their requests are not logged (refusals are, at info, by the guard)
  const quiet = { logLevel: 'warn' } as const;
  app.get('/health/live', quiet, async () => ({ status: 'live' }));
  app.get('/health/ready', quiet, async (_req, reply) => {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ ok: false; reason: string }>((res) => {
      t = setTimeout(() => res({ ok: false, reason: 'readiness check timed out' }), o.readyTimeoutMs ?? 2000);
    });
    const r = await Promise.race([o.ready().catch((e: unknown) => ({ ok: false, reason: (e as Error).name })), timeout]).finally(() => clearTimeout(t));
    if (r.ok) return { status: 'ready' };
    return reply.code(503).send({ status: 'not-ready', reason: r.reason ?? 'not ready' });
  });
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminGuard(o.adminToken));
    admin.get('/metrics', quiet, async (_req, reply) => {
      reply.type(o.registry.contentType);
      return o.registry.metrics();
    });
  });
  const url = await app.listen({ host: o.host, port: o.port });
  o.log.info({ url }, 'worker metrics listening');
  return { url, close: () => app.close() };
}
