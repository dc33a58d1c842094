/**
 * Petition "matters" (vụ việc) and how each agency words them. A matter fixes the facts
 * (place, project, company, amounts, accused); `renderMatter` writes them as one agency
 * would: the first clause is the core, the other clauses may be reordered or dropped and
 * every phrase has synonyms — so copies of one matter share meaning-bearing words but
 * rarely whole sentences, like the re-typed copies in the samples (G1–G5).
 */
import { type Rng, pick, int, chance, shuffle } from './noise.js';

export interface MatterSlots {
  xa: string;
  thon: string;
  ten: string; // project / company / building name part
  so: number;
  dt: string; // area
  nam: number;
  thang: number;
  nguoi: string; // an official's name (accused in tố cáo)
}

type Alt = (s: MatterSlots) => string;
export interface MatterTemplate {
  id: string;
  linhVuc: string;
  loaiDon: readonly string[];
  /** accused party (doiTuongBiKNTC): loai and ten */
  bi?: (s: MatterSlots) => { loai: 'CA_NHAN' | 'CO_QUAN_TO_CHUC'; ten: string };
  /** clause 0 = core; each clause = list of alternative wordings */
  clauses: Alt[][];
}

const PLACE_WORDS = [
  'Nậm Ngập', 'Hưng Phát', 'Phú Thịnh', 'Tân Tiến', 'Thành Công', 'Hòa Bình', 'Đồng Tâm', 'Minh Khai', 'Quyết Thắng', 'Sông Đà',
  'Bình Minh', 'Thủy Tiên', 'Hoàng Long', 'Trường Sơn', 'Ngọc Lan', 'Việt Hưng', 'An Phú', 'Kim Sơn', 'Phúc Lộc', 'Thuận An',
  'Hồng Hà', 'Tây Bắc', 'Lam Sơn', 'Bắc Hà', 'Nam Việt', 'Đại Dương', 'Thiên Phúc', 'Khánh Hòa', 'Tiến Thành', 'Hải Đăng',
  'Vạn Xuân', 'Phượng Hoàng', 'Mường Thanh', 'Tam Đảo', 'Hương Sen', 'Sao Mai', 'Cửu Long', 'Thái Sơn', 'Hợp Thành', 'Long Hải',
];
const OFFICIAL_NAMES = ['Nguyễn Văn Bình', 'Trần Quốc Hưng', 'Lê Thị Hoa', 'Phạm Minh Tuấn', 'Đỗ Văn Khánh', 'Vũ Đức Thắng', 'Hoàng Văn Nam', 'Bùi Thị Lan'];

/** `official` names the accused official (tố cáo); default: one of a few fixed names. */
export function matterSlots(r: Rng, xa: string, official?: () => string): MatterSlots {
  return {
    xa,
    thon: chance(r, 0.5) ? `thôn ${int(r, 1, 12)}` : `bản ${pick(r, PLACE_WORDS)}`,
    ten: pick(r, PLACE_WORDS),
    so: int(r, 2, 480),
    dt: `${int(r, 1, 9)},${int(r, 0, 9)}`,
    nam: int(r, 2015, 2025),
    thang: int(r, 1, 12),
    nguoi: official ? official() : pick(r, OFFICIAL_NAMES),
  };
}

