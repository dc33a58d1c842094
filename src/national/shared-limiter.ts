/**
 * National-API admission control shared by every process that uses the same Redis, KNTC_PREFIX and national client
 * id (any number of `kntc worker` replicas, on any machines): contract §3 limits are per CLIENT, not per process.
 *
 * Two stages per request:
 *  1. the in-process Limiter (limiter.ts) without a bucket of its own: FIFO order, this process's in-flight cap and
 *     the local mirror of the pause gate (a paused process asks Redis nothing). It bounds the second stage to
 *     maxInFlight waiters;
 *  2. one Lua script (EVALSHA, ioredis defineCommand) on Redis that atomically, on Redis TIME:
 *     drops expired in-flight leases, answers "paused for X ms" while the shared pause gate is closed, "full" while
 *     maxInFlight leases are held, refills the token bucket by elapsed time and hands out as many leases as there are
 *     tokens AND free slots to the waiting requests of this process, plus at most one reservation of the token that
 *     is still refilling ("use it in X ms") — else the wait in ms. The reservation keeps the pace exact (a late timer
 *     does not shift the bucket) and makes a request paced by the rate cost one call instead of "wait", then "go".
 *     Releases of finished requests ride on the next call (or a batched ZREM off the request path), so a request
 *     costs one Redis round trip in the common case, and concurrent waiters of one process share it.
 *
 * Leases are members of a sorted set scored by their expiry (request timeout + margin): a process that is SIGKILLed
 * mid-request leaks its slots only until they expire. A 429/503 Retry-After received by any process sets the shared
 * "paused until" (Redis TIME + Retry-After, keeping a later one); `pause()` resolves once it is stored, so every
 * other process sees it before this one even reports the answer.
 *
 * Redis unreachable (error, or no answer within redisTimeoutMs): pushes go on under LOCAL limits divided by the
 * number of processes seen sharing the limits in the last 30 s (each Lua call registers its process), because the
 * replicas still running are in the same situation and split the national allowance between them; the national 429
 * (whose Retry-After we obey) stays the backstop. Stopping pushes instead would add nothing: the queue and ledger
 * live in the same Redis, and the national side enforces its limits anyway. A background probe returns to the shared
 * limits as soon as Redis answers again.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { Limiter, type AdmissionControl } from './limiter.js';
import { refillLua } from '../redis/token-bucket.js';

/** How long a process keeps counting as a sharer after its last call (for the fallback split). */
const MEMBER_TTL_MS = 30_000;
/** Poll interval while every shared slot is taken (releases by other processes are not pushed to us). */
const FULL_POLL_MS = 25;

// KEYS: 1 bucket hash, 2 leases zset, 3 pause key, 4 members zset
// ARGV: 1 rps, 2 burst, 3 maxInFlight, 4 leaseMs, 5 process id, 6 number of releases r, 7..6+r lease ids to release,
//       7+r.. lease ids wanted
// → { granted, waitMs, members, reason, notBefore_1 … notBefore_granted }
//   reason (for the ones not granted): 0 none, 1 paused, 2 full, 3 tokens; notBefore_i: ms before grant i may be used
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local rps = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local maxIn = tonumber(ARGV[3])
local leaseMs = tonumber(ARGV[4])
local nrel = tonumber(ARGV[6])
for i = 1, nrel do redis.call('ZREM', KEYS[2], ARGV[6 + i]) end
redis.call('ZADD', KEYS[4], now, ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - ${MEMBER_TTL_MS})
redis.call('PEXPIRE', KEYS[4], ${MEMBER_TTL_MS * 2})
local members = redis.call('ZCARD', KEYS[4])
local want = #ARGV - 6 - nrel
if want <= 0 then return {0, 0, members, 0} end
local pu = tonumber(redis.call('GET', KEYS[3]) or '0')
if pu > now then return {0, math.ceil(pu - now), members, 1} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local free = maxIn - redis.call('ZCARD', KEYS[2])
local function fullWait()
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  local w = ${FULL_POLL_MS}
  if first[2] then w = math.min(w, math.max(1, math.ceil(tonumber(first[2]) - now))) end
  return w
