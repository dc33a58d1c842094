/**
 * doiTuongBiKNTC.loai from the local free text. Local systems keep only a text
 * ("Ông Nguyễn Văn A, công chức …", "Quyết định số … của UBND huyện …"), while the
 * contract needs CA_NHAN | CO_QUAN_TO_CHUC. Rule (deterministic, documented in
 * mappers/README.md): text that starts with a personal form of address or an office
 * held by one person → CA_NHAN; anything else (a decision, a document, a body) →
 * CO_QUAN_TO_CHUC, the act being attributed to the body that issued it.
 */
const PERSON_START = /^(ông|bà|anh|chị|cô|chú|cháu|em|đồng chí|cán bộ|công chức|viên chức|nguyên|trưởng|phó|chủ tịch|bí thư|giám đốc|hiệu trưởng|chánh|chi cục trưởng|cục trưởng|thủ trưởng|kế toán|thủ quỹ)(\s|,|$)/u;

export function classifyDoiTuong(text: string): 'CA_NHAN' | 'CO_QUAN_TO_CHUC' {
  const t = text.normalize('NFC').trim().toLowerCase();
  return PERSON_START.test(t) ? 'CA_NHAN' : 'CO_QUAN_TO_CHUC';
}
