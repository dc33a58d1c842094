/** What the national client needs from its admission control (this in-process Limiter, or SharedLimiter in shared-limiter.ts). */
export interface AdmissionControl {
  /** Wait for a slot; resolves with the release function (call it exactly once when the answer is in). */
  acquire(): Promise<() => void>;
  /** Pause every caller for `ms` from now; a shared limiter resolves once the other processes will see the pause too. */
  pause(ms: number): void | Promise<void>;
  /** Milliseconds left on the pause gate (0 when open). */
  pausedFor(): number;
  readonly active: number;
  readonly waiting: number;
  close(): void | Promise<void>;
}

/**
 * Client-side admission control for the national API, shared by every caller of one client instance:
 *  - a token bucket (`rps` requests/s, `burst` tokens),
 *  - a cap on requests in flight,
 *  - a pause gate: a 429/503 with Retry-After pauses ALL callers until then (contract §3: "the client MUST
 *    wait at least that long before its next call to this API").
 * Waiters are served first-in first-out. One timer at a time; `close()` rejects whoever still waits.
 */
export class Limiter implements AdmissionControl {
  private tokens: number;
  private lastRefill: number;
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly queue: { resolve: (release: () => void) => void; reject: (e: Error) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private closed = false;

  constructor(
    private readonly rps: number,
    private readonly burst: number,
    private readonly maxInFlight: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.lastRefill = this.now();
  }

  /** Wait for a slot; resolves with the release function (call it exactly once when the answer is in). */
  acquire(): Promise<() => void> {
    if (this.closed) return Promise.reject(new Error('national client closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.pump();
    });
  }

  /** Pause every caller for `ms` from now (keeps a later pause if one is already set). */
  pause(ms: number): void {
    const until = this.now() + ms;
    if (until > this.pausedUntil) this.pausedUntil = until;
    this.pump();
  }

  /** Milliseconds left on the pause gate (0 when open). */
  pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  get active(): number {
    return this.inFlight;
  }

  get waiting(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) w.reject(new Error('national client closed'));
  }

  private refill(now: number): void {
    const elapsed = (now - this.lastRefill) / 1000;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rps);
      this.lastRefill = now;
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const now = this.now();
      if (now < this.pausedUntil) return this.wakeAt(this.pausedUntil);
      if (this.inFlight >= this.maxInFlight) return; // a release pumps again
      this.refill(now);
      if (this.tokens < 1) return this.wakeAt(now + ((1 - this.tokens) / this.rps) * 1000);
      this.tokens -= 1;
      this.inFlight += 1;
      const w = this.queue.shift()!;
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at && this.timerAt > this.now()) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, Math.ceil(at - this.now())));
  }
}
