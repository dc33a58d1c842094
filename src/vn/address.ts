/**
 * Addresses: parse free text into its administrative parts, and resolve text or codes of a
 * given era to the *current* units (34 provinces, communes, no districts; contract §7).
 *
 * Codes were reused on 1 July 2025, so nothing is resolved without its era. Pre-2025 text
 * names the old district: the old commune is found by (province, district, commune) names,
 * then followed to its new commune (maMoi). A split commune (MOT_PHAN), a missing commune or
 * an ambiguous one gives the province only (plus the text) and a warning — never a guess.
 *
 * Matching is by folded keys (foldKey: tone style, missing diacritics, Telex leftovers, case)
 * with spaces and punctuation removed ("Ia H'Drai" = "Ia H' Drai"). Typo tolerance (edit
 * distance) is used only when it yields a single candidate that nothing contradicts.
 * Every resolution uses an index built once per Catalogues object.
 */
import type { Catalogues } from '../../mappers/types.js';
import type { CatalogueItem } from '../contract/schemas.js';
import { cleanText, foldKey, normalizeTone } from './text.js';

export interface ParsedAddress {
  detail?: string;
  commune?: string;
  district?: string;
  province?: string;
  communeType?: string;
  districtType?: string;
  provinceType?: string;
}

export type AddressIssueCode =
  | 'XA_BI_CHIA_TACH'
  | 'XA_KHONG_XAC_DINH'
  | 'THIEU_XA'
  | 'MA_HET_HIEU_LUC'
  | 'MA_KHONG_TON_TAI'
  | 'TINH_KHONG_XAC_DINH';

export type AddressResult =
  | { ok: true; diaChi: { maTinh: string; maXa?: string; chiTiet?: string }; warnings: { code: AddressIssueCode; reason: string }[] }
  | { ok: false; code: AddressIssueCode; reason: string };

export type Era = 'truoc-2025' | 'hien-hanh';

// ---------------------------------------------------------------- parsing

type Level = 'commune' | 'district' | 'province' | 'city';
interface UnitType {
  label: string; // canonical Vietnamese label
  level: Level;
  re: RegExp;
}
// Single letters need a dot ("H. Tam Đường", "X. Sơn Bình"); TP / TX / TT may go without.
// Patterns are lower case and matched against the lower-cased part (faster than /i with /u).
const sep = String.raw`(?:\s*\.\s*|\s+)`;
const UNIT_TYPES: UnitType[] = [
  { label: 'thành phố', level: 'city', re: new RegExp(String.raw`^(?:thành\s+phố|thanh\s+pho)\s+|^tp${sep}`, 'u') },
  { label: 'thị xã', level: 'district', re: new RegExp(String.raw`^(?:thị\s+xã|thi\s+xa)\s+|^tx${sep}`, 'u') },
  { label: 'thị trấn', level: 'commune', re: new RegExp(String.raw`^(?:thị\s+trấn|thi\s+tran)\s+|^tt${sep}`, 'u') },
  { label: 'đặc khu', level: 'commune', re: /^(?:đặc\s+khu|dac\s+khu)\s+/u },
  { label: 'huyện', level: 'district', re: /^(?:huyện|huyen)\s+|^h\s*\.\s*/u },
  { label: 'quận', level: 'district', re: /^(?:quận|quan)\s+|^q\s*\.\s*/u },
  { label: 'tỉnh', level: 'province', re: /^(?:tỉnh|tinh)\s+|^t\s*\.\s*/u },
  { label: 'phường', level: 'commune', re: /^(?:phường|phuong)\s+|^p\s*\.\s*/u },
  { label: 'xã', level: 'commune', re: /^(?:xã|xa)\s+|^x\s*\.\s*/u },
];
/** The same types as written with the keyboard off or in odd case/tone, recognised on the folded part. */
const FOLDED_TYPES: [RegExp, string][] = [
  [/^thanh pho /, 'thành phố'], [/^thi xa /, 'thị xã'], [/^thi tran /, 'thị trấn'], [/^dac khu /, 'đặc khu'],
  [/^huyen /, 'huyện'], [/^quan /, 'quận'], [/^tinh /, 'tỉnh'], [/^phuong /, 'phường'], [/^xa /, 'xã'],
];
/** Accented keywords that may start an address part inside a comma-less run ("Tổ 12 phường Cốc Lếu"). */
const INNER_KEYWORDS = ['thành phố', 'thị xã', 'thị trấn', 'đặc khu', 'huyện', 'quận', 'tỉnh', 'phường', 'xã'];
const INNER_HINT = / (?:thành phố|thị xã|thị trấn|đặc khu|huyện|quận|tỉnh|phường|xã|tp\.|tx\.|tt\.)/u;

