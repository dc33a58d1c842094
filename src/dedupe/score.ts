/**
 * Explainable Fellegi–Sunter scoring of a candidate pair from lk1 features on both
 * sides (never raw identity, so masked tố cáo / anonymous candidates score the same way).
 *
 * For each comparison the pair falls into one agreement level; the level's weight is
 * log2(m/u), where m = P(level | same person and matter) and u = P(level | different),
 * both among *candidate* pairs (pairs that already share an lk1 key — so u of "same
 * name" is much higher than in the whole population). Weights are summed into the match
 * weight W; P(match) = 1 / (1 + 2^-(W + PRIOR_LOG2_ODDS)). Levels whose m = u (a value
 * missing on one side) weigh 0 and say so.
 *
 * The m/u values were set from the domain (domain.md) and then checked against the
 * labelled generator (bench/suites/dedupe.bench.ts): they are estimates, written down
 * so that an officer can see why a pair was linked.
 */
import { MH_PERMS, estimateJaccard, preparedOf, signatureOf, type Lk1Features, type PersonFeatures } from './features.js';

export type Comparison = 'ID' | 'DIEN_THOAI' | 'HO_TEN' | 'NAM_SINH' | 'DIA_BAN' | 'DOI_TUONG' | 'NOI_DUNG' | 'SO_LIEU' | 'NGAY_NHAN' | 'LOAI_DON' | 'LINH_VUC';

interface Level {
  m: number;
  u: number;
  /** Vietnamese reason; `{w}` = signed weight, `{x}` = a non-personal number (%, days). Never a personal value. */
  text: string;
}

