/**
 * National limits shared through Redis by several client instances (as `kntc worker` replicas on one Redis would):
 * rate, Retry-After pause and in-flight cap hold for the SUM of the instances; with NATIONAL_LIMIT_SCOPE=process the
 * same runs break the limits (so these tests can fail). Real Redis, the real simulator (20/s, burst 40, 8 in flight).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createNationalClient, NationalError, type NationalClient, type NationalClientOptions } from '../../src/national/client.js';
import { SharedLimiter, nationalLimitKeys } from '../../src/national/shared-limiter.js';
import { DEFAULT_CLIENT, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../helpers/redis.js';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefixes: string[] = [];
const fresh = (tag: string): string => {
  const p = uniquePrefix(tag);
  prefixes.push(p);
  return p;
};

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, quiet: true }); // defaults: 20 requests/s, burst 40, 8 in flight per client
});
afterAll(async () => {
  await sim?.close();
  for (const p of prefixes) await dropPrefix(p);
});

function client(scope: 'redis' | 'process', prefix: string, over: Partial<NationalClientOptions> = {}): NationalClient {
  return createNationalClient({
    baseUrl: sim.baseUrl,
    clientId: DEFAULT_CLIENT.id,
    clientSecret: DEFAULT_CLIENT.secret,
    timeoutMs: 5000,
    rateLimitRps: 18,
    rateBurst: 18,
    maxInFlight: 6,
    retries: 0,
    logger: silent,
    limitScope: scope,
    redisUrl: REDIS_URL,
    limitPrefix: prefix,
    ...over,
  });
}

/** `loops` callers per client hammering a cheap endpoint for `ms`; counts answers (and 429s) per client. */
async function hammer(clients: NationalClient[], ms: number, loops = 12): Promise<{ ok: number[]; limited: number[]; seconds: number }> {
  const ok = clients.map(() => 0);
  const limited = clients.map(() => 0);
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(clients.flatMap((c, i) => Array.from({ length: loops }, async () => {
    while (performance.now() < end) {
      try {
        await c.catalogueConditional('loai-don', undefined);
        ok[i]!++;
      } catch (e) {
        if (e instanceof NationalError && e.status === 429) limited[i]!++;
        else throw e;
      }
    }
  })));
  return { ok, limited, seconds: (performance.now() - t0) / 1000 };
}

async function settle(): Promise<void> {
  sim.reset(); // a full simulator bucket again (burst 40), whatever the previous test did
  await sleep(50);
}

