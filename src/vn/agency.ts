/**
 * Agency names → `don-vi` codes. Local systems name the receiving / forwarding body as text
 * ("UBND tỉnh Lai Châu", "Sở NN&MT tỉnh Lai Châu"). A wrong agency is worse than an unresolved
 * one (the đơn would be forwarded to the wrong body — the very problem KL 107 names), so:
 * an exact folded match after expanding abbreviations, else a token match that only tolerates
 * an omitted "tỉnh" and small typos in long words; everything else is unresolved, with the
 * closest names as a hint for the officer.
 */
import type { Catalogues } from '../../mappers/types.js';
import { foldKey } from './text.js';

export type AgencyMatch =
  | { ok: true; ma: string }
  | { ok: false; code: 'DON_VI_KHONG_XAC_DINH' | 'DON_VI_MO_HO'; candidates: { ma: string; ten: string; score: number }[] };

/** Abbreviations, applied to folded text (lower case, no diacritics). Order matters. */
const EXPANSIONS: [RegExp, string][] = [
  [/\bu\.?\s?b\.?\s?n\.?\s?d\b\.?/g, ' uy ban nhan dan '],
  [/\bh\.?\s?d\.?\s?n\.?\s?d\b\.?/g, ' hoi dong nhan dan '],
  [/\bdbqh\b/g, ' dai bieu quoc hoi '],
  [/\bdoan\s+dbqh\b/g, ' doan dai bieu quoc hoi '],
  [/\bmttq\b/g, ' mat tran to quoc '],
  [/\bbtcd\b/g, ' ban tiep cong dan '],
  [/\bttcp\b/g, ' thanh tra chinh phu '],
  [/\bnn\s*(?:&|va|-|\/)?\s*mt\b/g, ' nong nghiep va moi truong '],
  [/\bnn\s*(?:&|va|-|\/)?\s*ptnt\b/g, ' nong nghiep va phat trien nong thon '],
  [/\btn\s*(?:&|va|-|\/)?\s*mt\b/g, ' tai nguyen va moi truong '],
  [/\bgd\s*(?:&|va|-|\/)?\s*dt\b/g, ' giao duc va dao tao '],
  [/\bkh\s*(?:&|va|-|\/)?\s*dt\b/g, ' ke hoach va dau tu '],
  [/\bkh\s*(?:&|va|-|\/)?\s*cn\b/g, ' khoa hoc va cong nghe '],
  [/\btt\s*(?:&|va|-|\/)\s*tt\b/g, ' thong tin va truyen thong '],
  [/\bld\s*-?\s*tb\s*(?:&|va|-|\/)?\s*xh\b/g, ' lao dong thuong binh va xa hoi '],
  [/\bvh\s*,?\s*tt\s*(?:&|va|-|\/)?\s*dl\b/g, ' van hoa the thao va du lich '],
  [/\bgtvt\b/g, ' giao thong van tai '],
  [/\bvpdkdd\b/g, ' van phong dang ky dat dai '],
  [/\btp\b\.?/g, ' thanh pho '],
  [/\btx\b\.?/g, ' thi xa '],
  [/&/g, ' va '],
];
const DROP = new Set(['va', 'cua']);
/** Tokens a writer may omit without naming another body. */
const OMITTABLE = new Set(['tinh']);

function tokens(name: string): string[] {
  let t = ` ${foldKey(name)} `;
  for (const [re, rep] of EXPANSIONS) t = t.replace(re, rep);
  return t
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w && !DROP.has(w));
}

function near(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.min(a.length, b.length) < 5 || Math.abs(a.length - b.length) > 1) return false;
  // one edit (substitution, insertion, deletion) or one adjacent swap
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  return s.slice(i) === l.slice(i + 1);
}

interface Entry {
  ma: string;
  ten: string;
  key: string;
  toks: string[];
}
const indexes = new WeakMap<Catalogues, Entry[]>();
function entries(cat: Catalogues): Entry[] {
  let e = indexes.get(cat);
  if (!e) {
    e = cat
      .get('don-vi')
      .filter((i) => i.conHieuLuc !== false)
      .map((i) => {
        const toks = tokens(i.ten);
        return { ma: i.ma, ten: i.ten, key: toks.join(' '), toks };
      });
    indexes.set(cat, e);
  }
  return e;
}

