/**
 * Vietnamese text: what is sent (cleanText) and how text is compared (normalizeTone, foldKey).
 *
 * Text that is *sent* is never "corrected": a name is a legal identity. cleanText only
 * normalises the encoding (NFC), removes control characters and collapses whitespace.
 * Matching keys (foldKey) are a different thing: they may decode typing leftovers and
 * drop diacritics, because they are only ever compared, never sent.
 */

const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']); // huyền, sắc, ngã, hỏi, nặng
const VOWEL_MARKS = new Set(['\u0302', '\u0306', '\u031B']); // mũ (â ê ô), trăng (ă), móc (ơ ư)
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

// eslint-disable-next-line no-control-regex
const ALREADY_CLEAN = /^(?! )(?!.* $)(?!.*  )[^\u0000-\u001F\u007F-\u009F\uFEFF\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]*$/;
const SPACES = /[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;
/**
 * Something cleanText would change: a unit other than printable ASCII, U+00A1–U+02FF and
 * U+1E00–U+1EFF (the precomposed Vietnamese letters), two spaces in a row, or a space at either
 * end. Text without any has no control character, BOM or special space to remove, nothing to
 * collapse or trim, and is NFC as it stands (no unit of these ranges composes with a neighbour or
 * changes under NFC). One regex: a separate indexOf('  ') cost more than the scan itself.
 */
const NOT_CLEAN = /[^\u0020-\u007e\u00a1-\u02ff\u1e00-\u1eff]|  |^ | $/;

/**
 * Text to be sent (contract §1): NFC; control characters (Unicode Cc) removed — tabs and line
 * breaks become spaces, or with `multiline` line breaks are kept as `\n` (CR LF / CR → LF);
 * a BOM removed; runs of spaces collapsed to one; trimmed. Nothing else changes (case, tone
 * placement, spelling, blank lines are kept). Non-strings give ''.
 */
export function cleanText(s: string, opts: { multiline?: boolean } = {}): string {
  if (typeof s !== 'string') return '';
  // fastest path, most text: plain units, single inner spaces, no space at either end → s itself
  if (!NOT_CLEAN.test(s)) return s;
  if (ALREADY_CLEAN.test(s)) return s.normalize('NFC'); // fast path: nothing to strip or collapse
  let t = s.normalize('NFC').replace(/\uFEFF/g, '');
  if (opts?.multiline) {
    t = t.replace(/\r\n?/g, '\n');
    // eslint-disable-next-line no-control-regex
    t = t.replace(/[\t\v\f\u0085]/g, ' ').replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, '');
  } else {
    // eslint-disable-next-line no-control-regex
    t = t.replace(/[\t\n\v\f\r\u0085]/g, ' ').replace(/[\u0000-\u001F\u007F-\u009F]/g, '');
  }
  return t.replace(SPACES, ' ').trim();
}

interface Letter {
  base: string; // the base character, case kept
  marks: string[]; // non-tone combining marks
}

/** Position of the tone in a syllable in the chosen style (hòa, khỏe, thủy, quý, hoàng, huỳnh). -1 = leave alone. */
function tonePosition(letters: Letter[]): number {
  const lower = letters.map((l) => l.base.toLowerCase());
  const isVowel = (i: number) => VOWELS.has(lower[i] ?? '');
  // The vowel nucleus: the single run of vowels (a word with two vowel runs is not one syllable).
  let start = -1;
  let end = -1;
  for (let i = 0; i < letters.length; i++) {
    if (isVowel(i)) {
      if (start === -1) start = i;
      else if (end !== i - 1) return -1;
      end = i;
    }
  }
  if (start === -1) return -1;
  // "qu" and "gi" (followed by another vowel): the u / i belong to the initial consonant.
  if (start > 0 && end > start) {
    const prev = lower[start - 1];
    if ((prev === 'q' && lower[start] === 'u') || (prev === 'g' && lower[start] === 'i')) start++;
  }
  const hasFinal = end < letters.length - 1;
  // A vowel carrying its own mark (â ă ê ô ơ ư) takes the tone; in ươ the second one.
  let marked = -1;
  for (let i = start; i <= end; i++) if (letters[i]!.marks.some((m) => VOWEL_MARKS.has(m))) marked = i;
  if (marked !== -1) return marked;
  const n = end - start + 1;
  if (n === 1) return start;
  if (hasFinal) return end; // hoàng, toán, huỳnh
  if (n === 3) return start + 1; // ngoài, khuya, khuỷu
  // Open two-vowel syllable: the first vowel — including oa, oe, uy (hòa, khỏe, thủy, Thúy),
  // the style this project settled on; "hoà", "khoẻ", "thuỷ" are moved to it.
  return start; // mùa, tài, cáo, túi, hòa
}

const HAS_TONE = /[\u0300\u0301\u0303\u0309\u0323]/;
const isMark = (ch: string) => {
  const c = ch.charCodeAt(0);
  return (c >= 0x0300 && c <= 0x036f) || (ch.length === 1 && /\p{M}/u.test(ch));
};