end
if free <= 0 then return {0, fullWait(), members, 2} end
${refillLua('rps')}-- grants: whole tokens now, then at most one reservation of the token still refilling ("not before" ms),
-- so a paced caller needs one call per request and the pace does not drift with timer delays
local out = {0, 0, members, 0}
local n = 0
while n < want and n < free and tokens >= 0 do
  local nb = 0
  if tokens < 1 then nb = math.ceil((1 - tokens) * 1000 / rps) end
  tokens = tokens - 1
  n = n + 1
  out[4 + n] = nb
  redis.call('ZADD', KEYS[2], now + nb + leaseMs, ARGV[6 + nrel + n])
end
if n >= 1 then
  redis.call('HSET', KEYS[1], 'tk', tostring(tokens), 'ts', tostring(ts))
  redis.call('PEXPIRE', KEYS[1], math.ceil((burst + 1) * 1000 / rps) + 1000)
  redis.call('PEXPIRE', KEYS[2], leaseMs + 2000 + math.ceil(1000 / rps))
end
out[1] = n
if n == want then return out end
if free - n <= 0 then
  out[2] = fullWait()
  out[4] = 2
else
  out[2] = math.max(1, math.ceil(-tokens * 1000 / rps))
  out[4] = 3
end
return out
`;

// KEYS: 1 pause key; ARGV: 1 ms → the "paused until" in effect (ms, Redis clock)
const PAUSE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = math.ceil(tonumber(ARGV[1]))
local untilMs = now + ms
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then
  redis.call('SET', KEYS[1], string.format('%d', untilMs), 'PX', ms + 1000)
  return untilMs
end
return cur
`;

type AcquireReply = [number, number, number, number, ...number[]];
interface LimiterCommands {
  kntcNatAcquire(k1: string, k2: string, k3: string, k4: string, ...argv: (string | number)[]): Promise<AcquireReply>;
  kntcNatPause(k1: string, ms: number): Promise<number>;
}

export interface SharedLimiterOptions {
  /** A connection to borrow (not closed by the limiter). */
  redis?: Redis;
  /** Otherwise the limiter opens (and closes) its own connection to this URL. */
  redisUrl?: string;
  /** KNTC_PREFIX. */
  prefix: string;
  /** National client id: the limits are per national client. */
  clientId: string;
  rps: number;
  burst: number;
  maxInFlight: number;
  /** Lease lifetime: must be ≥ the request timeout (a SIGKILLed holder frees its slot after this). */
  leaseMs: number;
  logger?: Logger;
  /** A limiter call without an answer after this long counts as Redis being unreachable (default 1000). */
  redisTimeoutMs?: number;
  /** Delay between probes of Redis while falling back to local limits (default 2000). */
  probeMs?: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (e: Error) => void;
}

const TIMEOUT = Symbol('timeout');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<typeof TIMEOUT>((r) => (t = setTimeout(() => r(TIMEOUT), ms)))]).finally(() => clearTimeout(t));
}

/** Redis keys of the shared national limits of one (prefix, client id); one hash tag so they share a cluster slot. */
export function nationalLimitKeys(prefix: string, clientId: string): { bucket: string; leases: string; pause: string; members: string } {
  const base = `${prefix}:natlim:{${clientId.replace(/[^A-Za-z0-9._-]/g, '_')}}`;
  return { bucket: `${base}:bucket`, leases: `${base}:leases`, pause: `${base}:pause`, members: `${base}:members` };
}

