/**
 * Petition content built from templates per field (đất đai, môi trường, chế độ chính
 * sách, xây dựng, …) with variable details. Every template has several phrasings of the
 * same facts, so a re-typed duplicate says the same thing in other words.
 */
import { type Rng, pick, int } from './rng.js';

export type Loai = 'KHIEU_NAI' | 'TO_CAO' | 'KIEN_NGHI' | 'PHAN_ANH';
/** Field key: qldt label, pakn slug. */
export interface Field { label: string; slug: string }
export const FIELDS = {
  datDai: { label: 'Đất đai', slug: 'dat-dai' },
  moiTruong: { label: 'Môi trường', slug: 'moi-truong' },
  chinhSach: { label: 'Chế độ chính sách', slug: 'an-sinh' },
  xayDung: { label: 'Xây dựng', slug: 'xay-dung' },
  giaoThong: { label: 'Xây dựng', slug: 'giao-thong' },
  nhaO: { label: 'Nhà ở', slug: 'xay-dung' },
  laoDong: { label: 'Lao động', slug: 'an-sinh' },
  thamNhung: { label: 'Tham nhũng', slug: 'khac' },
  thiHanhAn: { label: 'Thi hành án', slug: 'khac' },
  giaoDuc: { label: 'Giáo dục', slug: 'giao-duc' },
  yTe: { label: 'Y tế', slug: 'y-te' },
} as const satisfies Record<string, Field>;
export type FieldKey = keyof typeof FIELDS;

/** Details a template may use; fixed per matter so that re-phrasings agree. */
export interface Slots {
  village: string;
  xa: string; // "xã Sơn Bình" (as the petitioner would write it)
  huyen: string; // "huyện Tam Đường" or "" after the merger
  tinh: string; // "tỉnh Lai Châu"
  official: string; // another invented person
  officialSex: 'NAM' | 'NU';
  n: number; // decision / letter number
  date: string; // dd/mm/yyyy before receipt
  year: number;
  area: number;
  money: string; // "15.000.000"
  households: number;
  project: string;
  company: string;
  months: number;
  i: number; // a free small integer
}

export interface Matter {
  field: FieldKey;
  loai: Loai;
  /** template id (duplicates keep it) */
  tpl: string;
  slots: Slots;
}

export interface Template {
  id: string;
  field: FieldKey;
  loai: Loai[];
  /** several phrasings of the same facts */
  text: ((s: Slots) => string)[];
  /** short title (pakn portal) */
  title: (s: Slots) => string;
  /** who/what the khiếu nại or tố cáo is about (required for KN/TC) */
  doiTuong?: (s: Slots) => string;
}

const ongBa = (s: Slots) => (s.officialSex === 'NAM' ? 'ông' : 'bà');
const UBND = (s: Slots) => (s.huyen ? `UBND ${s.huyen}` : `UBND ${s.xa}`);
const ChuTich = (s: Slots) => (s.huyen ? `Chủ tịch UBND ${s.huyen}` : `Chủ tịch UBND ${s.xa}`);

