/**
 * Seeded pseudo-random numbers for the generator (mulberry32): the same seed gives
 * the same data on every machine. Not for anything security-related.
 */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
}

export function makeRng(seed: number): Rng {
  let a = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A child stream derived from a parent seed and a label (independent sequences per purpose). */
export function childRng(seed: number, label: string): Rng {
  let h = 2166136261 ^ Math.floor(seed);
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return makeRng(h >>> 0);
}

export const int = (r: Rng, min: number, max: number): number => min + Math.floor(r.next() * (max - min + 1));
export const chance = (r: Rng, p: number): boolean => r.next() < p;
export function pick<T>(r: Rng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from an empty list');
  return xs[Math.floor(r.next() * xs.length)] as T;
}
export function weighted<T>(r: Rng, xs: readonly (readonly [T, number])[]): T {
  const total = xs.reduce((s, [, w]) => s + w, 0);
  let x = r.next() * total;
  for (const [v, w] of xs) {
    x -= w;
    if (x < 0) return v;
  }
  return xs[xs.length - 1]![0];
}
export function shuffle<T>(r: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
/** n digits as a string (leading zeros kept). */
export const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');
