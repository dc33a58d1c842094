/**
 * Local dates. Everything local is Vietnam time (UTC+07:00, no DST). Day-first forms are
 * day first (`03/04/2025` is 3 April). Impossible dates are reported, never rolled over.
 * Whether a date lies in the future is the caller's business (it knows "today").
 */

export type DateResult =
  | { ok: true; date: string }
  | { ok: false; code: 'SAI_DINH_DANG' | 'NGAY_KHONG_HOP_LE'; reason: string };

/** First day of the 2025 administrative units (34 provinces, no districts). */
export const MERGER_DATE = '2025-07-01';
const VN_OFFSET_MINUTES = 420;

const pad2 = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;

/** Days in month m (1–12) of year y (Gregorian), without a Date object per call. */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const badFormat = (reason: string): DateResult => ({ ok: false, code: 'SAI_DINH_DANG', reason });
const badDate = (reason: string): DateResult => ({ ok: false, code: 'NGAY_KHONG_HOP_LE', reason });

function checkYmd(y: number, m: number, d: number): DateResult {
  if (y < 1900 || y > 2999) return badDate('Năm không hợp lệ');
  if (m < 1 || m > 12) return badDate('Tháng không hợp lệ (phải từ 1 đến 12)');
  if (d < 1 || d > daysInMonth(y, m)) return badDate('Ngày không tồn tại trong tháng đã ghi');
  return { ok: true, date: iso(y, m, d) };
}

/**
 * A local date as typed: `dd/mm/yyyy`, `d/m/yy` (yy → 20yy), `yyyy-mm-dd`; day-first forms also
 * with `-` or `.` (one separator throughout). Surrounding spaces are ignored.
 */
export function parseLocalDate(s: unknown): DateResult {
  if (typeof s !== 'string') return badFormat('Ngày phải là chuỗi dạng dd/mm/yyyy hoặc yyyy-mm-dd');
  const t = s.trim();
  if (!t) return badFormat('Ngày bị bỏ trống');
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return checkYmd(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$/.exec(t);
  if (m) {
    const yRaw = m[4]!;
    const y = yRaw.length === 2 ? 2000 + Number(yRaw) : Number(yRaw);
    return checkYmd(y, Number(m[3]), Number(m[1]));
  }
  return badFormat('Ngày không đúng định dạng dd/mm/yyyy, d/m/yy hoặc yyyy-mm-dd');
}

/**
 * The local (Vietnam, default +07:00) calendar date of an RFC 3339 instant:
 * `2025-06-30T18:20:00Z` → `2025-07-01`; `2025-06-30T22:15:00+07:00` → `2025-06-30`.
 */
export function localDateOf(instant: string, offsetMinutes: number = VN_OFFSET_MINUTES): DateResult {
  if (typeof instant !== 'string') return badFormat('Thời điểm phải là chuỗi RFC 3339');
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(instant.trim());
  if (!m) return badFormat('Thời điểm không đúng định dạng RFC 3339 (ví dụ 2025-06-30T18:20:00+07:00)');
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]), h = Number(m[4]), mi = Number(m[5]), sec = Number(m[6]);
  const day = checkYmd(y, mo, d);
  if (!day.ok) return day;
  if (h > 23 || mi > 59 || sec > 60) return badDate('Giờ không hợp lệ');
  let zone = 0;
  if (!m[8]) {
    const zh = Number(m[10]);
    const zm = Number(m[11]);
    if (zh > 23 || zm > 59) return badDate('Múi giờ không hợp lệ');
    zone = (m[9] === '-' ? -1 : 1) * (zh * 60 + zm);
  }
  if (!Number.isFinite(offsetMinutes)) return badFormat('Độ lệch múi giờ không hợp lệ');
  const utcMs = Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59)) - zone * 60_000;
  const local = new Date(utcMs + offsetMinutes * 60_000);
  return { ok: true, date: iso(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()) };
}

/** Today's local date (YYYY-MM-DD) in Vietnam (or at the given offset). */
export function todayLocal(now: Date = new Date(), offsetMinutes: number = VN_OFFSET_MINUTES): string {
  const ms = now instanceof Date && Number.isFinite(now.getTime()) ? now.getTime() : Date.now();
  const off = Number.isFinite(offsetMinutes) ? offsetMinutes : VN_OFFSET_MINUTES;
  const local = new Date(ms + off * 60_000);
  return iso(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
}

/** Which administrative units a local date (YYYY-MM-DD) belongs to. */
export function eraOf(date: string): 'truoc-2025' | 'hien-hanh' {
  return date < MERGER_DATE ? 'truoc-2025' : 'hien-hanh';
}
