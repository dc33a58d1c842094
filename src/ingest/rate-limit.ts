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

export class TokenBuckets {
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

  #sweep(t: number): void {
    for (const [k, b] of this.#buckets) if (b.tokens + ((t - b.at) / 1000) * this.ratePerSec >= this.burst) this.#buckets.delete(k);
  }
}