describe('national limits shared through Redis', () => {
  it('two instances at NATIONAL_RATE_LIMIT_RPS=18: no 429, combined rate ≤ 18/s (+ one burst)', async () => {
    await settle();
    const prefix = fresh('natlim_rate');
    const a = client('redis', prefix);
    const b = client('redis', prefix);
    try {
      const before = sim.inspect().totals;
      const r = await hammer([a, b], 4000);
      const after = sim.inspect().totals;
      const total = r.ok[0]! + r.ok[1]!;
      const allowed = 18 + 18 * r.seconds + 2; // one burst + the rate (token fetches included in the sim's count, not here)
      console.log(`[shared] ${total} answers in ${r.seconds.toFixed(2)} s (a ${r.ok[0]}, b ${r.ok[1]}), ${((total - 18) / r.seconds).toFixed(1)}/s after the burst, 429: ${after.rateLimited + after.concurrencyLimited - before.rateLimited - before.concurrencyLimited}`);
      expect(r.limited).toEqual([0, 0]);
      expect(after.rateLimited - before.rateLimited).toBe(0);
      expect(after.concurrencyLimited - before.concurrencyLimited).toBe(0);
      expect(total).toBeLessThanOrEqual(allowed);
      expect(total).toBeGreaterThan(0.8 * 18 * r.seconds); // and the allowance is actually used
      expect(Math.min(r.ok[0]!, r.ok[1]!)).toBeGreaterThan(10); // by both
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('the same run with NATIONAL_LIMIT_SCOPE=process breaks the national limit (the test above can fail)', async () => {
    await settle();
    const prefix = fresh('natlim_proc');
    const a = client('process', prefix);
    const b = client('process', prefix);
    try {
      const before = sim.inspect().totals;
      const r = await hammer([a, b], 4000);
      const after = sim.inspect().totals;
      const total = r.ok[0]! + r.ok[1]!;
      const rejected = after.rateLimited + after.concurrencyLimited - before.rateLimited - before.concurrencyLimited;
      console.log(`[process] ${total} answers in ${r.seconds.toFixed(2)} s, 429: ${rejected}`);
      expect(rejected > 0 || total > 18 + 18 * r.seconds + 2).toBe(true);
      expect(rejected).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  for (const scope of ['redis', 'process'] as const) {
    it(`a Retry-After received by one instance ${scope === 'redis' ? 'delays' : 'does not delay (scope=process)'} the other's next request`, async () => {
      await settle();
      const prefix = fresh('natlim_pause');
      const a = client(scope, prefix);
      const b = client(scope, prefix);
      try {
        await a.catalogueConditional('loai-don', undefined); // tokens fetched, nothing pending
        await b.catalogueConditional('loai-don', undefined);
        sim.setFaults({ retryAfterSec: 2, script: [{ when: 'before', action: 'error', status: 503, match: '^GET /danh-muc/tinh$' }] });
        const err = await a.catalogueConditional('tinh', undefined).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NationalError);
        expect((err as NationalError).status).toBe(503);
        expect(a.pausedForMs()).toBeGreaterThan(1500);
        const t0 = performance.now();
        await b.catalogueConditional('loai-don', undefined);
        const waited = performance.now() - t0;
        console.log(`[${scope}] b waited ${waited.toFixed(0)} ms after a's Retry-After: 2`);
        if (scope === 'redis') {
          expect(waited).toBeGreaterThanOrEqual(1900);
          expect(waited).toBeLessThan(3500);
          expect(b.pausedForMs()).toBe(0);
        } else {
          expect(waited).toBeLessThan(500);
        }
      } finally {
        sim.setFaults({});
        await Promise.all([a.close(), b.close()]);
      }
    });
  }
});

describe('in-flight cap shared through Redis', () => {
  let server: Server;
  let base = '';
  let current = 0;
  let max = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.endsWith('/oauth/token')) {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 't', token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      current++;
      max = Math.max(max, current);
      setTimeout(() => {
        current--; // before the answer leaves: the client cannot start its next request earlier
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, 40);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function peak(scope: 'redis' | 'process'): Promise<{ max: number; calls: number }> {
    const prefix = fresh('natlim_fly');
    const mk = () => createNationalClient({
      baseUrl: base, clientId: 'fly', clientSecret: 's', timeoutMs: 5000, rateLimitRps: 1000, rateBurst: 1000, maxInFlight: 3, retries: 0,
      logger: silent, limitScope: scope, redisUrl: REDIS_URL, limitPrefix: prefix,
    });
    const clients = [mk(), mk()];
    current = 0;
    max = 0;
    let calls = 0;
    const end = performance.now() + 1500;
    try {
      await Promise.all(clients.flatMap((c) => Array.from({ length: 8 }, async () => {
        while (performance.now() < end) {
          await c.get('ho-so-don', 'HS-1');
          calls++;
        }
      })));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    return { max, calls };
  }

  it('max 3 in flight: never more than 3 concurrent requests across two instances', async () => {
    const r = await peak('redis');
    console.log(`[shared] peak concurrency ${r.max}, ${r.calls} calls in 1.5 s`);
    expect(r.max).toBeLessThanOrEqual(3);
    expect(r.max).toBe(3);
    expect(r.calls).toBeGreaterThan(50); // ≈ 3 / 40 ms · 1.5 s ≈ 110 when slots are reused promptly
  });

  it('scope=process: the two instances together exceed 3 (the test above can fail)', async () => {
    const r = await peak('process');
    console.log(`[process] peak concurrency ${r.max}`);
    expect(r.max).toBeGreaterThan(3);
  });
});

describe('leases and Redis trouble', () => {
  const opts = (prefix: string) => ({ redisUrl: REDIS_URL, prefix, clientId: 'lease', rps: 1000, burst: 1000, maxInFlight: 1, leaseMs: 400, logger: silent });

  it('a lease taken and never released (holder SIGKILLed) frees after its expiry', async () => {
    const prefix = fresh('natlim_lease');
    const holder = new SharedLimiter(opts(prefix));
    const other = new SharedLimiter(opts(prefix));
    try {
      await holder.acquire(); // never released: as if the process died mid-request
      const r = new Redis(REDIS_URL);
      expect(await r.zcard(nationalLimitKeys(prefix, 'lease').leases)).toBe(1);
      const t0 = performance.now();
      const release = await other.acquire();
      const waited = performance.now() - t0;
      console.log(`[lease] second holder waited ${waited.toFixed(0)} ms for a lease of 400 ms`);
      expect(waited).toBeGreaterThanOrEqual(300);
      expect(waited).toBeLessThan(1500);
      release();
      await sleep(50);
      expect(await r.zcard(nationalLimitKeys(prefix, 'lease').leases)).toBe(0); // a release frees at once
      r.disconnect();
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });

  it('Redis unreachable: requests go on under the local limits divided by the replicas last seen', async () => {
    const prefix = fresh('natlim_down');
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const base = { prefix, clientId: 'down', rps: 10, burst: 4, maxInFlight: 4, leaseMs: 2000, logger: silent, redisTimeoutMs: 300, probeMs: 60_000 };
    const a = new SharedLimiter({ ...base, redis: conn });
    const b = new SharedLimiter({ ...base, redisUrl: REDIS_URL });
    try {
      (await a.acquire())();
      (await b.acquire())();
      await sleep(20);
      (await a.acquire())(); // a has seen both replicas
      expect(a.state().members).toBe(2);
      conn.disconnect(); // a's Redis is gone
      const t0 = performance.now();
      const releases = [await a.acquire(), await a.acquire()];
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(a.state().degraded).toBe(true);
      expect(a.state().fallbackLimits).toEqual({ rps: 5, burst: 2, maxInFlight: 2 });
      releases.forEach((r) => r());
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
