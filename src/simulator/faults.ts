/**
 * Fault injection boundaries: `before` (nothing applied) and `after` (applied and its
 * answer stored, but the client never hears it). Draws come from a seeded PRNG so a
 * failing run can be replayed with the same seed.
 */
import type { FaultAction, FaultConfig, FaultStatus, ScriptedFault } from './types.js';

const STATUSES: FaultStatus[] = [500, 502, 503, 504];

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

  constructor(private readonly now: () => Date, cfg?: FaultConfig) {
    this.set(cfg ?? {});
  }

  set(cfg: FaultConfig): void {
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
    return Math.round(l.minMs + this.rand() * Math.max(0, l.maxMs - l.minMs));
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
