/**
 * Builds the simulator's built-in reference sample (src/simulator/sample/) from
 * ../shared/data, so `kntc simulator` and the demo work in a checkout without it.
 *
 *   npx tsx scripts/make-sim-sample.ts
 *
 * Contents: all 34 current provinces and all 63 pre-2025 provinces; the old communes of
 * old provinces 12 (Lai Châu), 62 (Kon Tum), 10 (Lào Cai), 15 (Yên Bái) that the shared
 * samples name (by code or by name) plus the first few of each to reach PER_OLD_PROVINCE;
 * every other commune code the samples name; the current communes those old communes
 * went to (and the current communes the samples name). Agencies: the 10 sample agencies
 * with their exact names, one Ủy ban nhân dân per current province (code 000.00.00.P<code>,
 * skipped where a sample agency already is that body) and a few others for variety.
 * Tests never use this sample: they read ../shared/data.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../config/index.js';
import type { Units2025, UnitsBefore2025, DonViRow } from '../src/reference/dvhc.js';

const PER_OLD_PROVINCE = 60;
const OLD_PROVINCES = ['12', '62', '10', '15'];
const shared = projectPath('..', 'shared');
const out = projectPath('src', 'simulator', 'sample');

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const units = readJson<Units2025 & Record<string, unknown>>(join(shared, 'data', 'dvhc', 'units-2025.json'));
const before = readJson<UnitsBefore2025 & Record<string, unknown>>(join(shared, 'data', 'dvhc', 'units-before-2025-07.json'));
const donViShared = readJson<{ donVi: DonViRow[] }>(join(shared, 'data', 'don-vi.json')).donVi;

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
const texts = ['README.md', 'qldt-lai-chau.jsonl', 'so-tiep-kon-tum.csv', 'pakn-lao-cai.json'].map((f) => readFileSync(join(shared, 'samples', f), 'utf8'));
const allText = fold(texts.join('\n'));
const namedCodes = new Set(texts.join('\n').match(/(?<!\d)\d{5}(?!\d)/g) ?? []);
const shortName = (full: string) => full.replace(/^(Xã|Phường|Thị trấn|Đặc khu)\s+/i, '');
const namedInSamples = (full: string) => {
  const n = fold(shortName(full));
  return n.length >= 4 && new RegExp(`(^|[^a-z])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z]|$)`).test(allText);
};

// old communes
const oldPicked = new Map<string, UnitsBefore2025['communes'][number]>();
for (const c of before.communes) if (namedCodes.has(c.code)) oldPicked.set(`${c.provinceCode}/${c.code}`, c);
for (const p of OLD_PROVINCES) {
  const inP = before.communes.filter((c) => c.provinceCode === p);
  for (const c of inP) if (namedInSamples(c.fullName)) oldPicked.set(`${p}/${c.code}`, c);
  for (const c of inP) {
    if ([...oldPicked.values()].filter((x) => x.provinceCode === p).length >= PER_OLD_PROVINCE) break;
    oldPicked.set(`${p}/${c.code}`, c);
  }
}
// current communes: targets of the picked old ones + named codes/names in provinces 12, 51, 15
const curCodes = new Set<string>();
for (const c of oldPicked.values()) for (const n of c.newCommunes) curCodes.add(n.code);
for (const c of units.communes) {
  if (namedCodes.has(c.code)) curCodes.add(c.code);
  else if (['12', '51', '15'].includes(c.provinceCode) && namedInSamples(c.fullName)) curCodes.add(c.code);
}

const sampleNote = 'Demo subset of ../shared/data built by scripts/make-sim-sample.ts; not complete. Tests use ../shared/data.';
const units2025 = {
  source: units.source,
  caveat: `${sampleNote} ${String(units.caveat ?? '')}`.trim(),
  effectiveFrom: units.effectiveFrom,
  provinces: units.provinces,
  communes: units.communes.filter((c) => curCodes.has(c.code)),
};
const unitsBefore = {
  source: before.source,
  caveat: `${sampleNote} ${String(before.caveat ?? '')}`.trim(),
  validUntil: before.validUntil,
  provinces: before.provinces,
  communes: [...oldPicked.values()].sort((a, b) => a.provinceCode.localeCompare(b.provinceCode) || a.code.localeCompare(b.code)),
};

const lower = (full: string) => full.replace(/^(Tỉnh|Thành phố)/, (m) => m.toLowerCase());
const sampleNames = new Set(donViShared.map((d) => d.ten));
const ubnd: DonViRow[] = units.provinces
  .map((p) => ({ ma: `000.00.00.P${p.code}`, ten: `Ủy ban nhân dân ${lower(p.fullName)}`, maTinh: p.code, cap: 'TINH' as const }))
  .filter((d) => !sampleNames.has(d.ten));
const extra: DonViRow[] = [
  { ma: '000.00.01.P01', ten: 'Thanh tra thành phố Hà Nội', maTinh: '01', cap: 'TINH' },
  { ma: '000.00.01.P79', ten: 'Thanh tra Thành phố Hồ Chí Minh', maTinh: '79', cap: 'TINH' },
  { ma: '000.00.11.P79', ten: 'Sở Xây dựng Thành phố Hồ Chí Minh', maTinh: '79', cap: 'TINH' },
  { ma: '000.00.09.P51', ten: 'Sở Nông nghiệp và Môi trường tỉnh Quảng Ngãi', maTinh: '51', cap: 'TINH' },
  { ma: '000.00.00.G01', ten: 'Thanh tra Chính phủ', maTinh: '01', cap: 'TW' },
];
const donVi = {
  note: `${sampleNote} The first 10 agencies are those of ../shared/samples (exact names); 000.00.00.Pxx are one Ủy ban nhân dân per current province (illustrative codes).`,
  donVi: [...donViShared, ...ubnd, ...extra],
};

mkdirSync(out, { recursive: true });
const write = (name: string, v: unknown) => {
  const text = JSON.stringify(v) + '\n';
  writeFileSync(join(out, name), text);
  return text.length;
};
const sizes = [write('units-2025.json', units2025), write('units-before-2025-07.json', unitsBefore), write('don-vi.json', donVi)];
process.stdout.write(
  `sample: ${units2025.communes.length} current communes, ${unitsBefore.communes.length} old communes, ${donVi.donVi.length} agencies; ${sizes.reduce((a, b) => a + b, 0)} bytes\n`,
);