interface Part {
  raw: string;
  label?: string;
  level?: Level;
  name?: string;
  start?: number; // offsets in the cleaned text
  end?: number;
}

const TYPES_BY_START = new Map<string, UnitType[]>();
for (const t of UNIT_TYPES) {
  for (const c of t.label === 'đặc khu' ? ['đ', 'd'] : [t.label[0]!]) {
    const l = TYPES_BY_START.get(c) ?? [];
    l.push(t);
    TYPES_BY_START.set(c, l);
  }
}
/** First letters a unit type can start with (t h q p x đ d), in any case. */
const TYPE_START = /^[thqpxđdTHQPXĐD]/;

function classify(raw: string): Part {
  if (!TYPE_START.test(raw)) return { raw };
  const lower = raw.toLowerCase();
  if (lower.length === raw.length) {
    for (const t of TYPES_BY_START.get(lower[0]!) ?? []) {
      const m = t.re.exec(lower);
      if (m) {
        const name = raw.slice(m[0].length).trim();
        if (name && /[\p{L}\d]/u.test(name)) return { raw, label: t.label, level: t.level, name };
      }
    }
  }
  // Typed without diacritics / with Telex leftovers ("huyeenj Tam DDuwowngf"): compare folded words.
  const words = raw.split(' ');
  if (words.length >= 2) {
    const folded = foldWords(words.slice(0, 3).join(' '));
    for (const [re, label] of FOLDED_TYPES) {
      if (re.test(folded + ' ')) {
        const n = label.split(' ').length;
        const name = words.slice(n).join(' ').trim();
        const t = UNIT_TYPES.find((u) => u.label === label)!;
        if (name && /[\p{L}\d]/u.test(name)) return { raw, label, level: t.level, name };
      }
    }
  }
  return { raw };
}

/**
 * Split a comma-less run at inner keywords: "Tổ 12 phường Cốc Lếu" → ["Tổ 12", "phường Cốc Lếu"].
 * Keywords count when written in lower case or all capitals ("xã", "XÃ"); a capitalised "Xã"
 * inside a run is part of a name ("Thôn Xã Đoài"). Returns pieces with their offsets.
 */
function splitInner(raw: string): { text: string; start: number }[] {
  if (!INNER_HINT.test(raw.toLowerCase())) return [{ text: raw, start: 0 }];
  const words = raw.split(' ');
  const out: { text: string; start: number }[] = [];
  let cur: string[] = [];
  let curStart = 0;
  let pos = 0;
  for (let i = 0; i < words.length; i++) {
    let starts = false;
    if (i > 0 && cur.length) {
      const two = words.slice(i, i + 2).join(' ');
      const lower = two.toLowerCase();
      const asWritten = two === lower || two === two.toUpperCase() ? lower : two;
      // Two-letter abbreviations with a dot: "TP.Lào Cai", "TX. Sa Pa", "TT. Tam Đường".
      if (/^(?:tp|tx|tt)\./.test(lower) && (lower.length > 3 || i + 1 < words.length)) starts = true;
      else for (const k of INNER_KEYWORDS) {
        if ((asWritten === k || asWritten.startsWith(k + ' ')) && i + k.split(' ').length < words.length) {
          // "thị xã": the "xã" belongs to "thị"
          if (k === 'xã' && words[i - 1]?.toLowerCase() === 'thị') continue;
          starts = true;
          break;
        }
      }
    }
    if (starts) {
      out.push({ text: cur.join(' '), start: curStart });
      cur = [];
      curStart = pos;
    }
    cur.push(words[i]!);
    pos += words[i]!.length + 1;
  }
  if (cur.length) out.push({ text: cur.join(' '), start: curStart });
  return out;
}

