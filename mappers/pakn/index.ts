/**
 * pakn — online "phản ánh, kiến nghị" portal, JSON array export. Always
 * KIEN_NGHI_PHAN_ANH received TRUC_TUYEN; addresses carry administrative codes in the
 * era of submission (old codes before 1 July 2025). Receipt date = the Vietnam-local
 * date of `submittedAt`. Field meanings: ../shared/design/local-sources.md §C.
 *
 * Portal status → handling (the portal keeps no separate triage step):
 *  - received, processing → DU_DIEU_KIEN, no xuLy (no handling date is known yet);
 *  - answered → xuLy THU_LY on the answer date, giaiQuyet DA_GIAI_QUYET / DA_TRA_LOI ending that day;
 *  - rejected → KHONG_DU_DIEU_KIEN, lyDoKhongDu = the answer text, xuLy TRA_LAI on the answer date.
 */
import type { MapContext, MapResult, ParsedRecord, SourceMapper } from '../types.js';
import { MA_NGUON_RE } from '../../src/contract/schemas.js';
import { eraOf } from '../../src/vn/dates.js';
import { makeIssue } from '../issues.js';
import { Draft, finishDraft } from '../common/draft.js';
import { put, readInstantDate, readText } from '../common/fields.js';
import { buildPerson } from '../common/person.js';
import { assemble, guarded } from '../common/result.js';
import { blank, int, isRecord, text } from '../common/values.js';

export const MAPPING_VERSION = 'pakn@1.0.0';
const SOURCE = 'pakn';

/**
 * Portal category slug → leaf code of `linh-vuc`. `giao-thong`: transport infrastructure
 * is state-managed by the construction sector since the 2025 merger of the transport
 * ministry into Bộ Xây dựng (and Sở GTVT into Sở Xây dựng), so HC.DTXD "đầu tư, xây dựng"
 * is the honest leaf; the catalogue has no transport leaf. Unknown slugs are errors.
 */
export const PAKN_CATEGORIES: Readonly<Record<string, string>> = {
  'dat-dai': 'HC.DD',
  'moi-truong': 'HC.MT',
  'xay-dung': 'HC.DTXD',
  'giao-thong': 'HC.DTXD',
  'y-te': 'HC.YT',
  'giao-duc': 'HC.GD',
  'an-sinh': 'HC.CS',
  khac: 'KHAC.KHAC',
};

export type PaknRaw = Record<string, unknown>;

function parse(textIn: string): ParsedRecord<PaknRaw>[] {
  let v: unknown;
  try {
    v = JSON.parse(textIn.replace(/^\uFEFF/, ''));
  } catch {
    return [{ ok: false, line: 1, text: '', issue: makeIssue('KHONG_DOC_DUOC', { source: '', truong: '1', chiTiet: 'tệp không phải JSON hợp lệ.' }) }];
  }
  const items = Array.isArray(v) ? v : [v];
  return items.map((raw, i): ParsedRecord<PaknRaw> =>
    isRecord(raw)
      ? { ok: true, raw, line: i + 1 }
      : { ok: false, line: i + 1, text: JSON.stringify(raw) ?? '', issue: makeIssue('KHONG_DOC_DUOC', { source: `/${i}`, truong: String(i + 1), chiTiet: 'phần tử không phải một đối tượng.' }) },
  );
}

function identify(raw: PaknRaw): { localId: string; version: number; agency: string } | undefined {
  if (!isRecord(raw)) return undefined;
  const localId = typeof raw.feedbackId === 'string' ? raw.feedbackId.trim() : '';
  const version = int(raw.revision);
  if (!localId || !MA_NGUON_RE.test(localId) || version === undefined || version < 1) return undefined;
  return { localId, version, agency: typeof raw.agencyCode === 'string' ? raw.agencyCode.trim() : '' };
}

