/**
 * The Sổ tiếp công dân export format (local-sources.md §B): UTF-8 with a BOM, a first line
 * `# xuat-luc: <RFC 3339>`, CRLF line ends, every cell quoted (RFC 4180: doubled quotes,
 * line breaks inside quoted cells kept as written).
 */
export const SO_TIEP_HEADER = [
  'Mã lượt tiếp', 'Mã đơn vị', 'STT', 'Ngày tiếp', 'Họ tên - Địa chỉ', 'CMND/Hộ chiếu của công dân', 'Nội dung vụ việc',
  'Phân loại đơn/Số người', 'Cơ quan đã giải quyết', 'Thụ lý để giải quyết', 'Trả lại đơn và hướng dẫn',
  'Chuyển đơn đến cơ quan có thẩm quyền', 'Theo dõi kết quả giải quyết', 'Ghi chú',
] as const;

export const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;

export function soTiepCsv(exportedAt: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`# xuat-luc: ${exportedAt}`, header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
