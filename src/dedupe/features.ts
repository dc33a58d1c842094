import type { HoSoDon, DacTrungLienKet } from '../contract/schemas.js';
import { NO_LINKAGE } from '../contract/schemas.js';

/** Placeholder until the duplicates work lands: linkage features lk1 (contract §6). */
export function computeLinkage(_body: HoSoDon, _secret: string): DacTrungLienKet {
  return NO_LINKAGE;
}