/** The m/u table. Comments say why each value is what it is. */
export const MU: Record<Comparison, Record<string, Level>> = {
  ID: {
    // Same CCCD/CMND/passport number: practically only the same person (the person block is capped, see PERSON_CAP).
    agree: { m: 0.35, u: 0.0003, text: 'Số định danh trùng khớp ({w})' },
    // Both have the same kind of document with different numbers: a different person, unless a typo.
    disagree: { m: 0.005, u: 0.3, text: 'Số giấy tờ cùng loại nhưng khác nhau ({w})' },
    missing: { m: 1, u: 1, text: 'Không so được số định danh (thiếu ở một bên hoặc khác loại giấy tờ) ({w})' },
  },
  DIEN_THOAI: {
    // Same phone: the same person or household.
    agree: { m: 0.3, u: 0.002, text: 'Số điện thoại trùng khớp ({w})' },
    // Different phones are common for one person (several numbers, changes): weak evidence.
    disagree: { m: 0.3, u: 0.6, text: 'Số điện thoại khác nhau ({w})' },
    missing: { m: 1, u: 1, text: 'Thiếu số điện thoại ở một bên ({w})' },
  },
  HO_TEN: {
    exact: { m: 0.8, u: 0.03, text: 'Họ tên trùng khớp ({w})' },
    // Middle name dropped or changed by the other agency ("Sùng Toàn" / "Sùng Văn Toàn").
    noMiddle: { m: 0.1, u: 0.01, text: 'Họ tên trùng khi bỏ tên đệm ({w})' },
    // Hoàng↔Huỳnh, Vũ↔Võ: regional spellings of one surname.
    variant: { m: 0.05, u: 0.003, text: 'Họ là biến thể vùng miền, tên trùng ({w})' },
    givenOnly: { m: 0.02, u: 0.06, text: 'Chỉ trùng tên, khác họ ({w})' },
    disagree: { m: 0.03, u: 0.9, text: 'Họ tên khác nhau ({w})' },
    // One đơn anonymous, the other signed: a citizen rarely re-sends a signed đơn anonymously (or the reverse),
    // while look-alike petitions of one kind often pair an anonymous one with a signed one.
    oneSided: { m: 0.05, u: 0.3, text: 'Một đơn nặc danh hoặc bảo mật không có người đứng đơn, đơn kia có ({w})' },
    missing: { m: 1, u: 1, text: 'Không so được họ tên (cả hai đơn không có người đứng đơn) ({w})' },
  },
  NAM_SINH: {
    same: { m: 0.9, u: 0.06, text: 'Năm sinh trùng ({w})' },
    // Typing errors and "tuổi ta" (lunar age) give ±1.
    near: { m: 0.07, u: 0.1, text: 'Năm sinh lệch 1 năm ({w})' },
    different: { m: 0.005, u: 0.84, text: 'Năm sinh khác nhau ({w})' },
    missing: { m: 1, u: 1, text: 'Thiếu năm sinh ở một bên ({w})' },
  },
  DIA_BAN: {
    commune: { m: 0.7, u: 0.15, text: 'Cùng xã/phường cư trú ({w})' },
    // Old vs new address (merger), a commune that could not be resolved, a move within the province.
    province: { m: 0.27, u: 0.45, text: 'Cùng tỉnh, khác hoặc thiếu xã/phường ({w})' },
    different: { m: 0.03, u: 0.4, text: 'Khác tỉnh cư trú ({w})' },
    missing: { m: 1, u: 1, text: 'Không so được địa bàn cư trú ({w})' },
  },
  DOI_TUONG: {
    agree: { m: 0.6, u: 0.08, text: 'Đối tượng bị khiếu nại, tố cáo trùng ({w})' },
    disagree: { m: 0.15, u: 0.5, text: 'Đối tượng bị khiếu nại, tố cáo khác nhau ({w})' },
    missing: { m: 1, u: 1, text: 'Thiếu đối tượng bị khiếu nại, tố cáo ở một bên ({w})' },
  },
  NOI_DUNG: {
    // Estimated Jaccard of meaning-bearing word shingles (MinHash, 128 permutations).
    // Re-typed copies of one đơn measure J ≈ 0.2–0.5 (samples G1–G5); unrelated đơn < 0.2.
    high: { m: 0.2, u: 0.002, text: 'Nội dung tương tự ~{x} % ({w})' },
    medium: { m: 0.3, u: 0.012, text: 'Nội dung tương tự ~{x} % ({w})' },
    low: { m: 0.4, u: 0.06, text: 'Nội dung tương tự một phần ~{x} % ({w})' },
    none: { m: 0.1, u: 0.926, text: 'Nội dung khác nhau (~{x} %) ({w})' },
    missing: { m: 1, u: 1, text: 'Không so được nội dung ({w})' },
  },
  SO_LIEU: {
    // Numbers in the text (decision/case/plot numbers, areas, dates): the facts of a matter.
    // Two đơn of one person about two matters of the same kind share words but not numbers.
    agree: { m: 0.55, u: 0.06, text: 'Các số liệu trong nội dung (số văn bản, diện tích, thời điểm) trùng nhau ({w})' },
    partial: { m: 0.3, u: 0.25, text: 'Một phần số liệu trong nội dung trùng nhau ({w})' },
    disagree: { m: 0.06, u: 0.6, text: 'Số liệu trong nội dung khác nhau ({w})' },
    missing: { m: 1, u: 1, text: 'Không so được số liệu trong nội dung ({w})' },
  },
  NGAY_NHAN: {
    // Re-sent or forwarded copies arrive within weeks.
    d30: { m: 0.55, u: 0.1, text: 'Ngày nhận đơn cách nhau {x} ngày ({w})' },
    d120: { m: 0.35, u: 0.25, text: 'Ngày nhận đơn cách nhau {x} ngày ({w})' },
    // Citizens re-petition months later when unanswered ("tiếp tục phản ánh", G5): not rare.
    more: { m: 0.2, u: 0.6, text: 'Ngày nhận đơn cách nhau {x} ngày ({w})' },
  },
  LOAI_DON: {
    same: { m: 0.65, u: 0.4, text: 'Cùng loại đơn ({w})' },
    // One agency's "khiếu nại" is another's "kiến nghị"; "nhiều nội dung" is compatible with all.
    compatible: { m: 0.32, u: 0.3, text: 'Loại đơn tương thích ({w})' },
    different: { m: 0.03, u: 0.3, text: 'Loại đơn khác nhau ({w})' },
  },
  LINH_VUC: {
    same: { m: 0.8, u: 0.3, text: 'Cùng lĩnh vực ({w})' },
    parent: { m: 0.15, u: 0.3, text: 'Cùng nhóm lĩnh vực ({w})' },
    different: { m: 0.05, u: 0.4, text: 'Khác lĩnh vực ({w})' },
    // KHAC.KHAC = "not classified" (so-tiep has no field column): says nothing.
    missing: { m: 1, u: 1, text: 'Chưa phân loại lĩnh vực ở một bên ({w})' },
  },
};

