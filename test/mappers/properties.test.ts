/**
 * Property-based: 10,000 generated and mutated records per source (records of the synthetic
 * generator src/generator — realistic, with its labelled broken kinds — with 0–4 random
 * mutations each: fields set to odd values of any type, deleted, unknown fields added, nested
 * people broken). For every one of them:
 *  - map never throws, and never falls back to LOI_ANH_XA (no internal exception at all);
 *  - every record it lets through passes the national zod schema AND the national validator;
 *  - every blocked result has ≥ 1 error issue, and every error's source pointer is a valid
 *    RFC 6901 pointer that resolves in the source record (or its parent, for a missing field).
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import fc from 'fast-check';
import { HoSoDon, LuotTiep } from '../../src/contract/schemas.js';
import { validateHoSoDon, validateLuotTiep } from '../../src/contract/validate.js';
import { resolvePointer, parentPointer, parsePointer } from '../../mappers/common/pointer.js';
import type { Catalogues, MapContext, MapResult } from '../../mappers/types.js';
import { loadReferenceData, buildCatalogues, SAMPLE_DIR } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { generateLocalRecords, qldtJsonl, paknJson } from '../../src/generator/index.js';
import { TODAY, clock, mapper } from './helpers.js';

const RUNS = 10_000;

/*
 * Nothing here reads ../shared: the reference data is the simulator's built-in sample
 * (src/simulator/sample, in every checkout) — the generator draws its addresses and agencies
 * from it and the catalogues are built from it, so a generated record is exactly as resolvable
 * as a real one against the full data. The samples themselves are covered by samples.test.ts
 * and round-trip.test.ts.
 */
const REFERENCE = loadReferenceData({ dvhcPath: SAMPLE_DIR, donViPath: join(SAMPLE_DIR, 'don-vi.json') });
const CATALOGUES: Catalogues = makeCatalogues(buildCatalogues(REFERENCE));
const catalogues = (): Catalogues => CATALOGUES;
const ctx = (): MapContext => ({ catalogues: CATALOGUES, clock });

type Source = 'qldt' | 'so-tiep' | 'pakn';
/** Generated exports (fixed seed, "now" = the test clock so every date is in the past), parsed by each mapper. */
const GENERATED = generateLocalRecords({ seed: 20261122, count: 600, brokenRate: 0.25, duplicateRate: 0.1, now: clock.now(), reference: REFERENCE });
const TEXTS: Record<Source, string> = { qldt: qldtJsonl(GENERATED.qldt), 'so-tiep': GENERATED.soTiep.toCsv(), pakn: paknJson(GENERATED.pakn) };
function basesOf(source: Source): unknown[] {
  return mapper(source).parse(TEXTS[source], `${source}-generated`).map((p) => {
    if (!p.ok) throw new Error(`generated ${source} line ${p.line} does not parse: ${p.issue.code}`);
    return p.raw;
  });
}

const ODD_STRINGS = [
  '', ' ', 'x', 'X ', 'abc', '0', '-1', '1e3', '31/02/2025', '07/10/2052', '2025-13-01', '5/1/25', '2025-06-30T18:20:00Z',
  '2025-06-30T22:15:00+07:00', '2025-07-03', '29/02/2024', '012083004719', '036188002415', '040512387', '62086001457',
  '+84 912 345 678', '84912345678', '0912.345.678', 'Nam', 'Nữ', 'Khác', 'Tố cáo', 'TC/1', 'KN,PA/12', 'Khiếu nại/0', '/', 'KN/x',
  'Nguyễn Văn An'.normalize('NFD'), 'Lường Văn  Tuyển', 'Nguyeenx Thanh Tùng', 'a\u0000b', 'dòng 1\ndòng 2', 'tab\there',
  'Sở Nội vụ tỉnh Lai Châu', 'UBND tỉnh Lai Châu', 'Thanh tra tỉnh', 'Chi nhánh Văn phòng đăng ký đất đai khu vực Đắk Hà',
  'xã Bản Giang, huyện Tam Đường, tỉnh Lai Châu', 'Huyện Phong Thổ, tỉnh Lai Châu', "xã Ia Dom, huyện Ia H' Drai, tỉnh Kon Tum",
  'Đất đai', 'Tham nhũng', 'An ninh trật tự', 'Thụ lý giải quyết', 'Chuyển đơn', 'Đủ điều kiện', 'Không đủ điều kiện',
  'Đã giải quyết', 'Đúng một phần', 'dat-dai', 'dien-nuoc', 'giao-thong', 'answered', 'rejected', 'processing',
  '15', '10', '02647', '02644', '04540', '000.00.00.H29', '000.00.09.H37', 'H29', 'A; B', ';;', ' - ', 'Tên - ', '\u200b',
  'ư'.repeat(101), 'a'.repeat(4001), '🙂🙂', '__proto__', 'constructor',
];

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false, 0, 1, 2, 5, 12, -3, 1.5, 1e21, Number.NaN) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [null], ['x'], { a: 1 }, [{}], [{ ho_ten: null }]) },
);