/**
 * Split a free-text address into detail / commune / district / province, right to left.
 * Types are recognised with or without diacritics and abbreviated (H., TX., TP., Tp, X., P., TT.).
 * "thành phố" is the province when it is the last part, else a district. An untyped last part
 * after typed parts is taken as the province ("…, huyện Tam Đường, Lai Châu").
 */
export function parseAddress(text: string): ParsedAddress {
  return parseClean(cleanText(typeof text === 'string' ? text : ''));
}

function parseClean(t: string): ParsedAddress {
  if (!t) return {};
  const parts: Part[] = [];
  let from = 0;
  while (from <= t.length) {
    let to = from;
    while (to < t.length && t[to] !== ',' && t[to] !== ';') to++;
    let a = from;
    let b = to;
    while (a < b && t[a] === ' ') a++;
    while (b > a && t[b - 1] === ' ') b--;
    if (b > a) {
      for (const piece of splitInner(t.slice(a, b))) {
        const part = classify(piece.text);
        part.start = a + piece.start;
        part.end = part.start + piece.text.length;
        parts.push(part);
      }
    }
    from = to + 1;
  }
  const out: ParsedAddress = {};
  const used = new Set<number>();
  const last = parts.length - 1;
  const lastPart = parts[last];
  if (lastPart) {
    if (lastPart.level === 'province' || lastPart.level === 'city') {
      out.province = lastPart.name;
      out.provinceType = lastPart.label;
      used.add(last);
    } else if (!lastPart.level && parts.some((p) => p.level === 'commune' || p.level === 'district')) {
      out.province = lastPart.raw;
      used.add(last);
    }
  }
  for (let i = parts.length - 1; i >= 0; i--) {
    if (used.has(i)) continue;
    const p = parts[i]!;
    if ((p.level === 'district' || p.level === 'city') && out.district === undefined && out.commune === undefined) {
      out.district = p.name;
      out.districtType = p.label;
      used.add(i);
    } else if (p.level === 'commune' && out.commune === undefined) {
      out.commune = p.name;
      out.communeType = p.label;
      used.add(i);
    } else if (p.level === 'province' && out.province === undefined) {
      out.province = p.name;
      out.provinceType = p.label;
      used.add(i);
    }
  }
  // The detail is kept exactly as written: each run of adjacent unused parts is one slice of the text.
  const runs: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (used.has(i)) continue;
    let j = i;
    while (j + 1 < parts.length && !used.has(j + 1)) j++;
    runs.push(t.slice(parts[i]!.start, parts[j]!.end));
    i = j;
  }
  if (runs.length) out.detail = runs.join(', ');
  return out;
}

// ---------------------------------------------------------------- keys and distances

const ALIASES: Record<string, string> = { hcm: 'hochiminh', tphcm: 'hochiminh', saigon: 'hochiminh' };

/** Small memo for keys of unit names: they repeat across addresses. Cleared when it grows large. */
function memo(f: (s: string) => string): (s: string) => string {
  const m = new Map<string, string>();
  return (s: string) => {
    let v = m.get(s);
    if (v === undefined) {
      if (m.size > 50_000) m.clear();
      v = f(s);
      m.set(s, v);
    }
    return v;
  };
}
const foldWords = memo((s: string) => foldKey(s));

