import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildErrorReport, groupIssues, type IssueRow } from '../../src/report/errors.js';
import { dryRun, maskConfidential, formatDryRunTable, MASK } from '../../src/report/dry-run.js';
import { projectPath } from '../../config/index.js';
import { loadReferenceData, buildCatalogues, SAMPLE_DIR } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { generateLocalRecords, qldtJsonl, paknJson } from '../../src/generator/index.js';
import { MAPPERS } from '../../mappers/registry.js';
import { ctx, clock, mapper, SAMPLES, requireSamples } from './helpers.js';

const row = (o: Partial<IssueRow>): IssueRow => ({
  source: 'qldt', agency: '000.00.00.H29', localId: 'LC25-000064', code: 'NHAN_KHONG_XAC_DINH', severity: 'error', origin: 'mapper', at: '2026-11-20T01:00:00.000Z', ...o,
});

describe('error report', () => {
  const rows: IssueRow[] = [
    row({}),
    row({ localId: 'LC25-000065', at: '2026-11-21T01:00:00.000Z' }),
    row({ localId: 'LC25-000065', at: '2026-11-21T02:00:00.000Z' }), // same record again
    row({ agency: '000.00.00.H37', source: 'pakn', localId: 'LCI-1', code: 'SAI_DINH_DANG', origin: 'national', at: '2026-11-19T00:00:00.000Z' }),
    row({ code: 'XA_BI_CHIA_TACH', severity: 'warning', localId: 'LC25-000263' }),
  ];

  it('groups by agency × code with counts, distinct records, first/last seen and recent examples', () => {
    const g = groupIssues(rows);
    expect(g.map((x) => [x.agency, x.code, x.count, x.records])).toEqual([
      ['000.00.00.H29', 'NHAN_KHONG_XAC_DINH', 3, 2],
      ['000.00.00.H29', 'XA_BI_CHIA_TACH', 1, 1],
      ['000.00.00.H37', 'SAI_DINH_DANG', 1, 1],
    ]);
    const first = g[0]!;
    expect(first.firstSeen).toBe('2026-11-20T01:00:00.000Z');
    expect(first.lastSeen).toBe('2026-11-21T02:00:00.000Z');
    expect(first.examples).toEqual(['qldt:LC25-000065', 'qldt:LC25-000064']);
    expect(g[2]!.origins).toEqual(['national']);
  });

  it('filters by --since and --agency', () => {
    expect(groupIssues(rows, { since: '2026-11-21T00:00:00Z' }).map((x) => x.count)).toEqual([2]);
    expect(groupIssues(rows, { agency: '000.00.00.H37' }).map((x) => x.code)).toEqual(['SAI_DINH_DANG']);
  });

  it('CSV has a UTF-8 BOM, CRLF line ends, quoted cells and neutralised formulas', () => {
    const csv = buildErrorReport([...rows, row({ agency: '=HYPERLINK("x")' })], { format: 'csv' });
    expect(csv.startsWith('\uFEFF"Mã đơn vị"')).toBe(true);
    expect(csv.split('\r\n').length).toBe(6); // header + 4 groups + trailing ''
    expect(csv).not.toMatch(/[^\r]\n/);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('JSON and table carry local ids and codes only, with the Vietnamese meaning', () => {
    const j = JSON.parse(buildErrorReport(rows, { format: 'json' })) as { total: number; groups: { meaning: string }[] };
    expect(j.total).toBe(5);
    expect(j.groups[0]!.meaning).toMatch(/Nhãn không khớp/);
    const t = buildErrorReport(rows, { format: 'table' });
    expect(t).toContain('NHAN_KHONG_XAC_DINH');
    expect(t).toContain('Tổng: 5');
    expect(buildErrorReport([], { format: 'table' })).toMatch(/Không có lỗi/);
  });

  it('kntc report errors --from FILE --format csv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kntc-report-'));
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const out = join(dir, 'out.csv');
    const r = spawnSync(process.execPath, [projectPath('bin', 'kntc.js'), 'report', 'errors', '--from', file, '--format', 'csv', '--output', out], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('qldt:LC25-000065; qldt:LC25-000064');
  });
});

