/**
 * Fault injection boundaries: `before` (nothing applied) and `after` (applied and its
 * answer stored, but the client never hears it). Draws come from a seeded PRNG so a
 * failing run can be replayed with the same seed.
 */
import type { FaultAction, FaultConfig, FaultStatus, ScriptedFault } from './types.js';

const STATUSES: FaultStatus[] = [500, 502, 503, 504];
/** z of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Throws a readable Error when a FaultConfig (from JSON: CLI, env, POST /_sim/faults) is not usable. */
export function checkFaultConfig(cfg: FaultConfig): void {
  const c = cfg as Record<string, unknown>;
  const bad = (what: string): never => {
    throw new Error(`fault config: ${what}`);
  };
  const rate = (k: string, v: unknown) => {
    if (v !== undefined && (!isNum(v) || v < 0 || v > 1)) bad(`${k} must be a probability 0…1`);
  };
  const pos = (k: string, v: unknown, min = 0) => {
    if (v !== undefined && (!isNum(v) || v < min)) bad(`${k} must be a number ≥ ${min}`);
  };
  for (const k of ['errorRate', 'errorAfterRate']) {
    const m = c[k];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) bad(`${k} must be an object {status: probability}`);
    for (const [st, v] of Object.entries(m as Record<string, unknown>)) {
      if (!STATUSES.includes(Number(st) as FaultStatus)) bad(`${k}: status ${st} is not one of ${STATUSES.join(', ')}`);
      rate(`${k}.${st}`, v);
    }
  }
  for (const k of ['resetBeforeRate', 'resetAfterRate', 'hangRate', 'hangAfterRate']) rate(k, c[k]);
  pos('hangMs', c.hangMs);
  pos('retryAfterSec', c.retryAfterSec, 1);
  pos('tokenTtlSec', c.tokenTtlSec, 0.001);
  pos('expireTokensEverySec', c.expireTokensEverySec, 0.001);
  if (c.seed !== undefined && !isNum(c.seed)) bad('seed must be a number');
  if (c.match !== undefined) {
    if (typeof c.match !== 'string') bad('match must be a regular expression string');
    new RegExp(c.match as string);
  }
  const l = c.latency as Record<string, unknown> | undefined;
  if (l !== undefined) {
    if (typeof l !== 'object' || l === null) bad('latency must be an object');
    const d = l.distribution ?? 'uniform';
    if (d === 'uniform') {
      if (!isNum(l.minMs) || !isNum(l.maxMs) || l.minMs < 0 || l.maxMs < l.minMs) bad('latency (uniform) needs 0 ≤ minMs ≤ maxMs');
    } else if (d === 'lognormal') {
      if (!isNum(l.medianMs) || !isNum(l.p99Ms) || l.medianMs <= 0 || l.p99Ms < l.medianMs) bad('latency (lognormal) needs 0 < medianMs ≤ p99Ms');
      pos('latency.minMs', l.minMs);
      pos('latency.maxMs', l.maxMs);
      if (isNum(l.minMs) && isNum(l.maxMs) && l.maxMs < l.minMs) bad('latency.maxMs must be ≥ latency.minMs');
    } else bad(`latency.distribution must be "uniform" or "lognormal", not ${JSON.stringify(d)}`);
  }
  const m = c.maintenance as Record<string, unknown> | undefined;
  if (m !== undefined) {
    if (typeof m !== 'object' || m === null) bad('maintenance must be an object');
    pos('maintenance.durationSec', m.durationSec);
    pos('maintenance.retryAfterSec', m.retryAfterSec, 1);
    if (m.until !== undefined && (typeof m.until !== 'string' || Number.isNaN(Date.parse(m.until)))) bad('maintenance.until must be an ISO date-time');
  }
  if (c.script !== undefined && !Array.isArray(c.script)) bad('script must be a list of faults');
}

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultEngine {
  private cfg: FaultConfig = {};
  private rand: () => number = prng(1);
  private matchRe: RegExp | undefined;
  private script: ScriptedFault[] = [];
  private maintenanceUntil = 0;
  private setAt = 0;

  constructor(private readonly now: () => Date, cfg?: FaultConfig) {
    this.set(cfg ?? {});
  }

  /** Replace the config (throws, leaving the old one in place, when it is not usable). */
  set(cfg: FaultConfig): void {
    checkFaultConfig(cfg);
    this.setAt = this.now().getTime();
    this.cfg = { ...cfg };
    this.rand = prng(cfg.seed ?? 1);
    this.matchRe = cfg.match ? new RegExp(cfg.match) : undefined;
    this.script = [...(cfg.script ?? [])];
    const m = cfg.maintenance;
    this.maintenanceUntil = m ? (m.until ? Date.parse(m.until) : this.now().getTime() + (m.durationSec ?? 60) * 1000) : 0;
  }

  get(): FaultConfig {
    return { ...this.cfg, script: [...this.script] };
  }

  /** Seconds until the maintenance window ends, or 0 when none is active. */
  maintenance(): number {
    const left = this.maintenanceUntil - this.now().getTime();
    if (left <= 0) return 0;
    return this.cfg.maintenance?.retryAfterSec ?? Math.max(1, Math.ceil(left / 1000));
  }

  matches(route: string): boolean {
    return this.matchRe ? this.matchRe.test(route) : !route.startsWith('POST /oauth/token');
  }

  get retryAfterSec(): number {
    return this.cfg.retryAfterSec ?? 2;
  }
  get hangMs(): number {
    return this.cfg.hangMs ?? 30_000;
  }

  latencyMs(route: string): number {
    const l = this.cfg.latency;
    if (!l || !this.matches(route)) return 0;
    if (l.distribution === 'lognormal') {
      // Box–Muller: one standard normal draw from two uniform ones
      const z = Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand());
      const sigma = Math.log(l.p99Ms / l.medianMs) / Z99;
      const v = l.medianMs * Math.exp(sigma * z);
      return Math.round(Math.min(l.maxMs ?? Number.POSITIVE_INFINITY, Math.max(l.minMs ?? 0, v)));
    }
    return Math.round(l.minMs + this.rand() * Math.max(0, l.maxMs - l.minMs));
  }

  /**
   * Token expiry faults: why a token issued at `issuedAtMs` no longer works, or undefined when it still does
   * (`tokenTtlSec`: too old; `expireTokensEverySec`: a mass expiry happened since it was issued).
   */
  tokenExpired(issuedAtMs: number): 'token-ttl' | 'token-expire-every' | undefined {
    const t = this.now().getTime();
    const ttl = this.cfg.tokenTtlSec;
    if (ttl !== undefined && t - issuedAtMs >= ttl * 1000) return 'token-ttl';
    const every = this.cfg.expireTokensEverySec;
    if (every !== undefined) {
      const k = Math.floor((t - this.setAt) / (every * 1000));
      if (k >= 1 && issuedAtMs < this.setAt + k * every * 1000) return 'token-expire-every';
    }
    return undefined;
  }

  /** The fault (if any) to inject at this boundary for this route. */
  draw(when: 'before' | 'after', route: string): FaultAction | undefined {
    const i = this.script.findIndex((s) => s.when === when && (s.match ? new RegExp(s.match).test(route) : this.matches(route)));
    if (i >= 0) {
      const [s] = this.script.splice(i, 1);
      if (s) return s.action === 'error' ? { action: 'error', status: s.status } : { action: s.action };
    }
    if (!this.matches(route)) return undefined;
    const c = this.cfg;
    const rates = when === 'before' ? c.errorRate : c.errorAfterRate;
    const reset = when === 'before' ? c.resetBeforeRate : c.resetAfterRate;
    const hang = when === 'before' ? c.hangRate : c.hangAfterRate;
    if (reset && this.rand() < reset) return { action: 'reset' };
    if (hang && this.rand() < hang) return { action: 'hang' };
    for (const s of STATUSES) {
      const r = rates?.[s];
      if (r && this.rand() < r) return { action: 'error', status: s };
    }
    return undefined;
  }
}