/** Compact matching key: folded, only letters and digits, leading zeros of numbers dropped. */
const nameKey = memo((s: string): string => {
  const k = foldKey(s)
    .replace(/\b0+(\d)/g, '$1')
    .replace(/[^a-z0-9]/g, '');
  return ALIASES[k] ?? k;
});
/** Accent-sensitive key (one tone style), used only to break ties between same-key names. */
const toneKey = memo((s: string): string =>
  normalizeTone(cleanText(s))
    .toLowerCase()
    // Tây Nguyên spelling variants (Đăk / Đắk / Đắc / Dak) are not a difference
    .replace(/(?<![\p{L}\p{M}])(?:đăk|đắk|đák|đak|đắc|dak)(?![\p{L}\p{M}])/gu, 'đắk')
    .replace(/[^\p{L}\d]/gu, ''),
);

/** Optimal string alignment distance, stopping early above `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}
/** Typo allowance for a key of this length: none for short names. */
const allowance = (len: number) => (len >= 10 ? 2 : len >= 5 ? 1 : 0);
const close = (a: string, b: string) => {
  const max = allowance(Math.min(a.length, b.length));
  return max > 0 && distance(a, b, max) <= max;
};

// ---------------------------------------------------------------- index

interface Unit {
  ma: string;
  type: string; // canonical label of the unit type
  key: string;
  name: string; // as in the catalogue, without the type; its toneKey is computed only when needed
}
interface OldCommune extends Unit {
  maTinh: string;
  districtKey: string;
  districtType: string;
  maMoi: { ma: string; loai: 'TOAN_BO' | 'MOT_PHAN' }[];
}
interface NewCommune extends Unit {
  maTinh: string;
}
interface Province extends Unit {
  newMa: string;
}
interface Index {
  oldProvinces: Province[];
  newProvinces: Province[];
  oldByProvince: Map<string, Map<string, OldCommune[]>>;
  newByProvince: Map<string, Map<string, NewCommune[]>>;
  provinceMemo: Map<string, { old?: Province; cur?: Province }>;
  outcomeMemo: Map<string, Outcome>;
}

function splitType(full: string): { type: string; name: string } {
  const p = classify(cleanText(full));
  if (p.level && p.name) return { type: p.label!, name: p.name };
  return { type: '', name: full };
}
function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

const indexes = new WeakMap<Catalogues, Index>();
function indexOf(cat: Catalogues): Index {
  let idx = indexes.get(cat);
  if (idx) return idx;
  const province = (i: CatalogueItem, newMa: string): Province => {
    const { type, name } = splitType(i.ten);
    return { ma: i.ma, type, key: nameKey(name), name, newMa };
  };
  const oldProvinces = cat.get('tinh-truoc-2025').map((i) => province(i, i.maMoi?.[0]?.ma ?? ''));
  const newProvinces = cat.get('tinh').map((i) => province(i, i.ma));
  const districtKeys = new Map<string, { key: string; type: string }>();
  const oldByProvince = new Map<string, Map<string, OldCommune[]>>();
  for (const i of cat.get('xa-truoc-2025')) {
    if (!i.maTinh) continue;
    const { type, name } = splitType(i.ten);
    const dName = i.tenHuyen ?? '';
    let d = districtKeys.get(dName);
    if (!d) {
      const sd = splitType(dName);
      d = { key: nameKey(sd.name), type: sd.type };
      districtKeys.set(dName, d);
    }
    const c: OldCommune = {
      ma: i.ma, type, key: nameKey(name), name, maTinh: i.maTinh,
      districtKey: d.key, districtType: d.type, maMoi: i.maMoi ?? [],
    };
    let m = oldByProvince.get(i.maTinh);
    if (!m) oldByProvince.set(i.maTinh, (m = new Map()));
    pushTo(m, c.key, c);
  }
  const newByProvince = new Map<string, Map<string, NewCommune[]>>();
  for (const i of cat.get('xa')) {
    if (!i.maTinh) continue;
    const { type, name } = splitType(i.ten);
    const c: NewCommune = { ma: i.ma, type, key: nameKey(name), name, maTinh: i.maTinh };
    let m = newByProvince.get(i.maTinh);
    if (!m) newByProvince.set(i.maTinh, (m = new Map()));
    pushTo(m, c.key, c);
  }
  idx = { oldProvinces, newProvinces, oldByProvince, newByProvince, provinceMemo: new Map(), outcomeMemo: new Map() };
  indexes.set(cat, idx);
  return idx;
}

