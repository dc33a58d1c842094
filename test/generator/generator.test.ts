import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { writeGenerated } from '../../src/cli/commands/generate.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { generateLocalRecords, qldtJsonl, paknJson, PROBLEMS, type GeneratedData, type SourceName } from '../../src/generator/index.js';
import { loadReferenceData, buildCatalogues, SAMPLE_DIR, type ReferenceData } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { checkCccd } from '../../src/vn/identity.js';
import { localDateOf, todayLocal } from '../../src/vn/dates.js';
import { getMapper } from '../../mappers/registry.js';
import type { Catalogues, MapResult } from '../../mappers/types.js';

const NOW = new Date('2026-03-31T10:00:00Z');
const clock = { now: () => NOW, today: () => todayLocal(NOW) };

function texts(g: GeneratedData): Record<SourceName, string> {
  return { qldt: qldtJsonl(g.qldt), 'so-tiep': g.soTiep.toCsv(), pakn: paknJson(g.pakn) };
}

/** Final version of every local record, mapped with the real mapper. */
function mapFinal(g: GeneratedData, cat: Catalogues): Map<string, MapResult> {
  const out = new Map<string, MapResult>();
  for (const [src, text] of Object.entries(texts(g))) {
    const m = getMapper(src)!;
    const latest = new Map<string, { v: number; raw: unknown }>();
    for (const p of m.parse(text, src === 'so-tiep' ? 'so-tiep.csv' : undefined)) {
      expect(p.ok, `${src} line ${p.line} parses`).toBe(true);
      if (!p.ok) continue;
      const id = m.identify(p.raw);
      expect(id, `${src} line ${p.line} is identifiable`).toBeDefined();
      const prev = latest.get(id!.localId);
      if (!prev || prev.v < id!.version) latest.set(id!.localId, { v: id!.version, raw: p.raw });
    }
    for (const [id, { raw }] of latest) out.set(`${src}|${id}`, m.map(raw, { catalogues: cat, clock }));
  }
  return out;
}

const hasError = (r: MapResult) => r.issues.some((i) => i.severity === 'error');

