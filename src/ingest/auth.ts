/**
 * Request guards, run in fastify's onRequest hook — before the body is read — so a caller
 * without a valid key, over its rate, or on a source it is not registered for never gets
 * its body parsed, let alone enqueued.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestError } from './errors.js';
import { presentedKey, type ApiKey, type KeyStore } from './keys.js';
import type { KeyRateLimiter } from './rate-limit.js';
import type { MapperLookup } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

export function keyGuard(keys: KeyStore, buckets: KeyRateLimiter, mappers: MapperLookup) {
  return async function guard(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const presented = presentedKey(req.headers);
    if (presented === undefined) throw new IngestError('KNTC_ERR_AUTH_MISSING');
    const key = keys.find(presented);
    if (!key) throw new IngestError('KNTC_ERR_AUTH_INVALID');
    const rl = await buckets.take(key.id); // shared (Redis) or local bucket; still before the body is read
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

/** The admin token presented as `Bearer <token>`, or as the password of Basic auth (browsers, for the queue board). */
function presentedAdminToken(header: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * Operator endpoints: `Authorization: Bearer <KNTC_ADMIN_TOKEN>` (or Basic with the token as
 * password, so a browser can open the queue board); an empty token disables them.
 */
export function adminGuard(token: string, onRefused?: (code: string) => void) {
  const want = createHash('sha256').update(token).digest();
  return async function guard(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const presented = presentedAdminToken(req.headers.authorization);
    const got = createHash('sha256').update(presented ?? '').digest();
    if (!token || presented === undefined || !timingSafeEqual(want, got)) {
      req.log.info({ code: 'KNTC_ERR_ADMIN_AUTH' }, 'operator request refused');
      onRefused?.('KNTC_ERR_ADMIN_AUTH');
      // Answered here rather than thrown: bull-board installs its own error handler in its scope.
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="kntc-admin", charset="UTF-8"')
        .type('application/json; charset=utf-8')
        .send(new IngestError('KNTC_ERR_ADMIN_AUTH').toBody(req.id));
    }
  };
}