/** Old and current province of a name: exact keys first; a near spelling only when neither era has the exact name. */
function matchProvinces(idx: Index, name: string): { old?: Province; cur?: Province } {
  let r = idx.provinceMemo.get(name);
  if (r) return r;
  const key = nameKey(name);
  const exactIn = (list: Province[]) => {
    const e = list.filter((p) => p.key === key);
    return e.length === 1 ? e[0] : undefined;
  };
  const nearIn = (list: Province[]) => {
    const e = list.filter((p) => close(p.key, key));
    return e.length === 1 ? e[0] : undefined;
  };
  r = {};
  if (key) {
    const old = exactIn(idx.oldProvinces);
    const cur = exactIn(idx.newProvinces);
    if (old || cur) r = { old, cur };
    else r = { old: nearIn(idx.oldProvinces), cur: nearIn(idx.newProvinces) };
  }
  if (idx.provinceMemo.size > 10_000) idx.provinceMemo.clear();
  idx.provinceMemo.set(name, r);
  return r;
}

// ---------------------------------------------------------------- commune matching

type Attempt<C> =
  | { kind: 'found'; unit: C }
  | { kind: 'ambiguous' } // candidates exist but none can be chosen
  | { kind: 'none' } // no unit of that name in the province
  | { kind: 'nocommune' };

/** Narrow same-key candidates by the accent-sensitive spelling (Nậm Cha ≠ Nậm Chà); single result or none. */
function byTone<C extends Unit>(cands: C[], tone: string): C | undefined {
  const t = cands.filter((c) => toneKey(c.name) === tone);
  return t.length === 1 ? t[0] : undefined;
}
function preferType<C extends Unit>(cands: C[], type: string | undefined): C[] {
  if (!type) return cands;
  const t = cands.filter((c) => c.type === type);
  return t.length ? t : cands;
}

function matchOld(byKey: Map<string, OldCommune[]> | undefined, p: ParsedAddress, fuzzy: boolean): Attempt<OldCommune> {
  if (!p.commune) return { kind: 'nocommune' };
  if (!byKey) return { kind: 'none' };
  const key = nameKey(p.commune);
  const dKey = p.district ? nameKey(p.district) : undefined;
  let cands = byKey.get(key) ?? [];
  if (cands.length === 0) {
    if (!fuzzy) return { kind: 'none' };
    // Typo tolerance: only a single near name in the province, and the district (if named) agrees.
    const near: OldCommune[] = [];
    for (const [k, list] of byKey) if (close(k, key)) near.push(...list);
    if (near.length === 0) return { kind: 'none' };
    if (near.length > 1) return { kind: 'ambiguous' };
    const c = near[0]!;
    if (dKey !== undefined && c.districtKey !== dKey) return { kind: 'ambiguous' };
    return { kind: 'found', unit: c };
  }
  const sameName = cands.length;
  cands = preferType(cands, p.communeType);
  if (dKey !== undefined) {
    let inDistrict = cands.filter((c) => c.districtKey === dKey);
    if (inDistrict.length > 1 && p.districtType) {
      const typed = inDistrict.filter((c) => c.districtType === p.districtType);
      if (typed.length) inDistrict = typed;
    }
    if (inDistrict.length === 1) return { kind: 'found', unit: inDistrict[0]! };
    if (inDistrict.length > 1) {
      const t = byTone(inDistrict, toneKey(p.commune));
      return t ? { kind: 'found', unit: t } : { kind: 'ambiguous' };
    }
    // The district does not match exactly: accept a misspelt district only when the commune
    // name is unique in the province (whatever its type) and the district is a near spelling of its own.
    if (sameName === 1 && close(cands[0]!.districtKey, dKey)) return { kind: 'found', unit: cands[0]! };
    return { kind: 'ambiguous' };
  }
  if (cands.length === 1) return { kind: 'found', unit: cands[0]! };
  const t = byTone(cands, toneKey(p.commune));
  return t ? { kind: 'found', unit: t } : { kind: 'ambiguous' };
}

