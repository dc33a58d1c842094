/** The sample files mapped with the real mappers and real catalogues: final ho-so-don body per local id. */
import { readFileSync } from 'node:fs';
import { projectPath } from '../../config/index.js';
import { getMapper } from '../../mappers/registry.js';
import { loadReferenceData, buildCatalogues } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import type { HoSoDon } from '../../src/contract/schemas.js';

const FILES = { qldt: 'qldt-lai-chau.jsonl', 'so-tiep': 'so-tiep-kon-tum.csv', pakn: 'pakn-lao-cai.json' } as const;

export interface SampleHoSo {
  source: string;
  localId: string;
  body: HoSoDon;
}

export function sampleHoSoDon(): Map<string, SampleHoSo> {
  const catalogues = makeCatalogues(buildCatalogues(loadReferenceData()));
  const ctx = { catalogues, clock: { today: () => '2026-11-22', now: () => new Date('2026-11-22T03:00:00Z') } };
  const best = new Map<string, { version: number; rec: SampleHoSo }>();
  for (const [source, file] of Object.entries(FILES)) {
    const m = getMapper(source);
    if (!m) throw new Error(`mapper ${source} missing`);
    const path = projectPath('..', 'shared', 'samples', file);
    for (const p of m.parse(readFileSync(path, 'utf8'), path)) {
      if (!p.ok) continue;
      const r = m.map(p.raw, ctx);
      const h = r.records.find((x) => x.kind === 'ho-so-don');
      if (!h) continue;
      const cur = best.get(r.localId);
      if (!cur || r.version > cur.version) best.set(r.localId, { version: r.version, rec: { source, localId: r.localId, body: h.body as HoSoDon } });
    }
  }
  return new Map([...best].map(([k, v]) => [k, v.rec]));
}
