import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { refillLua } from '../redis/token-bucket.js';

/**
 * Per-key token bucket (in process). One request costs one token; the bucket refills at
 * `ratePerSec` up to `burst`. A refused request learns how long until a token is back
 * (Retry-After). Buckets of idle keys are dropped so the map stays bounded.
 */
export interface TakeResult {
  ok: boolean;
  /** Seconds until one token is available again (>= 1 when refused). */
  retryAfterSec: number;
}

export class TokenBuckets implements KeyRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly burst: number;
  constructor(
    readonly ratePerSec: number,
    burst?: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    // Default burst: one second's worth, at least 1.
    this.burst = Math.max(1, Math.floor(burst ?? ratePerSec));
  }

  take(id: string): TakeResult {
    const t = this.now();
    let b = this.#buckets.get(id);
    if (!b) {
      if (this.#buckets.size > 10_000) this.#sweep(t);
      b = { tokens: this.burst, at: t };
      this.#buckets.set(id, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSec);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, retryAfterSec: 0 };
    }
    const waitSec = (1 - b.tokens) / this.ratePerSec;
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitSec)) };
  }

  /** Give back a token taken by `take` (the shared bucket refused the request after all). */
  refund(id: string): void {
    const b = this.#buckets.get(id);
    if (b) b.tokens = Math.min(this.burst, b.tokens + 1);
  }

  #sweep(t: number): void {
    for (const [k, b] of this.#buckets) if (b.tokens + ((t - b.at) / 1000) * this.ratePerSec >= this.burst) this.#buckets.delete(k);
  }
}

/** What the key guard needs: one token per request, synchronously (in process) or after one Redis call (shared). */
export interface KeyRateLimiter {
  take(id: string): TakeResult | Promise<TakeResult>;
  close?(): Promise<void>;
}

// KEYS: 1 bucket hash; ARGV: 1 rate/s, 2 burst → { ok, waitMs }
const TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
${refillLua('rate')}if tokens >= 1 then
  tokens = tokens - 1
  redis.call('HSET', KEYS[1], 'tk', tostring(tokens), 'ts', tostring(ts))
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
  return {1, 0}
end
return {0, math.max(1, math.ceil((1 - tokens) * 1000 / rate))}
`;

interface TakeCommand {
  kntcIngestTake(key: string, rate: number, burst: number): Promise<[number, number]>;
}

export interface SharedTokenBucketsOptions {
  /** A connection to borrow (not closed here); otherwise one of its own to redisUrl. */
  redis?: Redis;
  redisUrl?: string;
  /** KNTC_PREFIX. */
  prefix: string;
  ratePerSec: number;
  burst?: number;
  logger?: Logger;
  /** A call without an answer after this long counts as a Redis failure (default 500). */
  timeoutMs?: number;
}

/**
 * Per-key token bucket shared by every `kntc serve` replica on the same Redis and KNTC_PREFIX (one Lua script per
 * request, on Redis TIME). A local bucket with the same settings is asked first: this replica's requests are part
 * of the shared consumption, so a local refusal is always right and costs no Redis call (a flooding key is turned
 * away locally); a token the shared bucket then refuses is given back. If Redis errs or does not answer within
 * timeoutMs, the local bucket alone decides (a warning once per outage): during an outage every write is refused
 * with 503 anyway (the pipeline needs Redis), so the limiter must only not be the thing that fails.
 */
export class SharedTokenBuckets implements KeyRateLimiter {
  readonly local: TokenBuckets;
  readonly #redis: Redis;
  readonly #own: boolean;
  readonly #cmd: TakeCommand;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  #failing = false;

  constructor(private readonly o: SharedTokenBucketsOptions) {
    if (!o.redis && !o.redisUrl) throw new TypeError('SharedTokenBuckets needs redis or redisUrl');
    this.local = new TokenBuckets(o.ratePerSec, o.burst);
    this.#own = !o.redis;
    this.#redis = o.redis ?? new Redis(o.redisUrl!, { connectionName: 'kntc-ingest-limits', lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (n) => Math.min(50 * 2 ** Math.min(n, 6), 2000) });
    if (this.#own) this.#redis.on('error', (e: Error) => o.logger?.debug({ err: e.message }, 'ingest limits: redis connection error'));
    const r = this.#redis as unknown as Partial<TakeCommand> & Redis;
    if (typeof r.kntcIngestTake !== 'function') this.#redis.defineCommand('kntcIngestTake', { numberOfKeys: 1, lua: TAKE_LUA });
    this.#cmd = r as unknown as TakeCommand;
    this.#prefix = o.prefix;
    this.#timeoutMs = o.timeoutMs ?? 500;
  }

  get burst(): number {
    return this.local.burst;
  }

  async take(id: string): Promise<TakeResult> {
    const pre = this.local.take(id);
    if (!pre.ok) return pre;
    // during an outage requests do not wait for a reconnect: the local bucket decides at once
    if (this.#failing && this.#redis.status !== 'ready') return pre;
    let t: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([
        this.#cmd.kntcIngestTake(`${this.#prefix}:irl:{${id.replace(/[^A-Za-z0-9._-]/g, '_')}}`, this.o.ratePerSec, this.local.burst),
        new Promise<never>((_res, rej) => (t = setTimeout(() => rej(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs))),
      ]);
      if (this.#failing) {
        this.#failing = false;
        this.o.logger?.info('ingest limits: Redis answers again, back to the shared per-key buckets');
      }
      if (Number(r[0]) === 1) return { ok: true, retryAfterSec: 0 };
      this.local.refund(id);
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil(Number(r[1]) / 1000)) };
    } catch (e) {
      if (!this.#failing) {
        this.#failing = true;
        this.o.logger?.warn({ err: (e as Error).message }, 'ingest limits: Redis unavailable, per-key rate limited by this replica alone');
      }
      return pre;
    } finally {
      clearTimeout(t);
    }
  }

  async close(): Promise<void> {
    if (!this.#own) return;
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => undefined);
    this.#redis.disconnect();
  }
}