/** Define the limiter scripts on a connection (once; EVALSHA with a transparent EVAL on NOSCRIPT). */
function commands(redis: Redis): LimiterCommands {
  const r = redis as unknown as Partial<LimiterCommands> & Redis;
  if (typeof r.kntcNatAcquire !== 'function') redis.defineCommand('kntcNatAcquire', { numberOfKeys: 4, lua: ACQUIRE_LUA });
  if (typeof r.kntcNatPause !== 'function') redis.defineCommand('kntcNatPause', { numberOfKeys: 1, lua: PAUSE_LUA });
  return r as unknown as LimiterCommands;
}

export class SharedLimiter implements AdmissionControl {
  private readonly local: Limiter;
  private readonly redis: Redis;
  private readonly ownRedis: boolean;
  private readonly cmd: LimiterCommands;
  private readonly keys: ReturnType<typeof nationalLimitKeys>;
  private readonly procId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly timeoutMs: number;
  private readonly probeMs: number;
  /** Past the local stage, waiting for a shared lease (≤ maxInFlight). */
  private readonly queue: Waiter[] = [];
  /** Granted leases waiting for their reserved token (timer → waiter). */
  private readonly reserved = new Map<NodeJS.Timeout, Waiter>();
  /** Leases held by requests of this process (released on close). */
  private readonly held = new Set<string>();
  /** Released leases not yet removed in Redis. */
  private pendingRelease: string[] = [];
  private flushScheduled = false;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private members = 1;
  private fallback: Limiter | undefined;
  /** Every fallback limiter made (an older one may still serve its queue after a recovery). */
  private readonly fallbacks = new Set<Limiter>();
  /** The timer waits because every shared slot was taken: a release of ours asks again at once. */
  private fullWait = false;
  private fallbackLimits: { rps: number; burst: number; maxInFlight: number } | undefined;
  private degraded = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counters = { redisCalls: 0, fallbacks: 0 };

  constructor(private readonly o: SharedLimiterOptions) {
    if (!o.redis && !o.redisUrl) throw new TypeError('SharedLimiter needs redis or redisUrl');
    // local stage: FIFO, this process's in-flight cap and pause mirror; the tokens are Redis's alone
    this.local = new Limiter(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, o.maxInFlight);
    this.ownRedis = !o.redis;
    this.redis = o.redis ?? new Redis(o.redisUrl!, {
      connectionName: 'kntc-national-limits',
      lazyConnect: true, // a client that never calls never connects
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    });
    if (this.ownRedis) this.redis.on('error', (e: Error) => o.logger?.debug({ err: e.message }, 'national limits: redis connection error'));
    this.cmd = commands(this.redis);
    this.keys = nationalLimitKeys(o.prefix, o.clientId);
    this.timeoutMs = o.redisTimeoutMs ?? 1000;
    this.probeMs = o.probeMs ?? 2000;
  }

  async acquire(): Promise<() => void> {
    const releaseLocal = await this.local.acquire();
    let releaseShared: () => void;
    try {
      releaseShared = await new Promise<() => void>((resolve, reject) => {
        this.queue.push({ resolve, reject });
        this.pump();
      });
    } catch (e) {
      releaseLocal();
      throw e;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      releaseShared();
      releaseLocal();
    };
  }

  async pause(ms: number): Promise<void> {
    this.local.pause(ms);
    this.fallback?.pause(ms);
    if (this.degraded || this.closed) return;
    try {
      this.counters.redisCalls++;
      const r = await withTimeout(this.cmd.kntcNatPause(this.keys.pause, Math.ceil(ms)), this.timeoutMs);
      if (r === TIMEOUT) this.o.logger?.warn({ ms }, 'national limits: could not share a Retry-After pause (Redis timeout); this process pauses alone');
    } catch (e) {
      this.o.logger?.warn({ ms, err: (e as Error).message }, 'national limits: could not share a Retry-After pause; this process pauses alone');
    }
  }

  pausedFor(): number {
    return this.local.pausedFor();
  }

  get active(): number {
    return this.local.active;
  }

  get waiting(): number {
    return this.local.waiting + this.queue.length;
  }

