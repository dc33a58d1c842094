/**
 * Mapper throughput per source on one core (records per CPU-second of this single-threaded
 * process, so that other load on the machine does not count), against a baseline measured in
 * the same run: JSON.parse of each source record as it travels (its JSON line: the qldt line,
 * the pakn element, the so-tiep row as the ingest API takes it) + the national zod schema
 * parse (HoSoDon/LuotTiep.parse) of each output — the least a worker does with a record.
 * Targets, per source, each printed as `met` / `NOT met` from the numbers just measured:
 *  - ≥ 20,000 source records/s;
 *  - ≤ 3× the baseline (mapper time per output record ÷ baseline time per output record).
 * The local pre-check (the national validator, src/contract/validate.ts) runs inside every
 * map call; its own cost is reported separately so the share of each part is visible.
 *
 * Steady state, measured the same way for every part (map, baseline, validator): the part
 * first runs once over all its inputs, untimed, then ROUNDS timed passes in a row, and its
 * median pass is reported (with the spread of the map passes). The untimed pass takes the
 * JIT warm-up — after a 500-record warm-up, the compiler threads' CPU time dominated a single
 * map pass — and the garbage left by the part before, so that each part pays for its own
 * collections only (timed right after the map pass, the baseline absorbed the mapper's).
 * A forced full GC between passes is not used: it shrinks the young generation and slows the
 * next pass by half.
 *
 * Records: the samples of ../shared/samples replicated with perturbed ids, versions,
 * names and dates, with catalogues from ../shared/data. Without ../shared: records of the
 * generator (src/generator) on the simulator's built-in reference sample, said so in the output.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BenchContext } from '../run.js';
import { projectPath } from '../../config/index.js';
import { getMapper } from '../../mappers/registry.js';
import type { MapContext } from '../../mappers/types.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { join } from 'node:path';
import { loadReferenceData, buildCatalogues, SAMPLE_DIR, SHARED_DVHC, SHARED_DON_VI } from '../../src/reference/dvhc.js';
import { generateLocalRecords, qldtJsonl, paknJson } from '../../src/generator/index.js';
import { HoSoDon, LuotTiep } from '../../src/contract/schemas.js';
import { validateHoSoDon, validateLuotTiep } from '../../src/contract/validate.js';

const FILES = {
  qldt: projectPath('..', 'shared', 'samples', 'qldt-lai-chau.jsonl'),
  'so-tiep': projectPath('..', 'shared', 'samples', 'so-tiep-kon-tum.csv'),
  pakn: projectPath('..', 'shared', 'samples', 'pakn-lao-cai.json'),
} as const;
const N = Number(process.env.BENCH_MAPPER_RECORDS ?? 6000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_MAPPER_ROUNDS ?? 7));
/** Targets of issue 4 (mappers). */
export const TARGET_RPS = 20_000;
export const MAX_RATIO = 3;

/** The verdicts, from the measured numbers only. */
export function verdict(recordsPerSec: number, ratioVsBaseline: number): { target: boolean; ratio: boolean; text: string } {
  const target = Number.isFinite(recordsPerSec) && recordsPerSec >= TARGET_RPS;
  const ratio = Number.isFinite(ratioVsBaseline) && ratioVsBaseline <= MAX_RATIO;
  return {
    target,
    ratio,
    text: `target ≥ ${TARGET_RPS} rec/s: ${target ? 'met' : 'NOT met'}; ≤ ${MAX_RATIO}× baseline: ${ratio ? 'met' : 'NOT met'}`,
  };
}
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Source texts and catalogues: ../shared when present, else generated on the built-in sample. */
function inputs(): { texts: Record<keyof typeof FILES, string>; ref: ReturnType<typeof loadReferenceData>; origin: string } {
  const shared = Object.values(FILES).every((f) => existsSync(f)) && existsSync(join(SHARED_DVHC, 'units-2025.json')) && existsSync(SHARED_DON_VI);
  if (shared) {
    return {
      texts: { qldt: readFileSync(FILES.qldt, 'utf8'), 'so-tiep': readFileSync(FILES['so-tiep'], 'utf8'), pakn: readFileSync(FILES.pakn, 'utf8') },
      ref: loadReferenceData({ dvhcPath: SHARED_DVHC, donViPath: SHARED_DON_VI }),
      origin: '../shared/samples (replicated), catalogues from ../shared/data',
    };
  }
  const ref = loadReferenceData({ dvhcPath: SAMPLE_DIR, donViPath: join(SAMPLE_DIR, 'don-vi.json') });
  const g = generateLocalRecords({ seed: 1, count: 600, now: new Date('2026-11-22T03:00:00Z'), reference: ref });
  return {
    texts: { qldt: qldtJsonl(g.qldt), 'so-tiep': g.soTiep.toCsv(), pakn: paknJson(g.pakn) },
    ref,
    origin: '../shared not found: generated records (src/generator) on the built-in reference sample — numbers not comparable with runs on the samples',
  };
}

