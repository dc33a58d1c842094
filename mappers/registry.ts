/**
 * Every local source the connector understands. Adding a source = one folder under
 * mappers/ exporting a SourceMapper, plus one line here (see mappers/README.md).
 */
import type { SourceMapper } from './types.js';
import { qldt } from './qldt/index.js';
import { soTiep } from './so-tiep/index.js';
import { pakn } from './pakn/index.js';

export const MAPPERS: Record<string, SourceMapper> = {
  [qldt.name]: qldt as SourceMapper,
  [soTiep.name]: soTiep as SourceMapper,
  [pakn.name]: pakn as SourceMapper,
};

export const SOURCE_NAMES: string[] = Object.keys(MAPPERS);

export function getMapper(name: string): SourceMapper | undefined {
  return Object.prototype.hasOwnProperty.call(MAPPERS, name) ? MAPPERS[name] : undefined;
}
