/**
 * `kntc status` output for officers: Vietnamese labels with the English state/code in
 * brackets, from the same allow-listed view the API returns (no personal data).
 */
import type { publicStatus } from './views.js';

type View = ReturnType<typeof publicStatus>;

const KIND_LABEL: Record<string, string> = { 'ho-so-don': 'hồ sơ đơn', 'luot-tiep': 'lượt tiếp' };

export function formatStatus(v: View): string {
  const out: string[] = [];
  out.push(`Bản ghi ${v.source} / đơn vị ${v.agency} / mã ${v.localId}`);
  out.push(`  Mã theo dõi (tracking id): ${v.trackingId}`);
  out.push(`  Trạng thái: ${v.stateLabel} [${v.state}]`);
  out.push(`  Phiên bản mới nhất: ${v.latestVersion}${v.pushedVersion !== undefined ? ` — đã gửi lên CSDL quốc gia: ${v.pushedVersion}` : ' — chưa gửi phiên bản nào'}`);
  const ids = Object.entries(v.nationalIds);
  out.push(`  Mã trên CSDL quốc gia: ${ids.length ? ids.map(([k, id]) => `${KIND_LABEL[k] ?? k} ${id}`).join(', ') : '(chưa có)'}`);
  if (v.outputs?.length) {
    out.push('  Bản ghi quốc gia tạo ra:');
    for (const o of v.outputs) out.push(`    - ${KIND_LABEL[o.kind] ?? o.kind} ${o.localId}: [${o.state}]${o.pushedVersion !== undefined ? ` đã gửi phiên bản ${o.pushedVersion}` : ''}${o.nationalId ? ` → ${o.nationalId}` : ''}`);
  }
  if (v.lastError) out.push(`  Lỗi gần nhất: [${v.lastError.code}] ${v.lastError.message} (${v.lastError.at})`);
  if (v.issues.length) {
    out.push(`  Vấn đề (${v.issues.length}):`);
    for (const i of v.issues) {
      const where = i.national ? `${i.source || '/'} → ${i.national}` : i.source || '/';
      out.push(`    - ${i.severity === 'error' ? 'LỖI' : 'cảnh báo'} [${i.code}]${i.recordKind ? ` (${KIND_LABEL[i.recordKind] ?? i.recordKind})` : ''} ${where}: ${i.message}`);
    }
  } else {
    out.push('  Vấn đề: không có');
  }
  if (v.history.length) {
    out.push('  Lịch sử:');
    for (const h of v.history) out.push(`    ${h.at}  [${h.state}] phiên bản ${h.version}${h.detail ? ` — ${h.detail}` : ''}`);
  }
  return out.join('\n');
}
