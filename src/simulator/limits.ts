/**
 * Per-client rate limit (token bucket; a batch is one request) and concurrency limit.
 * Over either → 429 VUOT_HAN_MUC with an integer Retry-After ≥ 1.
 */
export interface LimitSettings {
  ratePerSec: number;
  burst: number;
  maxInFlight: number;
}

interface Bucket {
  tokens: number;
  at: number;
  inFlight: number;
}

export type LimitVerdict = { ok: true; release: () => void } | { ok: false; cause: 'rate' | 'concurrency'; retryAfterSec: number };

export class Limiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly now: () => number) {}

  acquire(clientId: string, s: LimitSettings): LimitVerdict {
    const t = this.now();
    let b = this.buckets.get(clientId);
    if (!b) this.buckets.set(clientId, (b = { tokens: s.burst, at: t, inFlight: 0 }));
    b.tokens = Math.min(s.burst, b.tokens + ((t - b.at) / 1000) * s.ratePerSec);
    b.at = t;
    if (b.inFlight >= s.maxInFlight) return { ok: false, cause: 'concurrency', retryAfterSec: 1 };
    if (b.tokens < 1) return { ok: false, cause: 'rate', retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / s.ratePerSec)) };
    b.tokens -= 1;
    b.inFlight += 1;
    let released = false;
    const bucket = b;
    return {
      ok: true,
      release: () => {
        if (!released) {
          released = true;
          bucket.inFlight -= 1;
        }
      },
    };
  }

  clear(): void {
    this.buckets.clear();
  }
}