export const TEMPLATES: readonly MatterTemplate[] = [
  {
    id: 'thu-hoi-dat',
    linhVuc: 'HC.DD',
    loaiDon: ['KHIEU_NAI', 'KIEN_NGHI_PHAN_ANH'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Quyết định số ${s.so}/QĐ-UBND năm ${s.nam} phê duyệt phương án bồi thường dự án ${s.ten}` }),
    clauses: [
      [
        (s) => `gia đình không có tên trong phương án bồi thường khi Nhà nước thu hồi ${s.dt} ha đất nương tại ${s.thon}, xã ${s.xa} để xây dựng thủy điện ${s.ten}`,
        (s) => `thu hồi ${s.dt} ha đất canh tác của gia đình ở ${s.thon} xã ${s.xa} làm thủy điện ${s.ten} nhưng không được bồi thường`,
        (s) => `diện tích ${s.dt} ha đất nương tại ${s.thon}, xã ${s.xa} bị thu hồi cho dự án thủy điện ${s.ten} mà gia đình chưa nhận được tiền đền bù`,
      ],
      [(s) => `việc thu hồi thực hiện năm ${s.nam}`, (s) => `đất bị thu hồi từ năm ${s.nam}`],
      [() => 'gia đình canh tác liên tục, không có tranh chấp', () => 'đất sử dụng ổn định nhiều năm, không ai tranh chấp'],
      [() => 'đề nghị được bồi thường, hỗ trợ theo quy định', () => 'yêu cầu bồi thường và hỗ trợ tái định cư', () => 'mong được đền bù thỏa đáng'],
    ],
  },
  {
    id: 'ranh-gioi',
    linhVuc: 'HC.DD',
    loaiDon: ['KIEN_NGHI_PHAN_ANH', 'KHIEU_NAI'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Ủy ban nhân dân xã ${s.xa}` }),
    clauses: [
      [
        (s) => `hộ liền kề lấn chiếm ranh giới thửa đất số ${s.so} tại ${s.thon}, xã ${s.xa}`,
        (s) => `tranh chấp ranh giới thửa đất số ${s.so} ở ${s.thon} xã ${s.xa} với hộ bên cạnh`,
        (s) => `thửa đất ${s.so} của gia đình ở ${s.thon}, ${s.xa} bị hàng xóm xây tường lấn sang`,
      ],
      [() => 'xã đã hòa giải nhưng không thành', () => 'hòa giải ở cơ sở không thành công'],
      [(s) => `đo đạc lại diện tích theo bản đồ địa chính năm ${s.nam}`, (s) => `xác định lại mốc giới theo hồ sơ địa chính ${s.nam}`],
    ],
  },
  {
    id: 'nuoc-thai',
    linhVuc: 'HC.MT',
    loaiDon: ['KIEN_NGHI_PHAN_ANH'],
    clauses: [
      [
        (s) => `nhà máy chế biến tinh bột sắn ${s.ten} xả nước thải chưa qua xử lý ra suối ở ${s.thon}, xã ${s.xa}`,
        (s) => `nước thải của xưởng sắn ${s.ten} chảy thẳng ra suối ${s.thon} xã ${s.xa}`,
        (s) => `cơ sở chế biến sắn ${s.ten} tại xã ${s.xa} thải nước bẩn xuống suối gần ${s.thon}`,
      ],
      [() => 'gây mùi hôi thối', () => 'bốc mùi nồng nặc', () => 'gây ô nhiễm không khí']
      ,
      [() => 'cá trong ao nuôi của các hộ bị chết', () => 'ao cá của người dân chết hàng loạt'],
      [() => 'đình chỉ hoạt động xả thải', () => 'buộc nhà máy xây hệ thống xử lý nước thải'],
    ],
  },
  {
    id: 'mo-da',
    linhVuc: 'HC.MT',
    loaiDon: ['KIEN_NGHI_PHAN_ANH', 'KHIEU_NAI'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Công ty TNHH Đá xây dựng ${s.ten}` }),
    clauses: [
      [
        (s) => `mỏ đá của Công ty ${s.ten} tại xã ${s.xa} nổ mìn làm nứt tường nhà dân ${s.thon}`,
        (s) => `công ty khai thác đá ${s.ten} nổ mìn nhiều lần trong ngày gây rung lắc, nứt nhà ở ${s.thon}, xã ${s.xa}`,
        (s) => `hoạt động nổ mìn khai thác đá của doanh nghiệp ${s.ten} ở xã ${s.xa} làm hư hỏng nhà cửa ${s.thon}`,
      ],
      [() => 'bụi đá phủ kín nương chè', () => 'bụi bám trên cây trồng làm giảm năng suất'],
      [() => 'xe chở đá làm hỏng đường vào bản', () => 'xe tải trọng lớn làm hư đường bê tông của thôn'],
      [() => 'kiểm tra giấy phép khai thác và bồi thường thiệt hại', () => 'đình chỉ nổ mìn, buộc công ty bồi thường'],
    ],
  },
  {
    id: 'nut-nha',
    linhVuc: 'HC.DTXD',
    loaiDon: ['KIEN_NGHI_PHAN_ANH'],
    clauses: [
      [
        (s) => `hộ liền kề xây nhà ${int0(s.so)} tầng tại ${s.thon}, xã ${s.xa} làm nứt tường, lún nền nhà của gia đình`,
        (s) => `công trình nhà ${int0(s.so)} tầng bên cạnh thi công làm nhà tôi ở ${s.thon} ${s.xa} bị nứt và lún`,
        (s) => `việc xây dựng nhà cao ${int0(s.so)} tầng của hàng xóm ở ${s.xa} gây nứt tường nhà`,
      ],
      [() => 'chủ công trình không che chắn, không có biện pháp an toàn', () => 'thi công không đảm bảo an toàn cho nhà lân cận'],
      [() => 'buộc chủ công trình dừng thi công và bồi thường', () => 'yêu cầu giám định thiệt hại và bồi thường'],
    ],
  },
  {
    id: 'tro-cap',
    linhVuc: 'HC.CS',
    loaiDon: ['KIEN_NGHI_PHAN_ANH', 'KHIEU_NAI'],
    clauses: [
      [
        (s) => `hồ sơ người có công của bố đã chuyển về xã ${s.xa} từ tháng ${s.thang}/${s.nam} nhưng chưa được chi trả trợ cấp`,
        (s) => `gia đình chưa nhận được trợ cấp người có công kể từ tháng ${s.thang}/${s.nam} do hồ sơ chưa chuyển về xã ${s.xa}`,
        (s) => `trợ cấp thương binh của bố bị dừng từ tháng ${s.thang}/${s.nam} vì hồ sơ chưa được chuyển đến nơi cư trú mới ở ${s.xa}`,
      ],
      [() => 'đã nhiều lần hỏi nhưng không được trả lời', () => 'liên hệ nhiều lần vẫn chưa có kết quả'],
      [() => 'chuyển hồ sơ và chi trả trợ cấp còn thiếu', () => 'truy lĩnh tiền trợ cấp chưa nhận'],
    ],
  },
  {
    id: 'no-luong',
    linhVuc: 'HC.LD',
    loaiDon: ['KHIEU_NAI', 'KIEN_NGHI_PHAN_ANH'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Công ty cổ phần ${s.ten}` }),
    clauses: [
      [
        (s) => `Công ty cổ phần ${s.ten} nợ lương ${int1(s.so)} tháng và không đóng bảo hiểm xã hội cho người lao động`,
        (s) => `doanh nghiệp ${s.ten} chậm trả lương ${int1(s.so)} tháng, chưa đóng bảo hiểm xã hội`,
        (s) => `người lao động của công ty ${s.ten} bị nợ ${int1(s.so)} tháng lương và bảo hiểm`,
      ],
      [(s) => `từ tháng ${s.thang}/${s.nam}`, (s) => `kể từ tháng ${s.thang} năm ${s.nam}`],
      [() => 'không chốt sổ bảo hiểm khi nghỉ việc', () => 'không trả sổ bảo hiểm cho người đã nghỉ'],
      [() => 'buộc công ty trả lương và đóng bảo hiểm', () => 'thanh tra việc chấp hành pháp luật lao động'],
    ],
  },
  {
    id: 'to-cao-can-bo',
    linhVuc: 'TN.TN',
    loaiDon: ['TO_CAO'],
    bi: (s) => ({ loai: 'CA_NHAN', ten: s.nguoi }),
    clauses: [
      [
        (s) => `cán bộ địa chính xã ${s.xa} nhận tiền của dân để làm nhanh giấy chứng nhận quyền sử dụng đất năm ${s.nam}`,
        (s) => `công chức địa chính xã ${s.xa} đòi tiền người dân khi làm sổ đỏ trong năm ${s.nam}`,
        (s) => `việc cán bộ xã ${s.xa} thu tiền ngoài quy định khi cấp giấy chứng nhận đất năm ${s.nam}`,
      ],
      [(s) => `mỗi hồ sơ phải nộp ${int1(s.so)} triệu đồng`, (s) => `số tiền ${int1(s.so)} triệu đồng mỗi bộ hồ sơ`],
      [() => 'có giấy biên nhận và người làm chứng', () => 'người dân có chứng cứ kèm theo'],
    ],
  },
  {
    id: 'thi-hanh-an',
    linhVuc: 'TP.THA',
    loaiDon: ['KHIEU_NAI', 'KIEN_NGHI_PHAN_ANH'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Chi cục Thi hành án dân sự khu vực ${s.ten}` }),
    clauses: [
      [
        (s) => `bản án số ${s.so}/${s.nam}/DS-ST đã có hiệu lực nhưng chưa được thi hành`,
        (s) => `chậm tổ chức thi hành bản án dân sự số ${s.so}/${s.nam}`,
        (s) => `cơ quan thi hành án chưa thi hành bản án ${s.so}/${s.nam}/DS-ST`,
      ],
      [() => 'người phải thi hành án vẫn có tài sản', () => 'bên phải thi hành án có tài sản nhưng không bị cưỡng chế'],
      [() => 'tổ chức cưỡng chế thi hành án', () => 'yêu cầu thi hành án đúng thời hạn'],
    ],
  },
  {
    id: 'so-do',
    linhVuc: 'HC.NO',
    loaiDon: ['KIEN_NGHI_PHAN_ANH', 'KHIEU_NAI'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Chi nhánh Văn phòng đăng ký đất đai khu vực ${s.ten}` }),
    clauses: [
      [
        (s) => `nộp hồ sơ cấp giấy chứng nhận quyền sở hữu nhà ở tại ${s.thon}, xã ${s.xa} từ tháng ${s.thang}/${s.nam} nhưng quá hạn chưa được cấp`,
        (s) => `hồ sơ cấp sổ nhà đất ở ${s.thon} ${s.xa} nộp tháng ${s.thang}/${s.nam} đến nay vẫn chưa có kết quả`,
        (s) => `chậm cấp giấy chứng nhận nhà ở cho gia đình tại xã ${s.xa}, hồ sơ nộp tháng ${s.thang}/${s.nam}`,
      ],
      [() => 'không được thông báo lý do chậm', () => 'cán bộ không giải thích vì sao chậm trễ'],
      [() => 'cấp giấy chứng nhận đúng hạn', () => 'trả kết quả hồ sơ cho gia đình'],
    ],
  },
  {
    id: 'duong-hong',
    linhVuc: 'HC.DTXD',
    loaiDon: ['KIEN_NGHI_PHAN_ANH'],
    clauses: [
      [
        (s) => `tuyến đường liên thôn ${s.thon}, xã ${s.xa} xuống cấp nghiêm trọng sau khi dự án ${s.ten} thi công`,
        (s) => `đường vào ${s.thon} xã ${s.xa} bị hư hỏng nặng do xe của dự án ${s.ten} chạy qua`,
        (s) => `dự án ${s.ten} làm hỏng đường giao thông nông thôn ở ${s.xa}`,
      ],
      [() => 'mùa mưa học sinh không đi học được', () => 'trời mưa lầy lội, đi lại rất khó khăn'],
      [() => 'buộc chủ đầu tư sửa chữa đường', () => 'sớm khắc phục, nâng cấp tuyến đường'],
    ],
  },
  {
    id: 'hoc-phi',
    linhVuc: 'HC.GD',
    loaiDon: ['KIEN_NGHI_PHAN_ANH'],
    bi: (s) => ({ loai: 'CO_QUAN_TO_CHUC', ten: `Trường Tiểu học ${s.ten}` }),
    clauses: [
      [
        (s) => `Trường Tiểu học ${s.ten} xã ${s.xa} thu các khoản ngoài quy định năm học ${s.nam}`,
        (s) => `nhà trường ${s.ten} ở ${s.xa} lạm thu đầu năm học ${s.nam}`,
        (s) => `các khoản thu trái quy định tại trường tiểu học ${s.ten}, xã ${s.xa}, năm ${s.nam}`,
      ],
      [(s) => `mỗi học sinh nộp ${int1(s.so)} trăm nghìn đồng`, (s) => `khoảng ${int1(s.so)} trăm nghìn mỗi em`],
      [() => 'trả lại tiền cho phụ huynh', () => 'chấn chỉnh việc thu chi của nhà trường'],
    ],
  },
];