export default async function (ctx: BenchContext): Promise<void> {
  const { texts, ref, origin } = inputs();
  ctx.log(`records: ${origin}; ${N} per source; CPU time of this process, median of ${ROUNDS} passes after an untimed one, per part`);
  const catalogues = makeCatalogues(buildCatalogues(ref));
  const mctx: MapContext = { catalogues, clock: { today: () => '2026-11-22', now: () => new Date('2026-11-22T03:00:00Z') } };
  const vctx = { catalogues, today: '2026-11-22' };
  const verdicts: string[] = [];

  for (const source of Object.keys(FILES) as (keyof typeof FILES)[]) {
    const m = getMapper(source)!;
    const base = m.parse(texts[source], FILES[source]).flatMap((p) => (p.ok ? [p.raw as Record<string, unknown>] : []));
    const raws = Array.from({ length: N }, (_, i) => perturb(source, base[i % base.length]!, i));
    // each source record as a worker receives it: one JSON text (for qldt exactly its line)
    const lines = raws.map((r) => JSON.stringify(r));

    type Out = { kind: string; body: unknown };
    const mapAll = (): Out[] => {
      const outputs: Out[] = [];
      for (const r of raws) {
        const res = m.map(r, mctx);
        for (const rec of res.records) outputs.push({ kind: rec.kind, body: rec.body });
      }
      return outputs;
    };
    /** One untimed pass, then ROUNDS timed passes: CPU seconds of each. */
    const passes = (fn: () => void): number[] => {
      fn();
      return Array.from({ length: ROUNDS }, () => time(fn));
    };
    const tMaps = passes(() => void mapAll());
    // the bodies the baseline and the validator work on (the same for every pass)
    const outputs = mapAll();
    const tBases = passes(() => {
      for (const l of lines) JSON.parse(l);
      for (const o of outputs) (o.kind === 'ho-so-don' ? HoSoDon : LuotTiep).parse(o.body);
    });
    const tValidates = passes(() => {
      for (const o of outputs) (o.kind === 'ho-so-don' ? validateHoSoDon : validateLuotTiep)(o.body, vctx);
    });
    const tMap = median(tMaps);
    const tBase = median(tBases);
    const tValidate = median(tValidates);
    const perRecMap = tMap / raws.length;
    const perRecBase = tBase / Math.max(1, outputs.length);
    // so-tiep yields up to 2 outputs per row: compare per output record
    const perOutMap = tMap / Math.max(1, outputs.length);
    const ratio = perOutMap / perRecBase;
    const rps = 1 / perRecMap;
    ctx.report(`${source} map`, Math.round(rps), 'records/s', {
      outputs: outputs.length,
      rounds: ROUNDS,
      map_rps_range: `${Math.round(raws.length / Math.max(...tMaps))}–${Math.round(raws.length / Math.min(...tMaps))}`,
      baseline_rps: Math.round(1 / perRecBase),
      ratio_vs_baseline: Number(ratio.toFixed(2)),
      validator_share: `${Math.round((tValidate / tMap) * 100)}%`,
    });
    const v = verdict(rps, ratio);
    const line = `${source}: ${v.text} (${Math.round(rps)} rec/s, ${ratio.toFixed(2)}× baseline)`;
    ctx.log(line);
    verdicts.push(line);
  }
  ctx.log('summary:');
  for (const l of verdicts) ctx.log(`  ${l}`);
}
