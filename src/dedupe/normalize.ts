/**
 * lk1 text normalisation (docs/linkage-lk1.md §2). Every connector must produce the
 * same tokens from the same text, so this file is deliberately small and literal:
 * foldKey (src/vn/text.ts) does the Vietnamese work (Telex/VNI leftovers, tone
 * placement, diacritics, đ→d, case, spaces); we then keep only [a-z0-9] runs.
 */
import { foldKey } from '../vn/text.js';

/** foldKey, then every run of characters outside [a-z0-9] becomes one space; trimmed. */
export function lk1Fold(s: string): string {
  return asciiRuns(foldKey(s));
}
/** The [a-z0-9] runs of a foldKey'd text, space-separated. */
const asciiRuns = (folded: string): string => folded.replace(/[^a-z0-9]+/g, ' ').trim();

export function lk1Tokens(s: string): string[] {
  return tokensOf(lk1Fold(s));
}
const tokensOf = (f: string): string[] => (f ? f.split(' ') : []);

/**
 * Regional surname variants folded to one class in keys (domain.md: "Hoàng↔Huỳnh and
 * Vũ↔Võ are regional variants"). Keys use the class; dacTrung keeps both the raw
 * folded surname and the class so the scorer can tell "same" from "variant".
 */
export const SURNAME_CLASS: Readonly<Record<string, string>> = Object.freeze({ huynh: 'hoang', vo: 'vu' });
export const surnameClass = (folded: string): string => SURNAME_CLASS[folded] ?? folded;

export interface NameParts {
  /** folded surname as written (first token) */
  surname: string;
  /** surname class (Hoàng/Huỳnh → hoang, Vũ/Võ → vu) */
  surnameClass: string;
  /** folded middle names, space-joined ('' when none) */
  middle: string;
  /** folded given name (last token) */
  given: string;
}

/** Split a full name: first token = surname, last = given, the rest = middle. One token → given only. */
export function nameParts(hoTen: string): NameParts | undefined {
  const t = lk1Tokens(hoTen);
  if (t.length === 0) return undefined;
  if (t.length === 1) return { surname: '', surnameClass: '', middle: '', given: t[0]! };
  const surname = t[0]!;
  return { surname, surnameClass: surnameClass(surname), middle: t.slice(1, -1).join(' '), given: t[t.length - 1]! };
}

/**
 * Petition boilerplate removed before shingling (multi-word phrases, folded). These
 * are the formulas every đơn repeats; they say nothing about the matter. Longest
 * phrases are matched first. Changing this list changes lk1 — it is part of the spec.
 */
export const BOILERPLATE_PHRASES: readonly string[] = Object.freeze([
  'co quan co tham quyen', 'co quan chuc nang', 'cac co quan chuc nang', 'cac cap chinh quyen', 'uy ban nhan dan',
  'gia dinh toi', 'gia dinh chung toi', 'toi ten la', 'kinh gui', 'kinh de nghi', 'kinh mong', 'de nghi', 'kiem tra',
  'giai quyet', 'xem xet', 'xu ly', 'theo quy dinh', 'theo quy dinh cua phap luat', 'quy dinh', 'dam bao quyen loi',
  'quyen loi hop phap', 'can thiep', 'cong dan', 'trinh bay', 'phan anh', 'khieu nai', 'kien nghi', 'to cao', 'thuc hien',
  'lien quan', 'chua duoc', 'tiep tuc', 'den nay', 'hien nay', 'nhieu lan', 'tham quyen', 'chuyen don', 'don thu', 'gia dinh',
  'chung toi', 'ho dan', 'nguoi dan', 'dia ban', 'tren dia ban', 'trong thoi gian', 'thoi gian',
]);

/** Single-token function words and forms of address (folded). Part of the lk1 spec. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'va', 'cua', 'la', 'cac', 'nhung', 'cho', 'voi', 'da', 'duoc', 'bi', 'tai', 'o', 'den', 'tu', 'trong', 'nay', 'do', 'khi',
  'thi', 'ma', 'de', 'co', 'khong', 'chua', 've', 'theo', 'nhu', 'mot', 'ra', 'vao', 'len', 'tren', 'duoi', 'sau', 'truoc',
  'nen', 'vi', 'neu', 'hay', 'hoac', 'cung', 'rat', 'se', 'ong', 'ba', 'toi', 'chung', 'nguoi', 'viec', 'nao', 'nhieu', 'it',
  'roi', 'phai', 'xin', 'kinh', 'gui', 'sao', 'gi', 'ay', 'kia', 'a', 'oi', 'vay', 'ngay', 'thang', 'nam', 'nua', 'nham', 'tuy',
]);

/** Phrases by first word, longest first. */
const PHRASES_BY_FIRST = new Map<string, string[][]>();
for (const p of [...BOILERPLATE_PHRASES].map((x) => x.split(' ')).sort((a, b) => b.length - a.length)) {
  const l = PHRASES_BY_FIRST.get(p[0]!) ?? [];
  l.push(p);
  PHRASES_BY_FIRST.set(p[0]!, l);
}

/** Meaning-bearing tokens of a petition text: folded, boilerplate phrases and stop words removed, in order. */
export function contentTokens(text: string): string[] {
  return contentTokensOf(lk1Tokens(text));
}
function contentTokensOf(t: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  outer: while (i < t.length) {
    for (const p of PHRASES_BY_FIRST.get(t[i]!) ?? []) {
      if (p.length <= t.length - i && p.every((w, k) => t[i + k] === w)) {
        i += p.length;
        continue outer;
      }
    }
    const w = t[i]!;
    if (!STOP_WORDS.has(w)) out.push(w);
    i++;
  }
  return out;
}

/** Shingles: every token and every pair of consecutive tokens ("a b"), deduplicated. */
export function contentShingles(text: string): string[] {
  return shinglesOf(contentTokens(text));
}
function shinglesOf(t: string[]): string[] {
  const s = new Set<string>(t);
  for (let i = 0; i + 1 < t.length; i++) s.add(`${t[i]} ${t[i + 1]}`);
  return [...s];
}

/**
 * Numbers of a petition text (decision and case numbers, plot numbers, areas, months,
 * years): runs of digits joined by . , / or - in the foldKey'd text, with '.' written as ','
 * ("1.2" = "1,2"), deduplicated. A re-typed copy keeps the facts, so it keeps most of them.
 */
export function contentNumbers(text: string): string[] {
  return numbersOf(foldKey(text));
}
function numbersOf(folded: string): string[] {
  const m = folded.match(/\d+(?:[.,/-]\d+)*/g) ?? [];
  return [...new Set(m.map((x) => x.replace(/\./g, ',')))];
}

/** contentShingles and contentNumbers of one text, with foldKey (the costly part) run once. */
export function contentFeatures(text: string): { shingles: string[]; numbers: string[] } {
  const folded = foldKey(text);
  return { shingles: shinglesOf(contentTokensOf(tokensOf(asciiRuns(folded)))), numbers: numbersOf(folded) };
}