function mapPakn(raw: PaknRaw, ctx: MapContext): MapResult {
  const cat = ctx.catalogues;
  const today = ctx.clock.today();
  const meta = {
    source: SOURCE,
    localId: isRecord(raw) && typeof raw.feedbackId === 'string' ? raw.feedbackId.trim() : '',
    version: (isRecord(raw) ? int(raw.revision) : undefined) ?? 0,
    agency: isRecord(raw) && typeof raw.agencyCode === 'string' ? raw.agencyCode.trim() : '',
    mappingVersion: MAPPING_VERSION,
  };
  if (!isRecord(raw)) return assemble(meta, [], [makeIssue('SAI_KIEU', { source: '', recordKind: 'ho-so-don' })]);
  const d = new Draft('ho-so-don');
  const b = d.body;

  d.from('/maDonVi', '/agencyCode').from('/maHoSoNguon', '/feedbackId').from('/phienBanNguon', '/revision');
  put(b, 'maDonVi', text(raw.agencyCode)?.trim());
  put(b, 'maHoSoNguon', text(raw.feedbackId)?.trim());
  if (!blank(raw.revision)) {
    const v = int(raw.revision);
    if (v === undefined) d.add('SAI_KIEU', { national: '/phienBanNguon', source: '/revision' });
    else b.phienBanNguon = v;
  }

  const ngay = readInstantDate(d, '/ngayNhanDon', raw.submittedAt, '/submittedAt', { today, notFuture: true, required: true });
  put(b, 'ngayNhanDon', ngay);
  const era = ngay ? eraOf(ngay) : null;

  d.from('/nguonDon', '/channel').from('/loaiDon', '').from('/linhVuc', '/category');
  b.nguonDon = 'TRUC_TUYEN';
  b.loaiDon = 'KIEN_NGHI_PHAN_ANH';
  if (blank(raw.category)) d.add('THIEU_TRUONG', { national: '/linhVuc', source: '/category' });
  else {
    const slug = typeof raw.category === 'string' ? raw.category.trim().toLowerCase() : '';
    const code = Object.prototype.hasOwnProperty.call(PAKN_CATEGORIES, slug) ? PAKN_CATEGORIES[slug] : undefined;
    const item = code ? cat.byCode('linh-vuc', code) : undefined;
    if (!code || !item || item.conHieuLuc === false) d.add('NHAN_KHONG_XAC_DINH', { national: '/linhVuc', source: '/category', nhan: 'linh-vuc' });
    else b.linhVuc = code;
  }

  // summary: the title, then the citizen's text, both as written
  d.from('/noiDungTomTat', '/content');
  const title = readText(d, '/noiDungTomTat', raw.title, '/title', { multiline: true });
  const content = readText(d, '/noiDungTomTat', raw.content, '/content', { multiline: true, required: true });
  d.from('/noiDungTomTat', '/content');
  if (content !== undefined) b.noiDungTomTat = title ? `${title}\n${content}` : content;

  d.from('/anDanh', '/isAnonymous');
  let anDanh = false;
  if (!blank(raw.isAnonymous)) {
    if (typeof raw.isAnonymous !== 'boolean') d.add('SAI_KIEU', { national: '/anDanh', source: '/isAnonymous' });
    else anDanh = raw.isAnonymous;
  }
  b.anDanh = anDanh;
  b.baoMatDanhTinh = false;
  b.soNguoi = 1;

  d.from('/nguoiDungDon', '/citizen');
  const people: Record<string, unknown>[] = [];
  const c = raw.citizen;
  if (!anDanh && isRecord(c)) {
    // the citizen chose anonymity → nothing of them is sent (even if the portal kept it)
    const a = c.address;
    d.from('/nguoiDungDon/0', '/citizen');
    people.push(buildPerson(d, '/nguoiDungDon/0', {
      hoTen: c.fullName, hoTenSource: '/citizen/fullName',
      idNumber: c.idNumber, idSource: '/citizen/idNumber',
      phone: c.phone, phoneSource: '/citizen/phone',
      ...(isRecord(a)
        ? {
            address: {
              codes: { maTinh: a.provinceCode, maXa: a.wardCode, chiTiet: a.street },
              source: '/citizen/address',
              maTinhSource: '/citizen/address/provinceCode',
              maXaSource: '/citizen/address/wardCode',
              chiTietSource: '/citizen/address/street',
            },
          }
        : {}),
    }, { catalogues: cat, era, year: Number(today.slice(0, 4)) }));
    if (!isRecord(a)) d.from('/nguoiDungDon/0/diaChi', blank(a) ? '/citizen' : '/citizen/address');
    if (!blank(a) && !isRecord(a)) d.add('SAI_KIEU', { national: '/nguoiDungDon/0/diaChi', source: '/citizen/address' });
  } else if (!anDanh && !blank(c)) {
    d.add('SAI_KIEU', { national: '/nguoiDungDon', source: '/citizen' });
  }
  b.nguoiDungDon = people;

  // status → handling
  const status = typeof raw.status === 'string' ? raw.status.trim().toLowerCase() : '';
  const ans = isRecord(raw.answer) ? raw.answer : undefined;
  d.from('/dieuKienXuLy', '/status').from('/xuLy', '/status').from('/giaiQuyet', '/status');
  const answerDate = () => readInstantDate(d, '/xuLy/ngayXuLy', ans?.answeredAt, ans ? '/answer/answeredAt' : '/answer', { today, notFuture: true, required: true });
  if (status === 'received' || status === 'processing') {
    b.dieuKienXuLy = 'DU_DIEU_KIEN';
  } else if (status === 'answered') {
    b.dieuKienXuLy = 'DU_DIEU_KIEN';
    const day = answerDate();
    const x: Record<string, unknown> = { huong: 'THU_LY' };
    put(x, 'ngayXuLy', day);
    b.xuLy = x;
    const g: Record<string, unknown> = { trangThai: 'DA_GIAI_QUYET', ketQua: 'DA_TRA_LOI' };
    put(g, 'ngayKetThuc', day);
    b.giaiQuyet = g;
  } else if (status === 'rejected') {
    b.dieuKienXuLy = 'KHONG_DU_DIEU_KIEN';
    d.from('/lyDoKhongDu', ans ? '/answer/summary' : '/answer');
    put(b, 'lyDoKhongDu', readText(d, '/lyDoKhongDu', ans?.summary, ans ? '/answer/summary' : '/answer', { multiline: true, required: true }));
    const x: Record<string, unknown> = { huong: 'TRA_LAI' };
    put(x, 'ngayXuLy', answerDate());
    b.xuLy = x;
  } else if (blank(raw.status)) {
    d.add('THIEU_TRUONG', { national: '/dieuKienXuLy', source: '/status' });
  } else {
    d.add('NHAN_KHONG_XAC_DINH', { national: '/dieuKienXuLy', source: '/status', nhan: 'trạng thái cổng PAKN' });
  }

  b.dacTrungLienKet = { thuatToan: 'none', khoa: [], dacTrung: {} };
  return assemble(meta, [finishDraft(d, { catalogues: cat, today })]);
}

export const pakn: SourceMapper<PaknRaw> = {
  name: SOURCE,
  title: 'Cổng tiếp nhận phản ánh, kiến nghị trực tuyến (JSON)',
  mappingVersion: MAPPING_VERSION,
  parse,
  identify: (raw) => {
    try {
      return identify(raw);
    } catch {
      return undefined;
    }
  },
  map: guarded({ source: SOURCE, mappingVersion: MAPPING_VERSION, kinds: ['ho-so-don'] }, identify, mapPakn),
};