export const TEMPLATES: Template[] = [
  // ---------------- đất đai
  {
    id: 'dd-boi-thuong', field: 'datDai', loai: ['KHIEU_NAI'],
    text: [
      (s) => `Khiếu nại Quyết định số ${s.n}/QĐ-UBND ngày ${s.date} của ${ChuTich(s)} về bồi thường, hỗ trợ khi thu hồi ${s.area} m2 đất của gia đình tại ${s.village}, ${s.xa} để thực hiện dự án ${s.project}; cho rằng đơn giá bồi thường thấp hơn giá thị trường và chưa tính hỗ trợ chuyển đổi nghề nghiệp.`,
      (s) => `Gia đình bị thu hồi ${s.area} m2 đất tại ${s.village}, ${s.xa} cho dự án ${s.project}. Không đồng ý với Quyết định ${s.n}/QĐ-UBND (${s.date}) của ${ChuTich(s)} vì giá bồi thường quá thấp, không có hỗ trợ chuyển đổi nghề; đề nghị xem xét lại.`,
      (s) => `Đề nghị xem xét lại việc bồi thường ${s.area} m2 đất bị thu hồi làm dự án ${s.project} tại ${s.xa} theo Quyết định số ${s.n}/QĐ-UBND ngày ${s.date}; mức bồi thường không thỏa đáng, gia đình chưa được hỗ trợ chuyển đổi nghề.`,
    ],
    title: (s) => `Khiếu nại mức bồi thường thu hồi đất dự án ${s.project}`,
    doiTuong: (s) => `Quyết định số ${s.n}/QĐ-UBND ngày ${s.date} của ${ChuTich(s)}`,
  },
  {
    id: 'dd-gcn-chong-lan', field: 'datDai', loai: ['KHIEU_NAI', 'KIEN_NGHI'],
    text: [
      (s) => `Khiếu nại việc ${UBND(s)} cấp Giấy chứng nhận quyền sử dụng đất cho hộ liền kề có khoảng ${s.i * 5 + 20} m2 chồng lấn lên thửa đất của gia đình tại ${s.village}, ${s.xa} mà gia đình sử dụng ổn định từ năm ${s.year - 20}.`,
      (s) => `Thửa đất gia đình sử dụng từ năm ${s.year - 20} tại ${s.village}, ${s.xa} bị cấp chồng khoảng ${s.i * 5 + 20} m2 vào Giấy chứng nhận của hộ bên cạnh; đề nghị ${UBND(s)} kiểm tra, điều chỉnh lại.`,
    ],
    title: (s) => `Giấy chứng nhận cấp chồng lấn đất tại ${s.village}`,
    doiTuong: (s) => `Giấy chứng nhận quyền sử dụng đất số CS ${String(s.n).padStart(5, '0')} do ${UBND(s)} cấp`,
  },
  {
    id: 'dd-cham-cap-gcn', field: 'datDai', loai: ['KIEN_NGHI', 'PHAN_ANH'],
    text: [
      (s) => `Gia đình nộp hồ sơ đề nghị cấp Giấy chứng nhận quyền sử dụng đất lần đầu tại Bộ phận một cửa ${s.xa} từ tháng ${(s.i % 12) + 1}/${s.year}, đến nay đã quá thời hạn ${s.months} tháng nhưng chưa nhận được kết quả, cũng không được thông báo lý do. Đề nghị kiểm tra, trả lời.`,
      (s) => `Hồ sơ cấp Giấy chứng nhận quyền sử dụng đất lần đầu nộp ở một cửa ${s.xa} từ tháng ${(s.i % 12) + 1}/${s.year} đã quá hạn ${s.months} tháng vẫn chưa có kết quả; đề nghị cơ quan chức năng giải quyết.`,
    ],
    title: () => 'Chậm cấp Giấy chứng nhận quyền sử dụng đất lần đầu',
  },
  {
    id: 'dd-tranh-chap', field: 'datDai', loai: ['KIEN_NGHI'],
    text: [
      (s) => `Đề nghị giải quyết tranh chấp ranh giới đất nương giữa gia đình và hộ liền kề tại ${s.village}, ${s.xa}; hộ liền kề tự ý dựng hàng rào lấn khoảng ${s.i * 10 + 30} m2, hòa giải ở thôn ${s.i % 2 + 2} lần không thành.`,
      (s) => `Hộ bên cạnh ở ${s.village} dựng rào lấn sang đất nương nhà tôi khoảng ${s.i * 10 + 30} m2, thôn đã hòa giải nhưng không thành; đề nghị ${UBND(s)} giải quyết tranh chấp.`,
    ],
    title: () => 'Tranh chấp ranh giới đất nương với hộ liền kề',
  },
  // ---------------- môi trường
  {
    id: 'mt-nuoc-thai', field: 'moiTruong', loai: ['PHAN_ANH', 'KIEN_NGHI'],
    text: [
      (s) => `Phản ánh ${s.company} tại ${s.village}, ${s.xa} xả nước thải chưa qua xử lý ra suối, nước có mùi hôi, cá chết, ${s.households} hộ dân phía hạ lưu không dùng được nước sinh hoạt; đề nghị kiểm tra, xử lý.`,
      (s) => `Nước thải của ${s.company} xả thẳng ra suối ở ${s.village} gây mùi hôi, cá chết; ${s.households} hộ hạ lưu không có nước dùng. Đề nghị cơ quan chức năng kiểm tra, xử lý dứt điểm.`,
      (s) => `Đề nghị kiểm tra việc ${s.company} (${s.xa}) xả nước thải ra suối, làm ô nhiễm nguồn nước của ${s.households} hộ dân ${s.village}.`,
    ],
    title: (s) => `Nước thải ${s.company} gây ô nhiễm suối`,
  },
  {
    id: 'mt-tieng-on', field: 'moiTruong', loai: ['PHAN_ANH'],
    text: [
      (s) => `Phản ánh xưởng xẻ gỗ của một hộ kinh doanh tại ${s.village}, ${s.xa} hoạt động cả ban đêm, gây tiếng ồn và bụi mùn cưa ảnh hưởng đến sinh hoạt của các hộ dân xung quanh; đề nghị kiểm tra việc cấp phép và xử lý.`,
      (s) => `Xưởng xẻ gỗ ở ${s.village} chạy máy đến khuya, bụi mùn cưa bay vào nhà dân; đề nghị ${UBND(s)} kiểm tra giấy phép và xử lý.`,
    ],
    title: (s) => `Xưởng xẻ gỗ gây ồn, bụi tại ${s.village}`,
  },
  {
    id: 'mt-rac', field: 'moiTruong', loai: ['KIEN_NGHI', 'PHAN_ANH'],
    text: [
      (s) => `Bãi rác tạm của ${s.xa} gần ${s.village} đã đầy từ ${s.months} tháng nay nhưng không được thu gom, bốc mùi, ruồi nhặng nhiều; đề nghị có phương án thu gom, xử lý rác.`,
      (s) => `Rác tồn đọng ở bãi tạm cạnh ${s.village} (${s.xa}) ${s.months} tháng chưa được thu gom, ô nhiễm nặng; đề nghị xử lý sớm.`,
    ],
    title: () => 'Rác thải tồn đọng không được thu gom',
  },
  {
    id: 'mt-do-trom', field: 'moiTruong', loai: ['TO_CAO'],
    text: [
      (s) => `Tố cáo chủ ${s.company} nhiều lần đổ trộm chất thải rắn xuống khe suối gần ${s.village}, ${s.xa} vào ban đêm; người tố cáo có ảnh chụp và biển số xe chở chất thải.`,
      (s) => `Tố cáo việc ${s.company} cho xe đổ chất thải xuống khe suối cạnh ${s.village} vào ban đêm, đã chụp được ảnh và biển số xe.`,
    ],
    title: (s) => `Tố cáo ${s.company} đổ trộm chất thải`,
    doiTuong: (s) => `Chủ ${s.company}`,
  },
  // ---------------- chế độ chính sách
  {
    id: 'cs-ho-ngheo', field: 'chinhSach', loai: ['KHIEU_NAI', 'KIEN_NGHI'],
    text: [
      (s) => `Khiếu nại việc UBND ${s.xa} không đưa gia đình vào danh sách hộ cận nghèo năm ${s.year} dù thu nhập bình quân thấp hơn chuẩn; việc bình xét tại ${s.village} không công khai.`,
      (s) => `Gia đình ở ${s.village} thu nhập dưới chuẩn nhưng không có tên trong danh sách hộ cận nghèo năm ${s.year} của ${s.xa}; cuộc họp bình xét không công khai. Đề nghị xem xét lại.`,
    ],
    title: (s) => `Không được xét hộ cận nghèo năm ${s.year}`,
    doiTuong: (s) => `Danh sách hộ nghèo, cận nghèo năm ${s.year} của UBND ${s.xa}`,
  },
  {
    id: 'cs-nguoi-co-cong', field: 'chinhSach', loai: ['KIEN_NGHI'],
    text: [
      (s) => `Hồ sơ hưởng chế độ người có công của bố tôi nộp từ năm ${s.year - 1} đến nay chưa được chuyển lên cấp trên thẩm định; đề nghị kiểm tra, giải quyết để gia đình được hưởng chế độ.`,
      (s) => `Đề nghị kiểm tra hồ sơ người có công của bố tôi, nộp tại ${s.xa} năm ${s.year - 1} nhưng đến nay vẫn chưa được chuyển thẩm định.`,
    ],
    title: () => 'Hồ sơ người có công chưa được chuyển thẩm định',
  },
  {
    id: 'cs-ho-tro-bao', field: 'chinhSach', loai: ['KIEN_NGHI', 'PHAN_ANH'],
    text: [
      (s) => `Nhà gia đình tại ${s.village} bị sập do sạt lở đất trong mưa lũ tháng ${(s.i % 4) + 7}/${s.year}, đã được thôn lập danh sách nhưng đến nay chưa nhận được tiền hỗ trợ làm lại nhà; đề nghị kiểm tra, giải quyết.`,
      (s) => `Gia đình ở ${s.village}, ${s.xa} có nhà bị sập do sạt lở (tháng ${(s.i % 4) + 7}/${s.year}), có tên trong danh sách hỗ trợ nhưng chưa nhận được tiền.`,
    ],
    title: () => 'Chưa nhận tiền hỗ trợ làm lại nhà sau mưa lũ',
  },
  // ---------------- lao động
  {
    id: 'ld-cham-luong', field: 'laoDong', loai: ['KIEN_NGHI', 'KHIEU_NAI'],
    text: [
      (s) => `${s.company} nợ lương ${s.months} tháng và chưa đóng bảo hiểm xã hội cho ${s.households} công nhân; đề nghị cơ quan chức năng can thiệp buộc công ty trả lương, đóng bảo hiểm.`,
      (s) => `Đề nghị buộc ${s.company} trả ${s.months} tháng lương còn nợ và đóng bảo hiểm xã hội cho ${s.households} người lao động.`,
    ],
    title: (s) => `${s.company} nợ lương, nợ bảo hiểm xã hội`,
    doiTuong: (s) => `Giám đốc ${s.company}`,
  },
  // ---------------- xây dựng, giao thông, nhà ở
  {
    id: 'xd-nut-tuong', field: 'nhaO', loai: ['KIEN_NGHI', 'PHAN_ANH'],
    text: [
      (s) => `Hộ liền kề xây nhà ${s.i % 4 + 3} tầng từ tháng ${(s.i % 12) + 1}/${s.year}, thi công không che chắn, làm tường nhà tôi nứt nhiều chỗ; đề nghị kiểm tra giấy phép xây dựng và buộc bồi thường.`,
      (s) => `Nhà hàng xóm ở ${s.village} xây ${s.i % 4 + 3} tầng làm nứt tường nhà tôi, đề nghị kiểm tra giấy phép và yêu cầu bồi thường thiệt hại.`,
    ],
    title: () => 'Công trình xây dựng liền kề làm nứt tường nhà',
  },
  {
    id: 'xd-duong', field: 'giaoThong', loai: ['KIEN_NGHI', 'PHAN_ANH'],
    text: [
      (s) => `Tuyến đường liên thôn từ ${s.village} ra trung tâm ${s.xa} dài khoảng ${s.i + 2} km xuống cấp nghiêm trọng, nhiều ổ gà, mùa mưa xe máy không đi được, học sinh phải nghỉ học; đề nghị sớm sửa chữa.`,
      (s) => `Đường từ ${s.village} ra ${s.xa} hư hỏng nặng, mùa mưa không đi lại được; đề nghị đầu tư sửa chữa tuyến đường khoảng ${s.i + 2} km.`,
    ],
    title: (s) => `Đường liên thôn ${s.village} xuống cấp`,
  },
  {
    id: 'xd-ke-cham', field: 'xayDung', loai: ['PHAN_ANH'],
    text: [
      (s) => `Công trình kè chống sạt lở bờ suối tại ${s.village}, ${s.xa} khởi công từ năm ${s.year - 1} nhưng thi công cầm chừng, đến nay mới được khoảng ${s.i * 5 + 20}% khối lượng; mùa mưa các hộ ven suối lo bị sạt nhà.`,
      (s) => `Kè suối ở ${s.village} chậm tiến độ, mới làm được khoảng ${s.i * 5 + 20}% dù khởi công từ năm ${s.year - 1}; đề nghị đôn đốc nhà thầu.`,
    ],
    title: (s) => `Kè chống sạt lở tại ${s.village} chậm tiến độ`,
  },
  {
    id: 'xd-khong-phep', field: 'xayDung', loai: ['KHIEU_NAI'],
    text: [
      (s) => `Khiếu nại Quyết định xử phạt vi phạm hành chính số ${s.n}/QĐ-XPHC ngày ${s.date} của Chủ tịch UBND ${s.xa} về xây dựng không phép; gia đình cho rằng công trình là sửa chữa nhà cũ, không thuộc trường hợp phải có giấy phép.`,
      (s) => `Không đồng ý Quyết định xử phạt số ${s.n}/QĐ-XPHC (${s.date}) của Chủ tịch UBND ${s.xa}: gia đình chỉ sửa chữa nhà cũ, không phải xây mới nên không cần giấy phép.`,
    ],
    title: () => 'Khiếu nại quyết định xử phạt xây dựng không phép',
    doiTuong: (s) => `Quyết định xử phạt vi phạm hành chính số ${s.n}/QĐ-XPHC ngày ${s.date} của Chủ tịch UBND ${s.xa}`,
  },
  // ---------------- tham nhũng, cán bộ
  {
    id: 'tn-nhan-tien', field: 'thamNhung', loai: ['TO_CAO'],
    text: [
      (s) => `Tố cáo ${ongBa(s)} ${s.official}, công chức Địa chính - Xây dựng ${s.xa}, đã nhận của gia đình ${s.money} đồng để "làm nhanh" hồ sơ cấp Giấy chứng nhận quyền sử dụng đất, nhưng sau ${s.months} tháng hồ sơ vẫn chưa được giải quyết.`,
      (s) => `${ongBa(s).replace(/^./, (c) => c.toUpperCase())} ${s.official} (địa chính ${s.xa}) nhận ${s.money} đồng của gia đình hứa làm nhanh sổ đỏ, ${s.months} tháng nay không làm; đề nghị xử lý.`,
    ],
    title: () => 'Tố cáo cán bộ địa chính nhận tiền làm hồ sơ',
    doiTuong: (s) => `${ongBa(s).replace(/^./, (c) => c.toUpperCase())} ${s.official}, công chức Địa chính - Xây dựng ${s.xa}`,
  },
  {
    id: 'tn-lap-khong', field: 'thamNhung', loai: ['TO_CAO'],
    text: [
      (s) => `Tố cáo Trưởng ${s.village} ${s.official} lập khống danh sách ${s.households} hộ nhận hỗ trợ giống cây trồng năm ${s.year}, trong đó có người thân không sinh sống tại địa phương, để hưởng tiền hỗ trợ.`,
      (s) => `Trưởng ${s.village} (${s.official}) đưa người thân không ở địa phương vào danh sách ${s.households} hộ nhận hỗ trợ giống cây năm ${s.year}; đề nghị kiểm tra.`,
    ],
    title: () => 'Tố cáo lập khống danh sách nhận hỗ trợ',
    doiTuong: (s) => `${ongBa(s).replace(/^./, (c) => c.toUpperCase())} ${s.official}, Trưởng ${s.village}`,
  },
  {
    id: 'tn-thu-sai', field: 'giaoDuc', loai: ['TO_CAO', 'PHAN_ANH'],
    text: [
      (s) => `Tố cáo ${ongBa(s)} ${s.official}, Hiệu trưởng Trường Tiểu học ${s.xa.replace(/^(xã|phường|thị trấn)\s/u, '')}, thu của phụ huynh các khoản ngoài quy định năm học ${s.year}-${s.year + 1} với tổng số tiền khoảng ${s.money} đồng.`,
      (s) => `Trường Tiểu học ở ${s.xa} thu nhiều khoản ngoài quy định năm học ${s.year}-${s.year + 1} (khoảng ${s.money} đồng), do Hiệu trưởng ${s.official} chỉ đạo.`,
    ],
    title: () => 'Trường học thu các khoản ngoài quy định',
    doiTuong: (s) => `${ongBa(s).replace(/^./, (c) => c.toUpperCase())} ${s.official}, Hiệu trưởng Trường Tiểu học ${s.xa.replace(/^(xã|phường|thị trấn)\s/u, '')}`,
  },
  // ---------------- y tế
  {
    id: 'yt-tram', field: 'yTe', loai: ['KIEN_NGHI', 'PHAN_ANH'],
    text: [
      (s) => `Trạm y tế ${s.xa} thường xuyên thiếu thuốc bảo hiểm y tế, người bệnh phải tự mua thuốc bên ngoài; đề nghị bảo đảm cung ứng thuốc cho người có thẻ bảo hiểm.`,
      (s) => `Người có thẻ bảo hiểm y tế ở ${s.xa} phải tự mua thuốc vì trạm y tế hết thuốc từ ${s.months} tháng nay; đề nghị khắc phục.`,
    ],
    title: () => 'Trạm y tế thiếu thuốc bảo hiểm y tế',
  },
  // ---------------- thi hành án
  {
    id: 'tha-ke-bien', field: 'thiHanhAn', loai: ['KHIEU_NAI'],
    text: [
      (s) => `Khiếu nại Quyết định số ${s.n}/QĐ-CCTHADS ngày ${s.date} của Chi cục Thi hành án dân sự về cưỡng chế kê biên tài sản; cho rằng tài sản bị kê biên là tài sản chung của hộ gia đình, không phải của người phải thi hành án.`,
      (s) => `Không đồng ý việc kê biên tài sản theo Quyết định ${s.n}/QĐ-CCTHADS (${s.date}); tài sản là của chung cả hộ, không riêng người phải thi hành án.`,
    ],
    title: () => 'Khiếu nại quyết định cưỡng chế kê biên tài sản',
    doiTuong: (s) => `Quyết định số ${s.n}/QĐ-CCTHADS ngày ${s.date} của Chấp hành viên Chi cục Thi hành án dân sự`,
  },
];