const WEIGHTS = new Map<string, number>();
for (const [c, levels] of Object.entries(MU)) for (const [l, v] of Object.entries(levels)) WEIGHTS.set(`${c}/${l}`, Math.log2(v.m / v.u));
/** log2(m/u) of a level. */
export const weightOf = (c: Comparison, level: string): number => {
  const w = WEIGHTS.get(`${c}/${level}`);
  if (w === undefined) throw new Error(`unknown level ${c}/${level}`);
  return w;
};

/**
 * Person block cap. ID, phone, name, birth year and place all describe the *person*;
 * they are strongly dependent (the same person's other petitions agree on all of them)
 * and a duplicate needs the same person AND the same matter. So the person block adds
 * at most PERSON_CAP (= an agreeing ID number alone); the rest must come from the matter
 * (content, accused party, dates, type, field). The cut is shown as its own line.
 */
export const PERSON_CAP = 10;

/** Prior odds that a candidate pair is a duplicate (≈ 1 in 500 candidate pairs). */
export const PRIOR_LOG2_ODDS = Math.log2(1 / 500);

export interface Thresholds {
  /** W ≥ high → TRUNG */
  high: number;
  /** low ≤ W < high → NGHI_TRUNG (+ local review item) */
  low: number;
}
export const DEFAULT_THRESHOLDS: Thresholds = { high: 19, low: 8.5 };

export interface Contribution {
  comparison: Comparison | 'GIOI_HAN_NGUOI';
  level: string;
  weight: number;
  /** Vietnamese, for officers; never contains a personal value. */
  reason: string;
}
export type Decision = 'TRUNG' | 'NGHI_TRUNG' | 'KHONG';
export interface ScoreResult {
  weight: number;
  probability: number;
  decision: Decision;
  contributions: Contribution[];
  /** estimated content similarity (0–1), when both sides have a signature */
  jaccard?: number;
}

const fmtW = (w: number): string => (w >= 0 ? `+${w.toFixed(1)}` : `−${Math.abs(w).toFixed(1)}`);

function contrib(c: Comparison, level: string, x?: number | string): Contribution {
  const w = weightOf(c, level);
  const text = MU[c][level]!.text.replace('{w}', fmtW(w)).replace('{x}', x === undefined ? '' : String(x));
  return { comparison: c, level, weight: Math.round(w * 100) / 100, reason: text };
}

const COMPATIBLE_TYPES = new Set(['KHIEU_NAI|KIEN_NGHI_PHAN_ANH', 'KIEN_NGHI_PHAN_ANH|KHIEU_NAI']);
function typeLevel(a: string, b: string): string {
  if (a === b) return 'same';
  if (a === 'NHIEU_NOI_DUNG' || b === 'NHIEU_NOI_DUNG' || COMPATIBLE_TYPES.has(`${a}|${b}`)) return 'compatible';
  return 'different';
}
function fieldLevel(a: string, b: string): string {
  if (a.startsWith('KHAC') || b.startsWith('KHAC')) return 'missing';
  if (a === b) return 'same';
  const pa = a.split('.')[0];
  const pb = b.split('.')[0];
  return pa && pa === pb ? 'parent' : 'different';
}

function nameLevel(a: PersonFeatures, b: PersonFeatures): string {
  if (a.ten !== b.ten) return 'disagree';
  if (!a.ho || !b.ho) return 'givenOnly';
  if (a.ho === b.ho) return a.dem === b.dem ? 'exact' : 'noMiddle';
  if (a.hc && a.hc === b.hc) return 'variant';
  return 'givenOnly';
}
function yearLevel(a: PersonFeatures, b: PersonFeatures): string {
  if (!a.ns || !b.ns) return 'missing';
  if (a.ns[1] === b.ns[1]) return 'same';
  if (a.ns[1] === b.ns[0] || a.ns[1] === b.ns[2]) return 'near';
  return 'different';
}
function placeLevel(a: PersonFeatures, b: PersonFeatures): string {
  if (!a.t || !b.t) return 'missing';
  if (a.t !== b.t) return 'different';
  return a.x && a.x === b.x ? 'commune' : 'province';
}
function idLevel(a: PersonFeatures, b: PersonFeatures): string {
  if (!a.id || !b.id) return 'missing';
  for (const x of a.id) for (const y of b.id) if (x.l === y.l) return x.h === y.h ? 'agree' : 'disagree';
  return 'missing';
}

