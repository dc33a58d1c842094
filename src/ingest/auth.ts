/**
 * Request guards, run in fastify's onRequest hook — before the body is read — so a caller
 * without a valid key, over its rate, or on a source it is not registered for never gets
 * its body parsed, let alone enqueued.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestError } from './errors.js';
import { presentedKey, type ApiKey, type KeyStore } from './keys.js';
import type { TokenBuckets } from './rate-limit.js';
import type { MapperLookup } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

export function keyGuard(keys: KeyStore, buckets: TokenBuckets, mappers: MapperLookup) {
  return async function guard(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const presented = presentedKey(req.headers);
    if (presented === undefined) throw new IngestError('KNTC_ERR_AUTH_MISSING');
    const key = keys.find(presented);
    if (!key) throw new IngestError('KNTC_ERR_AUTH_INVALID');
    const rl = buckets.take(key.id);
    if (!rl.ok) throw new IngestError('KNTC_ERR_RATE_LIMITED', [], rl.retryAfterSec);
    req.apiKey = key;
    const source = (req.params as { source?: string } | undefined)?.source;
    if (source !== undefined) {
      if (!mappers(source)) throw new IngestError('KNTC_ERR_UNKNOWN_SOURCE', [{ pointer: '/source', reason: 'unknown-source' }]);
      if (source !== key.source) throw new IngestError('KNTC_ERR_SOURCE_FORBIDDEN', [{ pointer: '/source', reason: `key-source-${key.source}` }]);
    }
    const agency = (req.params as { agency?: string } | undefined)?.agency;
    if (agency !== undefined && !key.agencies.has(agency)) {
      throw new IngestError('KNTC_ERR_AGENCY_FORBIDDEN', [{ agency, reason: 'agency-out-of-scope' }]);
    }
  };
}

/** Operator endpoints: `Authorization: Bearer <KNTC_ADMIN_TOKEN>`; an empty token disables them. */
export function adminGuard(token: string) {
  const want = createHash('sha256').update(token).digest();
  return async function guard(req: FastifyRequest): Promise<void> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const got = createHash('sha256').update(m?.[1] ?? '').digest();
    if (!token || !m || !timingSafeEqual(want, got)) throw new IngestError('KNTC_ERR_ADMIN_AUTH');
  };
}