describe('dry run (no ../shared needed)', () => {
  // generated exports and catalogues from the simulator's built-in sample: present in every checkout
  const ref = loadReferenceData({ dvhcPath: SAMPLE_DIR, donViPath: join(SAMPLE_DIR, 'don-vi.json') });
  const sampleCtx = { catalogues: makeCatalogues(buildCatalogues(ref)), clock };
  const g = generateLocalRecords({ seed: 11, count: 150, brokenRate: 0.3, now: clock.now(), reference: ref });
  const texts: Record<string, string> = { qldt: qldtJsonl(g.qldt), 'so-tiep': g.soTiep.toCsv(), pakn: paknJson(g.pakn) };

  it('every JSON line carries the mappingVersion of the mapper that produced it (also unreadable lines)', () => {
    for (const [source, text] of Object.entries(texts)) {
      const m = mapper(source);
      expect(m.mappingVersion).toMatch(new RegExp(`^${source}@\\d+\\.\\d+\\.\\d+$`));
      const lines = dryRun(m, text, `${source}.txt`, sampleCtx);
      expect(lines.length, source).toBeGreaterThan(10);
      for (const l of lines) expect(l.mappingVersion, `${source} ${l.localId}`).toBe(m.mappingVersion);
      expect(Object.keys(JSON.parse(JSON.stringify(lines[0])) as object)).toContain('mappingVersion');
    }
    const broken = dryRun(mapper('qldt'), '{"id_don":\n', 'broken.jsonl', sampleCtx);
    expect(broken).toHaveLength(1);
    expect(broken[0]!.ok).toBe(false);
    expect(broken[0]!.mappingVersion).toBe(mapper('qldt').mappingVersion);
  });

  it('a mapper bump shows up in the line: it is read from the result, not a constant', () => {
    const real = MAPPERS.pakn!;
    const bumped = { ...real, mappingVersion: 'pakn@99.0.0', map: (raw: unknown, c: typeof sampleCtx) => ({ ...real.map(raw, c), mappingVersion: 'pakn@99.0.0' }) };
    const lines = dryRun(bumped, texts.pakn!, 'pakn.json', sampleCtx);
    expect(lines.every((l) => l.mappingVersion === 'pakn@99.0.0')).toBe(true);
    expect(formatDryRunTable(lines)).toContain('ánh xạ pakn@99.0.0');
  });

  it('the table shows the mapping version on every record line', () => {
    const lines = dryRun(mapper('so-tiep'), texts['so-tiep']!, 'so-tiep.csv', sampleCtx);
    const t = formatDryRunTable(lines);
    const recordLines = t.split('\n').filter((l) => /^(ĐẠT|LỖI|CẢNH BÁO)/.test(l));
    expect(recordLines).toHaveLength(lines.length);
    for (const l of recordLines) expect(l).toContain(`ánh xạ ${mapper('so-tiep').mappingVersion}`);
  });

  it('masking keeps the shape (fields present, laDaiDien) without values', () => {
    const m = maskConfidential('ho-so-don', { baoMatDanhTinh: true, nguoiDungDon: [{ hoTen: 'A B', soDinhDanh: '012083004719', laDaiDien: true }] });
    expect(m.nguoiDungDon).toEqual([{ hoTen: MASK, soDinhDanh: MASK, laDaiDien: true }]);
    expect(maskConfidential('ho-so-don', { baoMatDanhTinh: false, nguoiDungDon: [{ hoTen: 'A B' }] }).nguoiDungDon).toEqual([{ hoTen: 'A B' }]);
  });
});

describe('dry run on the shared samples (needs ../shared: fails without it)', () => {
  beforeAll(() => requireSamples());

  it('one line per source record; tố cáo petitioners masked unless asked', () => {
    const text = readFileSync(SAMPLES['so-tiep'], 'utf8');
    const lines = dryRun(mapper('so-tiep'), text, SAMPLES['so-tiep'], ctx());
    expect(lines).toHaveLength(25);
    const tc = lines.find((l) => l.localId === 'KT25-0035')!;
    const lt = tc.records.find((r) => r.kind === 'luot-tiep')!.body as { congDan: { hoTen: string }[] };
    expect(lt.congDan[0]!.hoTen).toBe(MASK);
    expect(JSON.stringify(tc)).not.toContain('Võ Minh Nhân');
    expect(JSON.stringify(tc)).not.toContain('051079003672');
    const shown = dryRun(mapper('so-tiep'), text, SAMPLES['so-tiep'], ctx(), { showConfidential: true }).find((l) => l.localId === 'KT25-0035')!;
    expect(JSON.stringify(shown)).toContain('Võ Minh Nhân');
    // other petitioners are shown: it is the integrator's own file
    const kn = lines.find((l) => l.localId === 'KT25-0048')!;
    expect(JSON.stringify(kn)).toContain('Nguyễn Xuân Hãn');
  });

  it('the table is Vietnamese and ends with the totals', () => {
    const lines = dryRun(mapper('pakn'), readFileSync(SAMPLES.pakn, 'utf8'), 'pakn.json', ctx());
    const t = formatDryRunTable(lines);
    expect(t).toContain('Tổng: 25 bản ghi — 22 đạt, 1 gửi kèm cảnh báo, 2 lỗi');
  });

  it('kntc map: exit 0 with errors in records, 2 for an unknown source, 1 for an unreadable file', () => {
    const bin = projectPath('bin', 'kntc.js');
    const data = projectPath('..', 'shared', 'data');
    const ok = spawnSync(process.execPath, [bin, 'map', '--source', 'qldt', SAMPLES.qldt, '--catalogues', data, '--today', '2026-11-22'], { encoding: 'utf8', timeout: 60_000 });
    expect(ok.status, ok.stderr).toBe(0);
    const out = ok.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string; localId: string; ok: boolean; records: unknown[]; issues: unknown[] });
    expect(out).toHaveLength(34);
    expect(out.filter((l) => !l.ok).length).toBeGreaterThan(0);
    expect(Object.keys(out[0]!)).toEqual(expect.arrayContaining(['source', 'localId', 'ok', 'records', 'issues']));
    const bad = spawnSync(process.execPath, [bin, 'map', '--source', 'nope', SAMPLES.qldt, '--catalogues', data], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    const missing = spawnSync(process.execPath, [bin, 'map', '--source', 'qldt', '/nonexistent/file.jsonl', '--catalogues', data], { encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read');
  });
});