function matchNew(byKey: Map<string, NewCommune[]> | undefined, p: ParsedAddress, fuzzy: boolean): Attempt<NewCommune> {
  if (!p.commune) return { kind: 'nocommune' };
  if (!byKey) return { kind: 'none' };
  const key = nameKey(p.commune);
  let cands = byKey.get(key) ?? [];
  if (cands.length === 0) {
    if (!fuzzy) return { kind: 'none' };
    const near: NewCommune[] = [];
    for (const [k, list] of byKey) if (close(k, key)) near.push(...list);
    if (near.length === 1) return { kind: 'found', unit: near[0]! };
    return near.length ? { kind: 'ambiguous' } : { kind: 'none' };
  }
  cands = preferType(cands, p.communeType);
  if (cands.length === 1) return { kind: 'found', unit: cands[0]! };
  const t = byTone(cands, toneKey(p.commune));
  return t ? { kind: 'found', unit: t } : { kind: 'ambiguous' };
}

// ---------------------------------------------------------------- results

const R = {
  split: 'Xã/phường cũ đã được chia cho nhiều xã/phường mới nên không xác định được xã/phường hiện hành; chỉ gửi mã tỉnh và địa chỉ chi tiết',
  ambiguous: 'Không xác định được duy nhất một xã/phường theo tên đã ghi (trùng tên hoặc sai chính tả tên huyện/xã); chỉ gửi mã tỉnh và địa chỉ chi tiết',
  unknownCommune: 'Không tìm thấy xã/phường theo tên đã ghi trong danh mục; chỉ gửi mã tỉnh và địa chỉ chi tiết',
  noCommune: 'Địa chỉ không ghi xã/phường; chỉ gửi mã tỉnh và địa chỉ chi tiết',
  noProvince: 'Không xác định được tỉnh/thành phố trong địa chỉ',
  untyped: 'Địa chỉ không ghi rõ cấp đơn vị (xã/phường/thị trấn, huyện) nên không xác định được xã/phường; chỉ gửi mã tỉnh và địa chỉ chi tiết',
  emptyAddress: 'Địa chỉ bị bỏ trống',
  expired: 'Mã đơn vị hành chính đã hết hiệu lực từ ngày 01/07/2025 nhưng hồ sơ được tiếp nhận sau ngày đó; cần ghi mã hiện hành',
  unknownCode: 'Mã tỉnh/xã không tồn tại trong danh mục đơn vị hành chính của thời kỳ tiếp nhận',
  badProvinceMap: 'Không xác định được tỉnh hiện hành tương ứng với mã tỉnh cũ',
} as const;

type Warning = { code: AddressIssueCode; reason: string };
const ok = (maTinh: string, maXa: string | undefined, chiTiet: string | undefined, warnings: Warning[] = []): AddressResult => ({
  ok: true,
  diaChi: { maTinh, ...(maXa ? { maXa } : {}), ...(chiTiet ? { chiTiet } : {}) },
  warnings,
});
const fail = (code: AddressIssueCode, reason: string): AddressResult => ({ ok: false, code, reason });

/** Follow an old commune to the current one: full → {maTinh, maXa}; split → undefined. */
function forward(cat: Catalogues, maMoi: readonly { ma: string; loai: string }[]): { maTinh: string; maXa: string } | undefined {
  if (maMoi.length !== 1 || maMoi[0]!.loai !== 'TOAN_BO') return undefined;
  const x = cat.byCode('xa', maMoi[0]!.ma);
  return x?.maTinh ? { maTinh: x.maTinh, maXa: x.ma } : undefined;
}

/**
 * Resolve a free-text address written in `era` to current codes. The detail part (village,
 * street) goes to chiTiet; when only the province can be sent, chiTiet is the whole text.
 */
