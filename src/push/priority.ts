/**
 * Statutory clock → BullMQ priority (1 = first). domain.md "Deadlines":
 *   thụ lý khiếu nại 10 days from receipt; tố cáo initial handling 7 working days (≈ 9 calendar days);
 *   kiến nghị/phản ánh and mixed đơn: the 10-day handling period; a đơn being resolved (giaiQuyet
 *   DANG_GIAI_QUYET with hanGiaiQuyet) runs on its resolution deadline; a reception session: forward
 *   within 5 working days (≈ 7 calendar days).
 * Ordering: records due soonest first; up to a week overdue counts as "due now" (still worth rushing);
 * long-overdue records (historical backfill, already decided) go last, the oldest last of all.
 */
import type { HoSoDon, LuotTiep, RecordKind } from '../contract/schemas.js';

const DAY = 86_400_000;
export const DEADLINE_DAYS: Record<string, number> = { KHIEU_NAI: 10, TO_CAO: 9, KIEN_NGHI_PHAN_ANH: 10, NHIEU_NOI_DUNG: 10 };
const LUOT_TIEP_DAYS = 7;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Due date (YYYY-MM-DD) of the next statutory step, or undefined when the body has no usable date. */
export function dueDate(kind: RecordKind, body: HoSoDon | LuotTiep): string | undefined {
  if (kind === 'luot-tiep') {
    const d = (body as LuotTiep).ngayTiep;
    return typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) ? addDays(d, LUOT_TIEP_DAYS) : undefined;
  }
  const b = body as HoSoDon;
  const g = b.giaiQuyet;
  if (g && g.trangThai === 'DANG_GIAI_QUYET' && typeof g.hanGiaiQuyet === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(g.hanGiaiQuyet)) return g.hanGiaiQuyet;
  if (typeof b.ngayNhanDon !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.ngayNhanDon)) return undefined;
  return addDays(b.ngayNhanDon, DEADLINE_DAYS[b.loaiDon] ?? 10);
}

/** Whole days from `today` to `due` (negative = overdue). */
export function daysLeft(due: string, today: string): number {
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
}

/** BullMQ priority (1 highest … larger later). */
export function pushPriority(kind: RecordKind, body: HoSoDon | LuotTiep, today: string): number {
  const due = dueDate(kind, body);
  if (!due) return 200;
  const left = daysLeft(due, today);
  if (left >= -7) return 1 + Math.min(left + 7, 120); // 1 (a week overdue) … 8 (due today) … 128
  return 130 + Math.min(-left, 100_000); // long overdue: backfill, oldest last
}

/** Today in local time (YYYY-MM-DD) for an offset in minutes (Vietnam: +420). */
export function localToday(now: Date, offsetMinutes: number): string {
  return new Date(now.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}
