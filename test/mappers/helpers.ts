import { readFileSync, existsSync } from 'node:fs';
import { projectPath } from '../../config/index.js';
import { loadReferenceData, buildCatalogues } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import type { Catalogues, Clock, MapContext, MapResult, SourceMapper } from '../../mappers/types.js';
import type { HoSoDon, LuotTiep } from '../../src/contract/schemas.js';
import { getMapper } from '../../mappers/registry.js';

export const TODAY = '2026-11-22';
export const clock: Clock = { today: () => TODAY, now: () => new Date('2026-11-22T03:00:00Z') };

let cats: Catalogues | undefined;
export function catalogues(): Catalogues {
  cats ??= makeCatalogues(buildCatalogues(loadReferenceData()));
  return cats;
}
export function ctx(): MapContext {
  return { catalogues: catalogues(), clock };
}

export const SAMPLES = {
  qldt: projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'),
  'so-tiep': projectPath('..', 'shared', 'samples', 'so-tiep-kon-tum.csv'),
  pakn: projectPath('..', 'shared', 'samples', 'pakn-lao-cai.json'),
} as const;
export const samplesPresent = Object.values(SAMPLES).every((p) => existsSync(p));

/**
 * For tests whose expectations are the samples README's: fail (never skip) with the reason
 * when ../shared/samples is not next to the repository.
 */
export function requireSamples(): void {
  const missing = Object.values(SAMPLES).filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(
      `this test checks the outcomes listed in ../shared/samples/README.md and needs the sample files next to the repository; missing: ${missing.join(', ')}. ` +
        'It fails rather than being skipped, so that a run without them is not mistaken for a pass.',
    );
  }
}

export function mapper(name: string): SourceMapper {
  const m = getMapper(name);
  if (!m) throw new Error(`no mapper ${name}`);
  return m;
}

export interface Mapped {
  line: number;
  raw: unknown;
  result: MapResult;
}

/** Parse and map a whole sample file, in file order. */
export function mapFile(source: keyof typeof SAMPLES): Mapped[] {
  const m = mapper(source);
  const text = readFileSync(SAMPLES[source], 'utf8');
  return m.parse(text, SAMPLES[source]).map((p) => {
    if (!p.ok) throw new Error(`sample line ${p.line} unreadable`);
    return { line: p.line, raw: p.raw, result: m.map(p.raw, ctx()) };
  });
}

/** Final state per local id: the highest version (V2/V3); equal versions keep the first (V4). */
export function latest(all: Mapped[]): Map<string, Mapped> {
  const out = new Map<string, Mapped>();
  for (const r of all) {
    const cur = out.get(r.result.localId);
    if (!cur || r.result.version > cur.result.version) out.set(r.result.localId, r);
  }
  return out;
}

export function hoSo(r: MapResult): HoSoDon {
  const rec = r.records.find((x) => x.kind === 'ho-so-don');
  if (!rec) throw new Error(`${r.localId}: no ho-so-don sent (issues: ${r.issues.map((i) => `${i.code}@${i.national}`).join(', ')})`);
  return rec.body as HoSoDon;
}
export function luot(r: MapResult): LuotTiep {
  const rec = r.records.find((x) => x.kind === 'luot-tiep');
  if (!rec) throw new Error(`${r.localId}: no luot-tiep sent (issues: ${r.issues.map((i) => `${i.code}@${i.national}`).join(', ')})`);
  return rec.body as LuotTiep;
}
export function candidate(r: MapResult, kind: 'ho-so-don' | 'luot-tiep'): Record<string, unknown> {
  const c = r.candidates?.find((x) => x.kind === kind);
  if (!c) throw new Error(`${r.localId}: no blocked ${kind}`);
  return c.body;
}
export const errors = (r: MapResult, kind?: string) => r.issues.filter((i) => i.severity === 'error' && (!kind || i.recordKind === kind || i.recordKind === undefined));
export const warnings = (r: MapResult, kind?: string) => r.issues.filter((i) => i.severity === 'warning' && (!kind || i.recordKind === kind));
export const has = (r: MapResult, code: string, national?: string, kind?: string) =>
  r.issues.some((i) => i.code === code && (national === undefined || i.national === national) && (kind === undefined || i.recordKind === kind));