export function resolveAddressText(text: string, era: Era, cat: Catalogues): AddressResult {
  const whole = cleanText(typeof text === 'string' ? text : '');
  if (!whole) return fail('TINH_KHONG_XAC_DINH', R.emptyAddress);
  const p = parseClean(whole);
  const idx = indexOf(cat);
  if (!p.province) return untypedProvinceOnly(idx, whole);
  const oldStyle = era === 'truoc-2025' || p.district !== undefined || p.communeType === 'thị trấn';
  // The administrative parts repeat across addresses (only the detail differs): memoised per index.
  const memoKey = [oldStyle ? 1 : 0, p.province, p.provinceType, p.district, p.districtType, p.commune, p.communeType].join('\u0001');
  let o = idx.outcomeMemo.get(memoKey);
  if (!o) {
    o = resolveParts(idx, cat, p, oldStyle);
    if (idx.outcomeMemo.size > 20_000) idx.outcomeMemo.clear();
    idx.outcomeMemo.set(memoKey, o);
  }
  switch (o.kind) {
    case 'commune':
      return ok(o.maTinh, o.maXa, p.detail || undefined); // parts of the cleaned text: already clean
    case 'split':
      return ok(o.maTinh, undefined, whole, [{ code: 'XA_BI_CHIA_TACH', reason: R.split }]);
    case 'nocommune':
      return ok(o.maTinh, undefined, whole, [{ code: 'THIEU_XA', reason: R.noCommune }]);
    case 'ambiguous':
      return ok(o.maTinh, undefined, whole, [{ code: 'XA_KHONG_XAC_DINH', reason: R.ambiguous }]);
    case 'unknown':
      return ok(o.maTinh, undefined, whole, [{ code: 'XA_KHONG_XAC_DINH', reason: R.unknownCommune }]);
    default:
      return fail('TINH_KHONG_XAC_DINH', o.kind === 'noprovince' ? R.noProvince : R.badProvinceMap);
  }
}

/**
 * No unit type is written anywhere ("Nà Tăm, Tam Đường, Lai Châu"): the parts are not guessed.
 * If the last part is exactly a province name, send that province with the whole text and a
 * warning; otherwise the province is unknown.
 */
function untypedProvinceOnly(idx: Index, whole: string): AddressResult {
  const parts = whole.split(/\s*[,;]\s*/).filter(Boolean);
  const last = parts[parts.length - 1];
  if (!last) return fail('TINH_KHONG_XAC_DINH', R.noProvince);
  const key = nameKey(last);
  const exact = (list: Province[]) => list.filter((q) => q.key === key);
  const cur = exact(idx.newProvinces);
  const old = exact(idx.oldProvinces);
  const maTinh = cur.length === 1 ? cur[0]!.ma : old.length === 1 ? old[0]!.newMa : '';
  if (!maTinh) return fail('TINH_KHONG_XAC_DINH', R.noProvince);
  if (parts.length === 1) return ok(maTinh, undefined, whole, [{ code: 'THIEU_XA', reason: R.noCommune }]);
  return ok(maTinh, undefined, whole, [{ code: 'XA_KHONG_XAC_DINH', reason: R.untyped }]);
}

type Outcome =
  | { kind: 'commune'; maTinh: string; maXa: string }
  | { kind: 'split' | 'nocommune' | 'ambiguous' | 'unknown'; maTinh: string }
  | { kind: 'noprovince' | 'nomapping' };