function retoneWord(word: string): string {
  const d = word.normalize('NFD');
  if (!HAS_TONE.test(d)) return word;
  const letters: Letter[] = [];
  let tone = '';
  let tones = 0;
  for (const ch of d) {
    if (isMark(ch)) {
      if (TONE_MARKS.has(ch)) {
        tone = ch;
        tones++;
      } else if (letters.length) letters[letters.length - 1]!.marks.push(ch);
      else return word;
    } else letters.push({ base: ch, marks: [] });
  }
  if (tones !== 1) return word;
  const pos = tonePosition(letters);
  if (pos === -1) return word;
  return letters
    .map((l, i) => l.base + l.marks.join('') + (i === pos ? tone : ''))
    .join('')
    .normalize('NFC');
}

/**
 * NFC and one tone-placement style (tone on the main vowel, as in the contract's examples): "hoà" → "hòa",
 * "thuỷ" → "thủy", "khoẻ" → "khỏe", "Thuý" → "Thúy"; "Hoàng", "Quý", "Huỳnh" unchanged. Case kept.
 * Only the tone mark moves; words that are not one Vietnamese syllable are left as they are.
 */
export function normalizeTone(s: string): string {
  if (typeof s !== 'string') return '';
  return s.normalize('NFC').replace(/[\p{L}\p{M}]+/gu, retoneWord);
}

// ---------- Telex / VNI leftovers (for matching keys only) ----------

const INITIALS = '(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnpqrstvx])?';
const NUCLEI = [
  'a', 'e', 'i', 'o', 'u', 'y',
  'ai', 'ao', 'au', 'ay', 'eo', 'eu', 'ia', 'ie', 'iu', 'oa', 'oe', 'oi', 'oo', 'ua', 'ue', 'ui', 'uo', 'uu', 'uy', 'ye',
  'ieu', 'oai', 'oay', 'oeo', 'uoi', 'uou', 'uya', 'uye', 'uyu', 'yeu',
].sort((a, b) => b.length - a.length);
const FINALS = '(?:ch|ng|nh|c|m|n|p|t)?';
const SYLLABLE = new RegExp(`^${INITIALS}(?:${NUCLEI.join('|')})${FINALS}$`);

/** Whether an unaccented lower-case ASCII string is a possible Vietnamese syllable. */
export function isPlausibleSyllable(s: string): boolean {
  return SYLLABLE.test(s) || /^gi(?:ch|ng|nh|c|m|n|p|t)?$/.test(s); // gì, gìn
}

/**
 * Decode one ASCII word typed with the Vietnamese keyboard switched off (Telex or VNI), to its
 * unaccented base letters. Only when the result is a plausible syllable and the word really
 * carries a marker; ordinary unaccented words ("Toan", "Minh", "Sung") are returned unchanged.
 */
function decodeLeftovers(word: string): string {
  const w = word.toLowerCase();
  // VNI: tone/vowel digits inside a word ("Nguye6n4", "d9ang").
  if (/^[a-z][a-z1-9]*$/.test(w) && /[1-9]/.test(w) && /[a-z].*[a-z]/.test(w) && /[a-z][1-9]/.test(w)) {
    const base = w.replace(/[1-9]/g, '');
    if (isPlausibleSyllable(base)) return base;
    return w;
  }
  if (!/^[a-z]+$/.test(w)) return w;
  let stem = w;
  let toneLetter = false;
  // s f r x j are never Vietnamese finals: at the end of a word they can only be Telex tones.
  if (w.length > 1 && /[sfrxj]$/.test(w)) {
    stem = w.slice(0, -1);
    toneLetter = true;
  }
  const strongMarker = /aa|ee|^dd|w/.test(stem);
  let base = stem.replace(/^dd/, 'd').replace(/aa/g, 'a').replace(/ee/g, 'e');
  // "oo" is native in "xoong", "boong", "Moong", "soóc": decode only with other evidence.
  if (/oo/.test(base) && (strongMarker || toneLetter || !/oo(?:ng|c)$/.test(base))) base = base.replace(/oo/g, 'o');
  base = base.replace(/uow/g, 'uo').replace(/([aou])w/g, '$1').replace(/w/g, 'u');
  if (base === w) return w;
  if (!toneLetter && base === stem) return w;
  return isPlausibleSyllable(base) ? base : w;
}

/**
 * Matching key: NFC, Telex/VNI leftovers decoded ("Nguyeenx" ~ "Nguyễn"), all diacritics
 * removed (so every tone-placement style gives the same key), đ → d, lower case, single spaces.
 * Punctuation is kept. Never sent anywhere.
 */
export function foldKey(s: string): string {
  if (typeof s !== 'string') return '';
  // Decoding only looks at words that are pure ASCII as typed: an accented word is already
  // typed with a working keyboard, and native words never hold aa/ee/dd/w or a final s f r x j.
  return cleanText(s)
    .normalize('NFD')
    .replace(/[\p{L}\p{M}\d]+/gu, (word) => {
      if (/^[A-Za-z][A-Za-z0-9]*$/.test(word)) return decodeLeftovers(word);
      return word.replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
    })
    .replace(/ +/g, ' ')
    .trim();
}
