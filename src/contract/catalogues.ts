import type { CatalogueItem, CatalogueName } from './schemas.js';
import type { Catalogues } from '../../mappers/types.js';

/**
 * In-memory catalogue set with code indexes. Commune codes are only unique per era
 * *and* province in practice, so `byCode('xa-truoc-2025', code)` is by commune code
 * (5 digits, unique within an era) — callers must still check `maTinh`.
 */
export function makeCatalogues(data: Partial<Record<CatalogueName, readonly CatalogueItem[]>>): Catalogues {
  const index = new Map<CatalogueName, Map<string, CatalogueItem>>();
  const get = (name: CatalogueName): readonly CatalogueItem[] => data[name] ?? [];
  return {
    get,
    byCode(name, code) {
      let m = index.get(name);
      if (!m) {
        m = new Map(get(name).map((i) => [i.ma, i]));
        index.set(name, m);
      }
      return m.get(code);
    },
  };
}