function numbersLevel(a: string[] | undefined, b: string[] | undefined): string {
  if (!a?.length || !b?.length) return 'missing';
  const B = new Set(b);
  const inter = a.filter((x) => B.has(x)).length;
  if (inter === 0) return 'disagree';
  return inter >= Math.min(a.length, B.size) ? 'agree' : 'partial';
}

function daysBetween(a: string, b: string): number {
  return Math.round(Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000);
}

type LevelRow = [Comparison, string, (number | undefined)?];

/** Agreement level of every comparison (person-level ones for the best-matching pair of petitioners). */
function comparisonLevels(a: Lk1Features, b: Lk1Features): { rows: LevelRow[]; jaccard?: number } {
  const rows: LevelRow[] = [];
  // --- persons: any shared ID number wins; otherwise the best pair by person-level weight.
  const anyIdAgree = a.ng.some((p) => p.id?.some((x) => b.ng.some((q) => q.id?.some((y) => y.h === x.h && y.l === x.l))));
  let best: { levels: LevelRow[]; w: number } | undefined;
  for (const p of a.ng)
    for (const q of b.ng) {
      const levels: LevelRow[] = [
        ['ID', anyIdAgree ? 'agree' : idLevel(p, q)],
        ['DIEN_THOAI', p.dt && q.dt ? (p.dt === q.dt ? 'agree' : 'disagree') : 'missing'],
        ['HO_TEN', nameLevel(p, q)],
        ['NAM_SINH', yearLevel(p, q)],
        ['DIA_BAN', placeLevel(p, q)],
      ];
      const w = levels.reduce((s, [c, l]) => s + weightOf(c, l), 0);
      if (!best || w > best.w) best = { levels, w };
    }
  const oneSided = (a.ng.length === 0) !== (b.ng.length === 0);
  rows.push(...(best?.levels ?? [['ID', 'missing'], ['DIEN_THOAI', 'missing'], ['HO_TEN', oneSided ? 'oneSided' : 'missing'], ['NAM_SINH', 'missing'], ['DIA_BAN', 'missing']] as LevelRow[]));
  rows.push(['DOI_TUONG', a.bi && b.bi ? (a.bi === b.bi ? 'agree' : 'disagree') : 'missing']);
  const sa = signatureOf(a);
  const sb = signatureOf(b);
  let jaccard: number | undefined;
  if (sa && sb) {
    jaccard = estimateJaccard(sa, sb);
    rows.push(['NOI_DUNG', jaccard >= 0.6 ? 'high' : jaccard >= 0.4 ? 'medium' : jaccard >= 0.2 ? 'low' : 'none', Math.round(jaccard * 100)]);
  } else rows.push(['NOI_DUNG', 'missing']);
  rows.push(['SO_LIEU', numbersLevel(a.so, b.so)]);
  const gap = daysBetween(a.nn, b.nn);
  rows.push(['NGAY_NHAN', gap <= 30 ? 'd30' : gap <= 120 ? 'd120' : 'more', gap]);
  rows.push(['LOAI_DON', typeLevel(a.ld, b.ld)]);
  rows.push(['LINH_VUC', fieldLevel(a.lv, b.lv)]);
  return { rows, jaccard };
}

const PERSON_BLOCK = new Set<Comparison>(['ID', 'DIEN_THOAI', 'HO_TEN', 'NAM_SINH', 'DIA_BAN']);

function totalWeight(rows: LevelRow[]): { weight: number; personCut: number } {
  let person = 0;
  let rest = 0;
  for (const [c, l] of rows) {
    const w = Math.round(weightOf(c, l) * 100) / 100;
    if (PERSON_BLOCK.has(c)) person += w;
    else rest += w;
  }
  const personCut = person > PERSON_CAP ? Math.round((PERSON_CAP - person) * 100) / 100 : 0;
  return { weight: Math.round((person + personCut + rest) * 100) / 100, personCut };
}

const decide = (w: number, th: Thresholds): Decision => (w >= th.high ? 'TRUNG' : w >= th.low ? 'NGHI_TRUNG' : 'KHONG');