/** Unmatched tokens of `a` against `b` (each token of b used once, near spellings allowed). */
function unmatched(a: string[], b: string[]): string[] {
  const pool = [...b];
  const out: string[] = [];
  for (const w of a) {
    let k = pool.indexOf(w);
    if (k === -1) k = pool.findIndex((x) => near(x, w));
    if (k === -1) out.push(w);
    else pool.splice(k, 1);
  }
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Resolve an agency name against the `don-vi` catalogue. Exact (folded, abbreviations expanded)
 * first; then a candidate is accepted only if every word of the name is in it and it lacks at
 * most an omitted "tỉnh" (small typos in words of 5+ letters allowed). Two acceptable
 * candidates, or a vague name contained in several (or two near-equal best scores) →
 * DON_VI_MO_HO; otherwise DON_VI_KHONG_XAC_DINH with the 3 closest names.
 */
export function matchAgency(name: string, cat: Catalogues): AgencyMatch {
  if (typeof name !== 'string') return { ok: false, code: 'DON_VI_KHONG_XAC_DINH', candidates: [] };
  let m = memos.get(cat);
  if (!m) memos.set(cat, (m = new Map()));
  let r = m.get(name);
  if (!r) {
    r = match(name, entries(cat));
    if (m.size > 5_000) m.clear();
    m.set(name, r);
  }
  // a copy, so a caller that edits the answer cannot change the next one
  return r.ok ? { ...r } : { ...r, candidates: r.candidates.map((c) => ({ ...c })) };
}

const memos = new WeakMap<Catalogues, Map<string, AgencyMatch>>();

function match(name: string, list: Entry[]): AgencyMatch {
  const toks = tokens(name);
  if (toks.length === 0) return { ok: false, code: 'DON_VI_KHONG_XAC_DINH', candidates: [] };
  const key = toks.join(' ');
  const exact = list.filter((e) => e.key === key);
  if (exact.length === 1) return { ok: true, ma: exact[0]!.ma };
  if (exact.length > 1) {
    return { ok: false, code: 'DON_VI_MO_HO', candidates: exact.map((e) => ({ ma: e.ma, ten: e.ten, score: 1 })) };
  }
  const scored = list.map((e) => {
    const extra = unmatched(toks, e.toks);
    const missing = unmatched(e.toks, toks);
    const common = toks.length - extra.length;
    const score = (2 * common) / (toks.length + e.toks.length);
    const fits = extra.length === 0; // every word of the name is in this body's name
    const acceptable = fits && missing.every((w) => OMITTABLE.has(w));
    return { e, score, fits, acceptable };
  });
  scored.sort((a, b) => b.score - a.score || a.e.ma.localeCompare(b.e.ma));
  const good = scored.filter((s) => s.acceptable);
  const view = (s: (typeof scored)[number]) => ({ ma: s.e.ma, ten: s.e.ten, score: round(s.score) });
  if (good.length === 1) return { ok: true, ma: good[0]!.e.ma };
  if (good.length > 1) return { ok: false, code: 'DON_VI_MO_HO', candidates: good.slice(0, 3).map(view) };
  // A vague name that fits several bodies ("Thanh tra") is ambiguous, not unknown.
  const fitting = scored.filter((s) => s.fits);
  if (fitting.length > 1) return { ok: false, code: 'DON_VI_MO_HO', candidates: fitting.slice(0, 3).map(view) };
  const [a, b] = scored;
  if (a && b && a.score >= 0.75 && a.score - b.score < 0.05) {
    return { ok: false, code: 'DON_VI_MO_HO', candidates: scored.slice(0, 3).map(view) };
  }
  return { ok: false, code: 'DON_VI_KHONG_XAC_DINH', candidates: scored.filter((s) => s.score > 0).slice(0, 3).map(view) };
}