  /** Processes seen sharing these limits (last 30 s), whether this one falls back to local limits now, and which. */
  state(): { members: number; degraded: boolean; redisCalls: number; fallbacks: number; fallbackLimits?: { rps: number; burst: number; maxInFlight: number } } {
    return { members: this.members, degraded: this.degraded, ...this.counters, ...(this.fallbackLimits ? { fallbackLimits: this.fallbackLimits } : {}) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.local.close();
    for (const f of this.fallbacks) f.close();
    if (this.timer) clearTimeout(this.timer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    for (const w of this.queue.splice(0)) w.reject(new Error('national client closed'));
    for (const [t, w] of this.reserved) {
      clearTimeout(t);
      w.reject(new Error('national client closed'));
    }
    this.reserved.clear();
    const ids = [...new Set([...this.pendingRelease, ...this.held])];
    this.pendingRelease = [];
    this.held.clear();
    if (ids.length && !this.degraded) await withTimeout(this.redis.zrem(this.keys.leases, ...ids), this.timeoutMs).catch(() => undefined);
    if (this.ownRedis) {
      if (this.redis.status === 'ready') await withTimeout(this.redis.quit(), this.timeoutMs).catch(() => undefined);
      this.redis.disconnect();
    }
  }

  // ------------------------------------------------------------------ internals

  private pump(): void {
    if (this.closed || this.busy || this.timer || this.queue.length === 0) return;
    if (this.degraded) {
      for (const w of this.queue.splice(0)) this.viaFallback(w);
      return;
    }
    const paused = this.local.pausedFor();
    if (paused > 0) return this.wakeIn(paused);
    const ids = this.queue.map(() => `${this.procId}:${++this.seq}`);
    const releases = this.pendingRelease.splice(0);
    this.busy = true;
    this.counters.redisCalls++;
    const call = this.cmd.kntcNatAcquire(
      this.keys.bucket, this.keys.leases, this.keys.pause, this.keys.members,
      this.o.rps, this.o.burst, this.o.maxInFlight, Math.ceil(this.o.leaseMs), this.procId, releases.length, ...releases, ...ids,
    );
    withTimeout(call, this.timeoutMs).then(
      (r) => {
        if (r === TIMEOUT) {
          // a late grant is handed back as soon as it arrives
          call.then(([n]) => this.releaseLater(ids.slice(0, Number(n))), () => undefined);
          this.onRedisFailure(new Error(`no answer within ${this.timeoutMs} ms`), releases);
        } else this.onReply(r, ids);
      },
      (e: unknown) => this.onRedisFailure(e as Error, releases),
    );
  }

  private onReply([granted, waitMs, members, reason, ...notBefore]: AcquireReply, ids: string[]): void {
    this.busy = false;
    this.members = Math.max(1, Number(members));
    const n = Number(granted);
    const wait = Number(waitMs);
    if (this.closed) return this.releaseLater(ids.slice(0, n));
    const pausedMeanwhile = this.local.pausedFor();
    if (n > 0 && pausedMeanwhile > 0) {
      // a Retry-After arrived while we asked: nobody may call before it ends
      this.releaseLater(ids.slice(0, n));
      return this.wakeIn(pausedMeanwhile);
    }
    for (let i = 0; i < n; i++) {
      const w = this.queue.shift();
      const id = ids[i]!;
      if (!w) {
        this.releaseLater([id]);
        continue;
      }
      this.held.add(id);
      const nb = Number(notBefore[i] ?? 0);
      if (nb <= 0) this.grant(w, id);
      else {
        // a reserved token: usable once it has refilled
        const t = setTimeout(() => {
          this.reserved.delete(t);
          if (this.closed) return w.reject(new Error('national client closed'));
          if (this.local.pausedFor() > 0) {
            // a Retry-After came in meanwhile: hand the lease back and queue again, first
            this.held.delete(id);
            this.releaseLater([id]);
            this.queue.unshift(w);
            return this.pump();
          }
          this.grant(w, id);
        }, nb);
        this.reserved.set(t, w);
      }
    }
    if (this.queue.length === 0) return;
    if (Number(reason) === 1) this.local.pause(wait); // the shared pause gate: hold the local queue too
    if (wait <= 0) return this.pump();
    // jitter on "full" polls so replicas do not ask in lockstep
    this.wakeIn(Number(reason) === 2 ? wait + Math.floor(Math.random() * FULL_POLL_MS) : wait);
    this.fullWait = Number(reason) === 2;
  }

  private grant(w: Waiter, id: string): void {
    let released = false;
    w.resolve(() => {
      if (released) return;
      released = true;
      this.held.delete(id);
      this.releaseLater([id]);
      if (this.fullWait && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.fullWait = false;
        this.pump(); // the release rides on this call
      }
    });
  }

  private onRedisFailure(e: Error, releases: string[]): void {
    this.busy = false;
    this.pendingRelease.push(...releases);
    if (this.closed) return;
    this.enterFallback(e);
    this.pump();
  }

  private enterFallback(e: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    this.counters.fallbacks++;
    const n = Math.max(1, this.members);
    const rps = this.o.rps / n;
    const burst = Math.max(1, Math.floor(this.o.burst / n));
    const inFlight = Math.max(1, Math.floor(this.o.maxInFlight / n));
    for (const f of this.fallbacks) {
      if (f.active === 0 && f.waiting === 0) {
        f.close();
        this.fallbacks.delete(f);
      }
    }
    this.fallbackLimits = { rps, burst, maxInFlight: inFlight };
    this.fallback = new Limiter(rps, burst, inFlight);
    this.fallbacks.add(this.fallback);
    const paused = this.local.pausedFor();
    if (paused > 0) this.fallback.pause(paused);
    this.o.logger?.warn(
      { err: e.message, sharers: n, rps: Number(rps.toFixed(2)), burst, maxInFlight: inFlight },
      'national limits: Redis unreachable, falling back to local limits divided by the number of processes sharing them',
    );
    this.scheduleProbe();
  }

  private viaFallback(w: Waiter): void {
    const fb = this.fallback!;
    fb.acquire().then(w.resolve, w.reject);
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.closed || !this.degraded) return;
      // not connected: do not pile probes up in the offline queue of a borrowed wait-forever connection
      if (this.redis.status !== 'ready' && this.redis.status !== 'wait') return this.scheduleProbe();
      const releases = this.pendingRelease.splice(0);
      this.counters.redisCalls++;
      // want nothing: registers this process and hands back leases of before the outage
      withTimeout(this.cmd.kntcNatAcquire(this.keys.bucket, this.keys.leases, this.keys.pause, this.keys.members,
        this.o.rps, this.o.burst, this.o.maxInFlight, Math.ceil(this.o.leaseMs), this.procId, releases.length, ...releases), this.timeoutMs).then(
        (r) => {
          if (r === TIMEOUT) throw new Error('timeout');
          this.members = Math.max(1, Number(r[2]));
          this.degraded = false;
          this.o.logger?.info({ sharers: this.members }, 'national limits: Redis answers again, back to the shared limits');
          this.pump();
        },
      ).catch(() => {
        this.pendingRelease.push(...releases);
        this.scheduleProbe();
      });
    }, this.probeMs);
    this.probeTimer.unref();
  }

  private releaseLater(ids: string[]): void {
    if (ids.length === 0) return;
    this.pendingRelease.push(...ids);
    // an acquire started in this turn (by the local stage letting the next request through) takes them along
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.pendingRelease.length === 0 || this.degraded || this.closed) return;
      const batch = this.pendingRelease.splice(0);
      this.redis.zrem(this.keys.leases, ...batch).catch(() => this.pendingRelease.push(...batch));
    });
  }

  private wakeIn(ms: number): void {
    if (this.timer) return;
    this.fullWait = false;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fullWait = false;
      this.pump();
    }, Math.max(1, Math.ceil(ms)));
  }
}