function int0(n: number): number {
  return 3 + (n % 6);
}
function int1(n: number): number {
  return 2 + (n % 15);
}

const OPENERS = ['', 'Công dân trình bày: ', 'Phản ánh việc ', 'Đề nghị xem xét việc ', 'Nội dung: ', 'Người dân cho biết '];
const CLOSERS = ['Đề nghị ', 'Kính đề nghị cơ quan chức năng ', 'Đề nghị kiểm tra, ', 'Yêu cầu ', 'Mong cơ quan có thẩm quyền '];

export interface RenderOptions {
  /** 0 = the base wording; >0 = another agency re-typing the đơn */
  variant: boolean;
  forwardedBy?: string;
  addressedAs?: string; // "ông X" — the petitioner as written in the text (forwarded copies)
}

/** One agency's text of a matter. The last clause is the request; others may move or be dropped. */
export function renderMatter(r: Rng, t: MatterTemplate, s: MatterSlots, o: RenderOptions): string {
  const pickAlt = (alts: Alt[]) => (o.variant ? pick(r, alts) : alts[0]!)(s);
  const core = pickAlt(t.clauses[0]!);
  const middle = t.clauses.slice(1, -1).map(pickAlt);
  const request = pickAlt(t.clauses[t.clauses.length - 1]!);
  let mids = middle;
  if (o.variant) {
    mids = shuffle(r, middle.filter(() => !chance(r, 0.3)));
  }
  const opener = o.variant ? pick(r, OPENERS) : '';
  const closer = o.variant ? pick(r, CLOSERS) : 'Đề nghị ';
  const body = [core, ...mids].join(o.variant && chance(r, 0.5) ? '; ' : ', ');
  let text = `${opener}${body}. ${closer}${request}.`;
  if (o.forwardedBy) text = `${o.forwardedBy} chuyển đơn${o.addressedAs ? ` của ${o.addressedAs}` : ''}: ${text}`;
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return text.replace(/\s+/g, ' ').trim();
}