// ---------- quickScore: the same levels and sums as comparisonLevels + totalWeight, without building rows ----------
// w = log2(m/u) (best-pair choice, as comparisonLevels), r = w rounded to 0.01 (sums, as totalWeight).
const wr = (c: Comparison, l: string): [number, number] => {
  const w = weightOf(c, l);
  return [w, Math.round(w * 100) / 100];
};
const [W_ID_AGREE, R_ID_AGREE] = wr('ID', 'agree');
const [W_ID_DIS, R_ID_DIS] = wr('ID', 'disagree');
const [W_ID_MISS, R_ID_MISS] = wr('ID', 'missing');
const [W_DT_AGREE, R_DT_AGREE] = wr('DIEN_THOAI', 'agree');
const [W_DT_DIS, R_DT_DIS] = wr('DIEN_THOAI', 'disagree');
const [W_DT_MISS, R_DT_MISS] = wr('DIEN_THOAI', 'missing');
const NAME_LEVELS = ['exact', 'noMiddle', 'variant', 'givenOnly', 'disagree'] as const;
const W_NAME = NAME_LEVELS.map((l) => wr('HO_TEN', l));
const [, R_NAME_ONESIDED] = wr('HO_TEN', 'oneSided');
const [, R_NAME_MISS] = wr('HO_TEN', 'missing');
const W_YEAR = (['same', 'near', 'different', 'missing'] as const).map((l) => wr('NAM_SINH', l));
const W_PLACE = (['commune', 'province', 'different', 'missing'] as const).map((l) => wr('DIA_BAN', l));
const R_BI = (['agree', 'disagree', 'missing'] as const).map((l) => wr('DOI_TUONG', l)[1]);
const R_CONTENT = (['high', 'medium', 'low', 'none', 'missing'] as const).map((l) => wr('NOI_DUNG', l)[1]);
const R_NUM = (['agree', 'partial', 'disagree', 'missing'] as const).map((l) => wr('SO_LIEU', l)[1]);
const R_DATE = (['d30', 'd120', 'more'] as const).map((l) => wr('NGAY_NHAN', l)[1]);
const R_TYPE: Record<string, number> = { same: wr('LOAI_DON', 'same')[1], compatible: wr('LOAI_DON', 'compatible')[1], different: wr('LOAI_DON', 'different')[1] };
const R_FIELD: Record<string, number> = { same: wr('LINH_VUC', 'same')[1], parent: wr('LINH_VUC', 'parent')[1], different: wr('LINH_VUC', 'different')[1], missing: wr('LINH_VUC', 'missing')[1] };
const NAME_IDX: Record<string, number> = { exact: 0, noMiddle: 1, variant: 2, givenOnly: 3, disagree: 4 };
const YEAR_IDX: Record<string, number> = { same: 0, near: 1, different: 2, missing: 3 };
const PLACE_IDX: Record<string, number> = { commune: 0, province: 1, different: 2, missing: 3 };
const ID_IDX: Record<string, number> = { agree: 0, disagree: 1, missing: 2 };
const W_IDS: [number, number][] = [[W_ID_AGREE, R_ID_AGREE], [W_ID_DIS, R_ID_DIS], [W_ID_MISS, R_ID_MISS]];

/** numbersLevel as an index into R_NUM without a Set: agree 0, partial 1, disagree 2, missing 3. */
function numbersIdx(a: string[] | undefined, b: string[] | undefined): number {
  if (!a?.length || !b?.length) return 3;
  let inter = 0;
  for (const x of a) if (b.includes(x)) inter++;
  if (inter === 0) return 2;
  let distinctB = 0;
  for (let i = 0; i < b.length; i++) if (b.indexOf(b[i]!) === i) distinctB++;
  return inter >= Math.min(a.length, distinctB) ? 0 : 1;
}

/**
 * Weight and decision only (no explanation): the fast path for scanning many candidates.
 * Exactly the weight of scorePair (same levels, same best pair, same rounding and order of
 * the sums; test/dedupe/score.test.ts compares both on generated pairs), ~5x cheaper.
 */