type Mutation = { path: string[]; op: 'set' | 'delete'; value: unknown };

function apply(base: unknown, muts: Mutation[]): unknown {
  const raw = structuredClone(base) as Record<string, unknown>;
  for (const m of muts) {
    let cur: unknown = raw;
    for (const k of m.path.slice(0, -1)) {
      if (cur === null || typeof cur !== 'object') break;
      cur = (cur as Record<string, unknown>)[k];
    }
    if (cur === null || typeof cur !== 'object') continue;
    const last = m.path[m.path.length - 1]!;
    if (m.op === 'delete') delete (cur as Record<string, unknown>)[last];
    else (cur as Record<string, unknown>)[last] = m.value;
  }
  return raw;
}

function check(raw: unknown, r: MapResult): void {
  const cat = catalogues();
  const vctx = { catalogues: cat, today: TODAY };
  if (r.issues.some((i) => i.code === 'LOI_ANH_XA')) throw new Error('internal exception (LOI_ANH_XA)');
  for (const rec of r.records) {
    const zod = rec.kind === 'ho-so-don' ? HoSoDon.safeParse(rec.body) : LuotTiep.safeParse(rec.body);
    if (!zod.success) throw new Error(`sent body fails the schema: ${zod.error.message}`);
    const v = rec.kind === 'ho-so-don' ? validateHoSoDon(rec.body, vctx) : validateLuotTiep(rec.body, vctx);
    if (v.length) throw new Error(`sent body fails the validator: ${JSON.stringify(v)}`);
    // a record that is sent carries no error issue of its own
    if (r.issues.some((i) => i.severity === 'error' && i.recordKind === rec.kind)) throw new Error('sent with an error');
  }
  if (!r.ok && !r.issues.some((i) => i.severity === 'error')) throw new Error('blocked without an error issue');
  for (const i of r.issues) {
    if (parsePointer(i.source) === undefined) throw new Error(`invalid pointer ${i.source}`);
    if (i.national !== undefined && parsePointer(i.national) === undefined) throw new Error(`invalid national pointer ${i.national}`);
    if (i.severity !== 'error') continue;
    if (!resolvePointer(raw, i.source).found && !resolvePointer(raw, parentPointer(i.source)).found) {
      throw new Error(`source pointer ${i.source} (${i.code}) resolves neither itself nor its parent`);
    }
  }
}

function property(source: Source, paths: string[][]) {
  const bases = basesOf(source);
  expect(bases.length, `generated ${source} records`).toBeGreaterThan(100);
  const m = mapper(source);
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    path: fc.constantFrom(...paths),
    op: fc.constantFrom<'set' | 'delete'>('set', 'set', 'set', 'delete'),
    value: oddValue,
  });
  const arb = fc.record({
    base: fc.integer({ min: 0, max: bases.length - 1 }),
    muts: fc.array(mutation, { maxLength: 4 }),
    extra: fc.option(fc.constantFrom('khong_ro', 'unknown', '__proto__'), { nil: undefined }),
  });
  let blocked = 0;
  let sent = 0;
  fc.assert(
    fc.property(arb, ({ base, muts, extra }) => {
      const raw = apply(bases[base], muts) as Record<string, unknown>;
      if (extra) Object.defineProperty(raw, extra, { value: 'x', enumerable: true, configurable: true, writable: true });
      let r: MapResult;
      try {
        r = m.map(raw, ctx());
      } catch (e) {
        throw new Error(`map threw: ${(e as Error).message}`);
      }
      check(raw, r);
      if (r.ok) sent++;
      else blocked++;
    }),
    { numRuns: RUNS, seed: 20261122 },
  );
  // the generator really exercises both paths
  expect(sent).toBeGreaterThan(RUNS / 20);
  expect(blocked).toBeGreaterThan(RUNS / 20);
}

