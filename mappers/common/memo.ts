/**
 * Memoised conversions. Local exports repeat the same addresses and agency names many
 * times (one village, one receiving body), and resolving them is the costly part of a
 * mapping. Results are cached per catalogue *snapshot* (keyed by the catalogue item
 * arrays: a refreshed catalogue is a new array, so a cached answer never outlives the
 * data it came from) and bounded in size. Callers must treat results as read-only.
 */
import type { Catalogues } from '../types.js';
import type { CatalogueName } from '../../src/contract/schemas.js';
import { resolveAddressText, resolveAddressCodes, type AddressResult } from '../../src/vn/address.js';
import { matchAgency, type AgencyMatch } from '../../src/vn/agency.js';

const MAX = 20_000;

interface Slot<T> {
  deps: readonly (readonly unknown[])[];
  map: Map<string, T>;
}

function cache<T>(store: WeakMap<object, Slot<T>>, cat: Catalogues, names: CatalogueName[]): Map<string, T> {
  const anchor = cat.get(names[0]!);
  let slot = store.get(anchor);
  if (!slot || !sameDeps(slot.deps, cat, names)) {
    slot = { deps: names.map((n) => cat.get(n)), map: new Map() };
    store.set(anchor, slot);
  }
  if (slot.map.size >= MAX) slot.map.clear();
  return slot.map;
}

/** The slot's catalogue arrays are still the current ones (checked on every lookup, without allocating). */
function sameDeps(deps: readonly (readonly unknown[])[], cat: Catalogues, names: CatalogueName[]): boolean {
  for (let i = 0; i < names.length; i++) if (deps[i] !== cat.get(names[i]!)) return false;
  return true;
}

const ADDRESS_DEPS: CatalogueName[] = ['xa', 'xa-truoc-2025', 'tinh', 'tinh-truoc-2025'];
const addressStore = new WeakMap<object, Slot<AddressResult>>();
const agencyStore = new WeakMap<object, Slot<AgencyMatch>>();

/** Text addresses: one cache per era, keyed by the text itself (no key string to build per lookup). */
const addressTextStores = { 'truoc-2025': new WeakMap<object, Slot<AddressResult>>(), 'hien-hanh': new WeakMap<object, Slot<AddressResult>>() };

export function addressText(text: string, era: 'truoc-2025' | 'hien-hanh', cat: Catalogues): AddressResult {
  const m = cache(addressTextStores[era], cat, ADDRESS_DEPS);
  let r = m.get(text);
  if (!r) {
    r = resolveAddressText(text, era, cat);
    m.set(text, r);
  }
  return r;
}

export function addressCodes(codes: { maTinh: string; maXa?: string; chiTiet?: string }, era: 'truoc-2025' | 'hien-hanh', cat: Catalogues): AddressResult {
  const m = cache(addressStore, cat, ADDRESS_DEPS);
  const key = `c\u0000${era}\u0000${codes.maTinh}\u0000${codes.maXa ?? ''}\u0000${codes.chiTiet ?? '\u0001'}`;
  let r = m.get(key);
  if (!r) {
    r = resolveAddressCodes(codes, era, cat);
    m.set(key, r);
  }
  return r;
}

export function agency(name: string, cat: Catalogues): AgencyMatch {
  const m = cache(agencyStore, cat, ['don-vi']);
  let r = m.get(name);
  if (!r) {
    r = matchAgency(name, cat);
    m.set(name, r);
  }
  return r;
}