function resolveParts(idx: Index, cat: Catalogues, p: ParsedAddress, oldStyle: boolean): Outcome {
  const { old: oldProv, cur: newProvDirect } = matchProvinces(idx, p.province ?? '');
  // A province named in old terms ("tỉnh Kon Tum") still tells the current province.
  const newProvCode = newProvDirect?.ma ?? (oldProv?.newMa || undefined);
  if (!oldProv && !newProvCode) return { kind: 'noprovince' };
  const maTinh = (oldStyle && oldProv?.newMa ? oldProv.newMa : newProvCode ?? oldProv?.newMa) || '';
  if (!maTinh) return { kind: 'nomapping' };

  // Typo tolerance only in the era the text is read in first; the other era is a fallback for exact names.
  const tryOld = (): Outcome | 'none' | 'ambiguous' | 'nocommune' => {
    if (!oldProv) return 'none';
    const a = matchOld(idx.oldByProvince.get(oldProv.ma), p, oldStyle);
    if (a.kind !== 'found') return a.kind;
    const f = forward(cat, a.unit.maMoi);
    if (f) return { kind: 'commune', ...f };
    return { kind: 'split', maTinh: oldProv.newMa || maTinh };
  };
  const tryNew = (): Outcome | 'none' | 'ambiguous' | 'nocommune' => {
    if (!newProvCode) return 'none';
    const a = matchNew(idx.newByProvince.get(newProvCode), p, !oldStyle);
    if (a.kind !== 'found') return a.kind;
    return { kind: 'commune', maTinh: a.unit.maTinh, maXa: a.unit.ma };
  };
  for (const attempt of oldStyle ? [tryOld, tryNew] : [tryNew, tryOld]) {
    const r = attempt();
    if (typeof r === 'object') return r;
    if (r === 'nocommune') return { kind: 'nocommune', maTinh };
    // Candidates exist in this era but none can be chosen: do not look for a namesake elsewhere.
    if (r === 'ambiguous') return { kind: 'ambiguous', maTinh };
  }
  return { kind: 'unknown', maTinh };
}

/**
 * Resolve administrative codes written in `era`. Pre-2025 codes are converted (a split commune
 * gives the province only, with the old unit names appended to chiTiet so the place is not lost);
 * current-era codes must be current: an old pair is MA_HET_HIEU_LUC, never silently converted.
 */
export function resolveAddressCodes(
  codes: { maTinh: string; maXa?: string; chiTiet?: string },
  era: Era,
  cat: Catalogues,
): AddressResult {
  const maTinh = typeof codes?.maTinh === 'string' ? codes.maTinh.trim() : '';
  const maXa = typeof codes?.maXa === 'string' && codes.maXa.trim() ? codes.maXa.trim() : undefined;
  const chiTiet = typeof codes?.chiTiet === 'string' ? cleanText(codes.chiTiet) || undefined : undefined;
  if (!maTinh) return fail('MA_KHONG_TON_TAI', R.unknownCode);

  const oldTinh = cat.byCode('tinh-truoc-2025', maTinh);
  const oldXa = maXa ? cat.byCode('xa-truoc-2025', maXa) : undefined;
  const validOld = !!oldTinh && (maXa === undefined || oldXa?.maTinh === maTinh);

  if (era === 'hien-hanh') {
    const tinh = cat.byCode('tinh', maTinh);
    if (tinh) {
      if (maXa === undefined) return ok(maTinh, undefined, chiTiet, [{ code: 'THIEU_XA', reason: R.noCommune }]);
      const xa = cat.byCode('xa', maXa);
      if (xa && xa.maTinh === maTinh) return ok(maTinh, maXa, chiTiet);
    }
    if (validOld) return fail('MA_HET_HIEU_LUC', R.expired);
    return fail('MA_KHONG_TON_TAI', R.unknownCode);
  }

  if (!validOld || !oldTinh) return fail('MA_KHONG_TON_TAI', R.unknownCode);
  const newTinh = oldTinh.maMoi?.[0]?.ma;
  if (!newTinh) return fail('TINH_KHONG_XAC_DINH', R.badProvinceMap);
  if (!oldXa) return ok(newTinh, undefined, chiTiet, [{ code: 'THIEU_XA', reason: R.noCommune }]);
  const f = forward(cat, oldXa.maMoi ?? []);
  if (f) return ok(f.maTinh, f.maXa, chiTiet);
  const place = [chiTiet, oldXa.ten, oldXa.tenHuyen, oldTinh.ten].filter(Boolean).join(', ');
  return ok(newTinh, undefined, place, [{ code: 'XA_BI_CHIA_TACH', reason: R.split }]);
}