const PROJECTS = ['Thủy điện Nậm Lụm', 'đường nối trung tâm xã', 'khu tái định cư số 2', 'cụm công nghiệp phía Bắc', 'mở rộng Quốc lộ 4D', 'hồ chứa nước Nà Luông', 'khu dân cư mới', 'trường THCS bán trú'];
const COMPANIES = ['Công ty TNHH Hưng Phát', 'cơ sở chế biến tinh bột sắn Tân Thành', 'trang trại lợn Phúc Lộc', 'Công ty CP Khoáng sản Bắc Hà', 'mỏ đá Đông Sơn', 'Công ty TNHH May Thành Công', 'xưởng gạch Minh Tâm', 'Công ty CP Chè Tam Đường'];

export function templateById(id: string): Template {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw new Error(`unknown template ${id}`);
  return t;
}

/** `received` is the receipt date (YYYY-MM-DD); decisions cited are 20–400 days older. */
export function makeSlots(r: Rng, where: { village: string; xa: string; huyen: string; tinh: string }, received: string, official: { name: string; sex: 'NAM' | 'NU' }): Slots {
  const t = new Date(`${received}T00:00:00Z`).getTime() - int(r, 20, 400) * 86400_000;
  const iso = new Date(t).toISOString();
  const receivedYear = Number(received.slice(0, 4));
  return {
    ...where,
    official: official.name,
    officialSex: official.sex,
    n: int(r, 12, 3999),
    date: `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`,
    year: receivedYear - int(r, 0, 2),
    area: int(r, 8, 120) * 10,
    money: `${int(r, 3, 60)}.000.000`,
    households: int(r, 3, 40),
    project: pick(r, PROJECTS),
    company: pick(r, COMPANIES),
    months: int(r, 2, 14),
    i: int(r, 1, 9),
  };
}

export function pickTemplate(r: Rng, loai?: Loai): Template {
  const pool = loai ? TEMPLATES.filter((t) => t.loai.includes(loai)) : TEMPLATES;
  return pick(r, pool);
}

/** Render phrasing `variant` (wraps around). */
export function render(t: Template, s: Slots, variant: number): string {
  return t.text[variant % t.text.length]!(s);
}
