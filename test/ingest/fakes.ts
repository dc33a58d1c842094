/**
 * Test doubles for the HTTP-level tests: a Pipeline implementing team interface G that
 * counts what it was asked to store, and minimal mappers whose identify() reads the
 * same fields as the real ones (qldt id_don/phien_ban/ma_don_vi, pakn
 * feedbackId/revision/agencyCode, so-tiep "Mã lượt tiếp"/"Mã đơn vị"/version).
 */
import { Writable } from 'node:stream';
import type { SourceMapper, MapResult, ParsedRecord } from '../../mappers/types.js';
import type { AcceptResult, IngestPipeline, RecordStatus } from '../../src/ingest/types.js';

export class FakePipeline implements IngestPipeline {
  acceptCalls: { source: string; raws: unknown[]; via: { channel: string; keyId?: string } }[] = [];
  readyResult: { ok: boolean; reason?: string } = { ok: true };
  failAccept = false;
  statuses = new Map<string, RecordStatus>();
  closed = false;

  get acceptedRecords(): number {
    return this.acceptCalls.reduce((n, c) => n + c.raws.length, 0);
  }
  async accept(source: string, raws: unknown[], via: { channel: 'api' | 'cli'; keyId?: string }): Promise<AcceptResult[]> {
    if (this.failAccept) throw Object.assign(new Error('Connection is closed.'), { code: 'ECONNREFUSED' });
    this.acceptCalls.push({ source, raws, via });
    const m = FAKE_MAPPERS[source]!;
    return raws.map((raw, index) => {
      const id = m.identify(raw)!;
      const trackingId = `trk-${source}-${id.localId}`;
      this.statuses.set(`${source}|${id.agency}|${id.localId}`, {
        source, agency: id.agency, localId: id.localId, trackingId, state: 'received', latestVersion: id.version,
        nationalIds: {}, issues: [], history: [{ at: '2026-01-01T00:00:00.000Z', state: 'received', version: id.version }],
      });
      return { index, trackingId, source, agency: id.agency, localId: id.localId, version: id.version, outcome: 'accepted' as const };
    });
  }
  async status(source: string, agency: string, localId: string): Promise<RecordStatus | undefined> {
    return this.statuses.get(`${source}|${agency}|${localId}`);
  }
  async ready() {
    return this.readyResult;
  }
  async counts() {
    return { map: { waiting: this.acceptedRecords, active: 0, delayed: 0, failed: 0, completed: 0 } };
  }
  async close() {
    this.closed = true;
  }
}

function fakeMapper(name: string, pick: (r: Record<string, unknown>) => { localId: unknown; version: unknown; agency: unknown }): SourceMapper {
  return {
    name,
    title: name,
    mappingVersion: 'fake-1',
    parse(text: string): ParsedRecord<unknown>[] {
      return text.split(/\r?\n/).flatMap<ParsedRecord<unknown>>((line, i) => {
        if (!line.trim()) return [];
        try {
          return [{ ok: true as const, raw: JSON.parse(line) as unknown, line: i + 1 }];
        } catch {
          return [{ ok: false as const, line: i + 1, text: line, issue: { code: 'DONG_KHONG_DOC_DUOC', severity: 'error' as const, source: '', message: 'Không đọc được dòng' } }];
        }
      });
    },
    identify(raw: unknown) {
      if (!raw || typeof raw !== 'object') return undefined;
      const p = pick(raw as Record<string, unknown>);
      if (typeof p.localId !== 'string' || typeof p.agency !== 'string' || typeof p.version !== 'number') return undefined;
      return { localId: p.localId, version: p.version, agency: p.agency };
    },
    map(): MapResult {
      throw new Error('not used');
    },
  };
}

export const FAKE_MAPPERS: Record<string, SourceMapper> = {
  qldt: fakeMapper('qldt', (r) => ({ localId: r.id_don, version: r.phien_ban, agency: r.ma_don_vi })),
  pakn: fakeMapper('pakn', (r) => ({ localId: r.feedbackId, version: r.revision, agency: r.agencyCode })),
  'so-tiep': fakeMapper('so-tiep', (r) => ({ localId: r['Mã lượt tiếp'], version: r.version, agency: r['Mã đơn vị'] })),
};
export const fakeLookup = (s: string) => FAKE_MAPPERS[s];

/** Collects pino output (one JSON line per write). */
export class LogSink extends Writable {
  chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/** A qldt record carrying personal values the logs must never show. */
export const PERSON_NAME = 'Nguyễn Thị Kiều Oanh';
export const PERSON_ID = '012186004321';
export function qldtRecord(id: string, agency = '000.00.00.H29', version = 1): Record<string, unknown> {
  return {
    id_don: id, phien_ban: version, ma_don_vi: agency, ngay_nhan: '12/11/2025', nguon: 'Trực tiếp', loai_don: 'Kiến nghị',
    linh_vuc: 'Đất đai', noi_dung: 'Đề nghị cấp Giấy chứng nhận quyền sử dụng đất.',
    nguoi_dung_don: [{ ho_ten: PERSON_NAME, cmnd_cccd: PERSON_ID, nam_sinh: 1986, gioi_tinh: 'Nữ', dia_chi: 'Bản Nà Đon, xã Bình Lư, huyện Tam Đường, tỉnh Lai Châu', dien_thoai: '0912884301' }],
    so_nguoi: 1, nac_danh: 0, du_dieu_kien: 'Đủ điều kiện', huong_xu_ly: 'Thụ lý giải quyết', ngay_xu_ly: '19/11/2025',
  };
}