export function quickScore(a: Lk1Features, b: Lk1Features, th: Thresholds = DEFAULT_THRESHOLDS): { weight: number; decision: Decision } {
  let person: number;
  const an = a.ng;
  const bn = b.ng;
  if (an.length && bn.length) {
    const anyIdAgree = an.some((p) => p.id?.some((x) => bn.some((q) => q.id?.some((y) => y.h === x.h && y.l === x.l))));
    let bestW = -Infinity;
    let bestR = 0;
    for (const p of an)
      for (const q of bn) {
        const id = anyIdAgree ? W_IDS[0]! : W_IDS[ID_IDX[idLevel(p, q)]!]!;
        const dt = p.dt && q.dt ? (p.dt === q.dt ? 0 : 1) : 2;
        const [wdt, rdt] = dt === 0 ? [W_DT_AGREE, R_DT_AGREE] : dt === 1 ? [W_DT_DIS, R_DT_DIS] : [W_DT_MISS, R_DT_MISS];
        const nm = W_NAME[NAME_IDX[nameLevel(p, q)]!]!;
        const yr = W_YEAR[YEAR_IDX[yearLevel(p, q)]!]!;
        const pl = W_PLACE[PLACE_IDX[placeLevel(p, q)]!]!;
        const w = 0 + id[0] + wdt + nm[0] + yr[0] + pl[0];
        if (w > bestW) {
          bestW = w;
          bestR = 0 + id[1] + rdt + nm[1] + yr[1] + pl[1];
        }
      }
    person = bestR;
  } else {
    const oneSided = (an.length === 0) !== (bn.length === 0);
    person = 0 + R_ID_MISS + R_DT_MISS + (oneSided ? R_NAME_ONESIDED : R_NAME_MISS) + W_YEAR[3]![1] + W_PLACE[3]![1];
  }
  let rest = 0 + R_BI[a.bi && b.bi ? (a.bi === b.bi ? 0 : 1) : 2]!;
  const pa = preparedOf(a);
  const pb = preparedOf(b);
  const sa = pa.sig;
  const sb = pb.sig;
  if (sa && sb) {
    const j = estimateJaccard(sa, sb);
    rest += R_CONTENT[j >= 0.6 ? 0 : j >= 0.4 ? 1 : j >= 0.2 ? 2 : 3]!;
  } else rest += R_CONTENT[4]!;
  rest += R_NUM[numbersIdx(a.so, b.so)]!;
  const gap = Math.round(Math.abs(pa.day - pb.day) / 86_400_000);
  rest += R_DATE[gap <= 30 ? 0 : gap <= 120 ? 1 : 2]!;
  rest += R_TYPE[typeLevel(a.ld, b.ld)]!;
  rest += R_FIELD[fieldLevel(a.lv, b.lv)]!;
  const personCut = person > PERSON_CAP ? Math.round((PERSON_CAP - person) * 100) / 100 : 0;
  const weight = Math.round((person + personCut + rest) * 100) / 100;
  return { weight, decision: decide(weight, th) };
}

/** Score one pair with its explanation (every comparison's level, weight and Vietnamese reason). */
export function scorePair(a: Lk1Features, b: Lk1Features, th: Thresholds = DEFAULT_THRESHOLDS): ScoreResult {
  const { rows, jaccard } = comparisonLevels(a, b);
  const out: Contribution[] = [];
  for (const [c, l, x] of rows) {
    out.push(contrib(c, l, x));
    if (c === 'DIA_BAN') {
      const { personCut } = totalWeight(rows);
      if (personCut < 0)
        out.push({
          comparison: 'GIOI_HAN_NGUOI',
          level: 'cap',
          weight: personCut,
          reason: `Trùng người tính tối đa +${PERSON_CAP.toFixed(1)}: cùng một người chưa chắc là cùng vụ việc (${fmtW(personCut)})`,
        });
    }
  }
  const { weight } = totalWeight(rows);
  const probability = 1 / (1 + Math.pow(2, -(weight + PRIOR_LOG2_ODDS)));
  return { weight, probability: Math.round(probability * 10000) / 10000, decision: decide(weight, th), contributions: out, jaccard };
}

/** Short text for the national `lyDo` (≤ 1000 chars): the non-zero contributions, biggest first. */
export function reasonText(r: ScoreResult, max = 1000): string {
  const parts = r.contributions
    .filter((c) => c.weight !== 0)
    .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight))
    .map((c) => c.reason);
  let s = `lk1 W=${r.weight.toFixed(1)}: ` + parts.join('; ');
  if (s.length > max) s = s.slice(0, max - 1) + '…';
  return s;
}

export { MH_PERMS };
