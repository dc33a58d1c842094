/**
 * Mapper throughput per source on one core (records per CPU-second of this single-threaded
 * process, so that other load on the machine does not count), against a baseline measured in
 * the same run: JSON.parse of the mapper's own output + the national zod schema parse
 * (HoSoDon/LuotTiep.parse) — the least any consumer of these bodies does. Target:
 * qldt ≥ 20,000 records/s and mapper ≤ 3× baseline. The local pre-check (the national
 * validator, src/contract/validate.ts) runs inside every map call; its own cost is
 * reported separately so the share of each part is visible.
 *
 * Records: the samples of ../shared/samples replicated with perturbed ids, versions,
 * names and dates. Skipped with a note when the samples are absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BenchContext } from '../run.js';
import { projectPath } from '../../config/index.js';
import { getMapper } from '../../mappers/registry.js';
import type { MapContext } from '../../mappers/types.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { loadReferenceData, buildCatalogues } from '../../src/reference/dvhc.js';
import { HoSoDon, LuotTiep } from '../../src/contract/schemas.js';
import { validateHoSoDon, validateLuotTiep } from '../../src/contract/validate.js';

const FILES = {
  qldt: projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'),
  'so-tiep': projectPath('..', 'shared', 'samples', 'so-tiep-kon-tum.csv'),
  pakn: projectPath('..', 'shared', 'samples', 'pakn-lao-cai.json'),
} as const;
const N = Number(process.env.BENCH_MAPPER_RECORDS ?? 6000);
const SURNAMES = ['Nguyễn', 'Trần', 'Lò', 'Lường', 'Hoàng', 'Vũ'];

function perturb(source: string, raw: Record<string, unknown>, i: number): Record<string, unknown> {
  const r = structuredClone(raw);
  const sur = SURNAMES[i % SURNAMES.length]!;
  if (source === 'qldt') {
    r.id_don = `${String(r.id_don)}-${i}`;
    r.phien_ban = 1 + (i % 7);
    if (Array.isArray(r.nguoi_dung_don)) for (const p of r.nguoi_dung_don as Record<string, unknown>[]) if (typeof p.ho_ten === 'string') p.ho_ten = p.ho_ten.replace(/^\S+/, sur);
  } else if (source === 'so-tiep') {
    r['Mã lượt tiếp'] = `${String(r['Mã lượt tiếp'])}-${i}`;
    const c = r['Họ tên - Địa chỉ'];
    if (typeof c === 'string') r['Họ tên - Địa chỉ'] = c.replace(/^\S+/, sur);
  } else {
    r.feedbackId = `${String(r.feedbackId)}-${i}`;
    r.revision = 1 + (i % 5);
    const c = r.citizen as Record<string, unknown> | null;
    if (c && typeof c.fullName === 'string') c.fullName = c.fullName.replace(/^\S+/, sur);
  }
  return r;
}

/** CPU seconds (user + system) of this process: on a shared box, wall time measures the neighbours too. */
function time(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e6;
}

export default async function (ctx: BenchContext): Promise<void> {
  if (!Object.values(FILES).every((f) => existsSync(f))) {
    ctx.log('samples not found under ../shared/samples: mapper benchmark skipped');
    return;
  }
  const catalogues = makeCatalogues(buildCatalogues(loadReferenceData()));
  const mctx: MapContext = { catalogues, clock: { today: () => '2026-11-22', now: () => new Date('2026-11-22T03:00:00Z') } };
  const vctx = { catalogues, today: '2026-11-22' };

  for (const [source, file] of Object.entries(FILES)) {
    const m = getMapper(source)!;
    const base = m.parse(readFileSync(file, 'utf8'), file).flatMap((p) => (p.ok ? [p.raw as Record<string, unknown>] : []));
    const raws = Array.from({ length: N }, (_, i) => perturb(source, base[i % base.length]!, i));
    // warm up (JIT, catalogue indexes)
    for (const r of raws.slice(0, 500)) m.map(r, mctx);

    let outputs: { kind: string; json: string; body: unknown }[] = [];
    const tMap = time(() => {
      for (const r of raws) {
        const res = m.map(r, mctx);
        for (const rec of res.records) outputs.push({ kind: rec.kind, json: '', body: rec.body });
      }
    });
    for (const o of outputs) o.json = JSON.stringify(o.body);
    // baseline: what any consumer of the output does at least — parse it and check the schema
    for (const o of outputs.slice(0, 500)) (o.kind === 'ho-so-don' ? HoSoDon : LuotTiep).parse(JSON.parse(o.json));
    const tBase = time(() => {
      for (const o of outputs) (o.kind === 'ho-so-don' ? HoSoDon : LuotTiep).parse(JSON.parse(o.json));
    });
    const tValidate = time(() => {
      for (const o of outputs) (o.kind === 'ho-so-don' ? validateHoSoDon : validateLuotTiep)(o.body, vctx);
    });
    const perRecMap = tMap / raws.length;
    const perRecBase = tBase / Math.max(1, outputs.length);
    // so-tiep yields up to 2 outputs per row: compare per output record
    const perOutMap = tMap / Math.max(1, outputs.length);
    const ratio = perOutMap / perRecBase;
    ctx.report(`${source} map`, Math.round(1 / perRecMap), 'records/s', {
      outputs: outputs.length,
      baseline_rps: Math.round(1 / perRecBase),
      ratio_vs_baseline: Number(ratio.toFixed(2)),
      validator_share: `${Math.round((tValidate / tMap) * 100)}%`,
      target: source === 'qldt' ? '≥20000 r/s, ≤3×' : '≤3×',
    });
    outputs = [];
  }
}