describe('generateLocalRecords', () => {
  let ref: ReferenceData;
  let cat: Catalogues;
  let g: GeneratedData;
  beforeAll(() => {
    ref = loadReferenceData();
    cat = makeCatalogues(buildCatalogues(ref));
    g = generateLocalRecords({ seed: 42, count: 600, now: NOW, reference: ref });
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateLocalRecords({ seed: 42, count: 600, now: NOW, reference: ref });
    expect(texts(again)).toEqual(texts(g));
    expect(again.labels).toEqual(g.labels);
    const other = generateLocalRecords({ seed: 43, count: 600, now: NOW, reference: ref });
    expect(qldtJsonl(other.qldt)).not.toEqual(qldtJsonl(g.qldt));
  });

  it('produces about `count` records across the three sources', () => {
    const s = g.stats.records;
    expect(s.qldt + s['so-tiep'] + s.pakn).toBe(600);
    for (const n of Object.values(s)) expect(n).toBeGreaterThan(60);
    expect(g.soTiep.rows.length).toBe(s['so-tiep']);
    expect(g.pakn.length).toBe(s.pakn);
  });

  it('writes the so-tiep export format exactly: BOM, # xuat-luc line, CRLF, quoted cells that round-trip through csv-parse', () => {
    const csv = g.soTiep.toCsv();
    expect(csv.startsWith('\uFEFF# xuat-luc: ')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const firstLine = csv.slice(1, csv.indexOf('\r\n'));
    expect(firstLine).toBe(`# xuat-luc: ${g.soTiep.exportedAt}`);
    expect(g.soTiep.exportedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
    const body = csv.slice(csv.indexOf('\r\n') + 2);
    const rows = parseCsv(body, { relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual(g.soTiep.header);
    expect(rows.slice(1)).toEqual(g.soTiep.rows);
    expect(rows[0]).toHaveLength(14);
    // every record line ends in CRLF (line breaks inside cells are plain \n inside quotes)
    expect(body.split('\r\n').length - 1).toBe(g.soTiep.rows.length + 1);
  });

  it('so-tiep: quotes inside cells are doubled and multi-line cells survive', () => {
    const big = generateLocalRecords({ seed: 5, count: 900, now: NOW, reference: ref, sources: ['so-tiep'] });
    const withQuote = big.soTiep.rows.filter((r) => r.some((c) => c.includes('"')));
    const withBreak = big.soTiep.rows.filter((r) => r.some((c) => c.includes('\n')));
    expect(withQuote.length).toBeGreaterThan(0);
    expect(withBreak.length).toBeGreaterThan(0);
    const csv = big.soTiep.toCsv();
    const parsed = getMapper('so-tiep')!.parse(csv, 'so-tiep.csv');
    expect(parsed).toHaveLength(big.soTiep.rows.length);
    const one = withBreak[0]!;
    const raw = parsed.find((p) => p.ok && (p.raw as Record<string, string>)['Mã lượt tiếp'] === one[0]);
    expect(raw?.ok && (raw.raw as Record<string, string>)['Nội dung vụ việc']).toBe(one[6]);
  });

  it('qldt: several versions per id, some out of order, some byte-identical repeats', () => {
    const lines = qldtJsonl(g.qldt).trimEnd().split('\n');
    const versions = new Map<string, number[]>();
    for (const l of g.qldt) versions.set(l.id_don as string, [...(versions.get(l.id_don as string) ?? []), l.phien_ban as number]);
    const multi = [...versions.values()].filter((v) => new Set(v).size > 1);
    expect(multi.length).toBeGreaterThan(10);
    expect([...versions.values()].some((v) => v.some((x, i) => i > 0 && x < v[i - 1]!))).toBe(true);
    expect(new Set(lines).size).toBeLessThan(lines.length);
  });

  it('non-broken records map with the real mappers and catalogues, and every labelled broken record gets an error', () => {
    const mapped = mapFinal(g, cat);
    const broken = new Set(g.labels.broken.map((b) => `${b.source}|${b.localId}`));
    expect(broken.size).toBe(g.labels.broken.length);
    for (const key of broken) {
      const r = mapped.get(key);
      expect(r, `${key} exists in the output`).toBeDefined();
      expect(hasError(r!), `${key} (${g.labels.broken.find((b) => `${b.source}|${b.localId}` === key)!.problem}) has an error`).toBe(true);
    }
    const clean = [...mapped].filter(([k]) => !broken.has(k));
    const ok = clean.filter(([, r]) => !hasError(r));
    expect(ok.length / clean.length).toBeGreaterThanOrEqual(0.85);
    // and the broken share is near the requested rate (default 8 %)
    expect(broken.size / mapped.size).toBeGreaterThan(0.03);
    expect(broken.size / mapped.size).toBeLessThan(0.15);
  });

  it('every problem kind, forced on every record, ends as a mapping error', () => {
    const all = generateLocalRecords({ seed: 9, count: 500, now: NOW, reference: ref, brokenRate: 1, duplicateRate: 0 });
    const kinds = new Set(all.labels.broken.map((b) => `${b.source}:${b.problem}`));
    for (const [src, problems] of Object.entries(PROBLEMS)) for (const p of problems) expect(kinds, `${src}:${p} generated`).toContain(`${src}:${p}`);
    const mapped = mapFinal(all, cat);
    const missed = all.labels.broken.filter((b) => !hasError(mapped.get(`${b.source}|${b.localId}`)!));
    expect(missed).toEqual([]);
  });

  it('duplicate groups point at records that exist, in at least two records each, across agencies or sources', () => {
    expect(g.labels.duplicateGroups.length).toBeGreaterThan(20);
    const ids = new Set<string>([
      ...g.qldt.map((l) => `qldt|${l.ma_don_vi}|${l.id_don}`),
      ...g.soTiep.rows.map((r) => `so-tiep|${r[1]}|${r[0]}`),
      ...g.pakn.map((p) => `pakn|${p.agencyCode}|${p.feedbackId}`),
    ]);
    let crossSource = 0;
    for (const grp of g.labels.duplicateGroups) {
      expect(grp.members.length).toBeGreaterThanOrEqual(2);
      for (const m of grp.members) expect(ids, `${grp.groupId} member`).toContain(`${m.source}|${m.agency}|${m.localId}`);
      if (new Set(grp.members.map((m) => m.source)).size > 1) crossSource++;
    }
    expect(crossSource).toBeGreaterThan(5);
    // duplicates are never labelled broken: they must be sendable for the duplicate check to see them
    const broken = new Set(g.labels.broken.map((b) => b.localId));
    for (const grp of g.labels.duplicateGroups) for (const m of grp.members) expect(broken.has(m.localId)).toBe(false);
  });

  it('CCCDs agree with birth year and sex (unless labelled broken); pakn codes follow the era of submission', () => {
    const broken = new Set(g.labels.broken.map((b) => b.localId));
    let checked = 0;
    for (const l of g.qldt) {
      if (broken.has(l.id_don as string) || !Array.isArray(l.nguoi_dung_don)) continue;
      for (const p of l.nguoi_dung_don as Record<string, unknown>[]) {
        if (typeof p.cmnd_cccd !== 'string' || p.cmnd_cccd.length !== 12) continue;
        expect(checkCccd(p.cmnd_cccd, { namSinh: p.nam_sinh as number, gioiTinh: p.gioi_tinh === 'Nam' ? 'NAM' : 'NU' })).toEqual({ ok: true });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    let before = 0, after = 0;
    for (const p of g.pakn) {
      if (broken.has(p.feedbackId as string) || !p.citizen) continue;
      const a = (p.citizen as { address: { provinceCode: string; wardCode: string } }).address;
      const d = localDateOf(p.submittedAt as string);
      expect(d.ok).toBe(true);
      if (d.ok && d.date < '2025-07-01') {
        expect(cat.byCode('xa-truoc-2025', a.wardCode)?.maTinh).toBe(a.provinceCode);
        before++;
      } else {
        expect(cat.byCode('xa', a.wardCode)?.maTinh).toBe(a.provinceCode);
        after++;
      }
    }
    expect(before).toBeGreaterThan(5);
    expect(after).toBeGreaterThan(5);
  });

  it('works from the simulator built-in sample alone (a fresh clone without ../shared)', () => {
    const sample = loadReferenceData({ dvhcPath: SAMPLE_DIR, donViPath: join(SAMPLE_DIR, 'don-vi.json') });
    const sg = generateLocalRecords({ seed: 3, count: 250, now: NOW, reference: sample, namesPath: '/nonexistent/names.json' });
    expect(sg.stats.names).toBe('built-in list');
    const scat = makeCatalogues(buildCatalogues(sample));
    const mapped = mapFinal(sg, scat);
    const broken = new Set(sg.labels.broken.map((b) => `${b.source}|${b.localId}`));
    const clean = [...mapped].filter(([k]) => !broken.has(k));
    expect(clean.filter(([, r]) => !hasError(r)).length / clean.length).toBeGreaterThanOrEqual(0.85);
    for (const k of broken) expect(hasError(mapped.get(k)!)).toBe(true);
  });

  it('kntc generate writes the four files, which read back as what was generated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kntc-gen-'));
    try {
      const small = generateLocalRecords({ seed: 2, count: 50, now: NOW, reference: ref });
      const files = writeGenerated(dir, small, ['qldt', 'so-tiep', 'pakn']);
      expect(Object.keys(files).sort()).toEqual(['labels', 'pakn', 'qldt', 'so-tiep']);
      expect(readFileSync(files.qldt!, 'utf8')).toBe(qldtJsonl(small.qldt));
      expect(readFileSync(files['so-tiep']!)).toEqual(Buffer.from(small.soTiep.toCsv(), 'utf8'));
      expect(JSON.parse(readFileSync(files.pakn!, 'utf8'))).toEqual(small.pakn);
      expect(JSON.parse(readFileSync(files.labels!, 'utf8'))).toEqual(small.labels);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('only a source subset when asked', () => {
    const only = generateLocalRecords({ seed: 1, count: 40, now: NOW, reference: ref, sources: ['pakn'] });
    expect(only.qldt).toEqual([]);
    expect(only.soTiep.rows).toEqual([]);
    expect(only.pakn).toHaveLength(40);
  });
});