describe('property: 10,000 mutated records per source', () => {
  it('the generated bases are realistic: mostly sent, some blocked, without mutation', () => {
    for (const source of ['qldt', 'so-tiep', 'pakn'] as const) {
      const results = basesOf(source).map((raw) => mapper(source).map(raw, ctx()));
      const sent = results.filter((r) => r.ok).length;
      expect(sent / results.length, source).toBeGreaterThan(0.5);
      expect(results.length - sent, source).toBeGreaterThan(0);
      for (const r of results) expect(r.issues.map((i) => i.code), `${source} ${r.localId}`).not.toContain('LOI_ANH_XA');
    }
  });

  it('qldt', () => {
    const top = ['id_don', 'phien_ban', 'ma_don_vi', 'ngay_nhan', 'nguon', 'co_quan_chuyen', 'so_cv_chuyen', 'ngay_chuyen', 'loai_don',
      'linh_vuc', 'noi_dung', 'nguoi_dung_don', 'so_nguoi', 'nac_danh', 'doi_tuong', 'du_dieu_kien', 'ly_do_khong_du', 'huong_xu_ly',
      'ngay_xu_ly', 'noi_nhan_chuyen', 'ket_qua_giai_quyet'].map((k) => [k]);
    const person = ['ho_ten', 'cmnd_cccd', 'nam_sinh', 'gioi_tinh', 'dia_chi', 'dien_thoai'].flatMap((k) => [['nguoi_dung_don', '0', k], ['nguoi_dung_don', '1', k]]);
    const kq = ['trang_thai', 'lan', 'ngay_thu_ly', 'han_giai_quyet', 'ngay_ket_thuc', 'so_qd', 'ket_luan'].map((k) => ['ket_qua_giai_quyet', k]);
    property('qldt', [...top, ...top, ...person, ...kq, ['nguoi_dung_don', '0'], ['nguoi_dung_don', '5']]);
  });

  it('so-tiep', () => {
    const cols = ['Mã lượt tiếp', 'Mã đơn vị', 'STT', 'Ngày tiếp', 'Họ tên - Địa chỉ', 'CMND/Hộ chiếu của công dân', 'Nội dung vụ việc',
      'Phân loại đơn/Số người', 'Cơ quan đã giải quyết', 'Thụ lý để giải quyết', 'Trả lại đơn và hướng dẫn',
      'Chuyển đơn đến cơ quan có thẩm quyền', 'Theo dõi kết quả giải quyết', 'Ghi chú', '#xuat-luc'].map((k) => [k]);
    property('so-tiep', cols);
  });

  it('pakn', () => {
    const top = ['feedbackId', 'revision', 'agencyCode', 'submittedAt', 'channel', 'title', 'content', 'category', 'citizen',
      'isAnonymous', 'status', 'answer'].map((k) => [k]);
    const cit = ['fullName', 'idNumber', 'phone', 'email', 'address'].map((k) => ['citizen', k]);
    const ad = ['provinceCode', 'wardCode', 'street'].map((k) => ['citizen', 'address', k]);
    const an = ['answeredAt', 'summary'].map((k) => ['answer', k]);
    property('pakn', [...top, ...top, ...cit, ...ad, ...an]);
  });

  it('parse never throws on arbitrary text (or garbled samples)', () => {
    for (const source of ['qldt', 'so-tiep', 'pakn']) {
      const m = mapper(source);
      fc.assert(
        fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (text) => {
          const parsed = m.parse(text, 'x.txt');
          for (const p of parsed) if (p.ok) check(p.raw, m.map(p.raw, ctx()));
        }),
        { numRuns: 1000, seed: 7 },
      );
    }
  });

  it('map of non-objects (null, arrays, strings, numbers) is an error, never a throw', () => {
    for (const source of ['qldt', 'so-tiep', 'pakn']) {
      for (const raw of [null, undefined, 0, 'x', [], [1], true]) {
        const r = mapper(source).map(raw, ctx());
        expect(r.ok).toBe(false);
        expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
      }
    }
  });
});

describe('guard', () => {
  it('an unexpected exception inside a mapper becomes LOI_ANH_XA, not a crash', () => {
    // a catalogue set whose lookups throw simulates a bug deep inside the conversion
    const broken = { get: () => { throw new Error('boom'); }, byCode: () => { throw new Error('boom'); } };
    for (const source of ['qldt', 'so-tiep', 'pakn']) {
      const raw = basesOf(source as Source).at(0)!;
      const r = mapper(source).map(raw, { catalogues: broken, clock: ctx().clock });
      expect(r.ok).toBe(false);
      expect(r.records).toEqual([]);
      expect(r.issues.map((i) => i.code)).toContain('LOI_ANH_XA');
      expect(r.localId).not.toBe('');
    }
  });
});
