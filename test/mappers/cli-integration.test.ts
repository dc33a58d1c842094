/**
 * The two commands against the real things, as a separate process:
 *  - `kntc map` takes its catalogues from the national API (a real simulator over HTTP,
 *    cached in Redis under a unique prefix) by default; when that API does not answer it
 *    fails (exit 1, naming NATIONAL_API_URL) instead of falling back to local files; local
 *    reference data only with an explicit `--catalogues DIR`;
 *  - `kntc report errors` reads the issues the mapper stored in the ledger.
 *
 * The first block needs nothing outside the repository: the simulator serves its built-in
 * reference sample and the input is made by the generator from that same sample. The second
 * block checks the samples README's outcomes and fails (is not skipped) without ../shared.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { projectPath } from '../../config/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { Ledger, LedgerCipher } from '../../src/ledger/index.js';
import { loadReferenceData, buildCatalogues, SAMPLE_DIR, SHARED_DVHC, SHARED_DON_VI } from '../../src/reference/dvhc.js';
import { makeCatalogues } from '../../src/contract/catalogues.js';
import { generateLocalRecords, paknJson, qldtJsonl } from '../../src/generator/index.js';
import { dryRun, type DryRunLine } from '../../src/report/dry-run.js';
import { uniquePrefix, dropPrefix, REDIS_URL } from '../helpers/redis.js';
import { SAMPLES, mapFile, mapper, requireSamples } from './helpers.js';

const TODAY = '2026-11-22';

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [projectPath('bin', 'kntc.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const t = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A base URL where nothing listens (a port that was free a moment ago). */
async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}/api/v1`;
}

const jsonLines = (s: string): DryRunLine[] => s.trim().split('\n').map((l) => JSON.parse(l) as DryRunLine);
const summary = (ls: DryRunLine[]) => ls.map((l) => ({ localId: l.localId, ok: l.ok, codes: l.issues.map((i) => i.code).sort() }));

const prefix = uniquePrefix('mapcli');
const sampleRef = loadReferenceData({ dvhcPath: SAMPLE_DIR, donViPath: join(SAMPLE_DIR, 'don-vi.json') });
let sim: RunningSimulator;
let dir: string;
let paknFile: string;
let qldtFile: string;

beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0, quiet: true, reference: sampleRef });
  dir = mkdtempSync(join(tmpdir(), 'kntc-mapcli-'));
  const g = generateLocalRecords({ seed: 4, count: 120, brokenRate: 0.3, now: new Date(`${TODAY}T03:00:00Z`), reference: sampleRef });
  paknFile = join(dir, 'pakn.json');
  writeFileSync(paknFile, paknJson(g.pakn));
  qldtFile = join(dir, 'qldt.jsonl');
  writeFileSync(qldtFile, qldtJsonl(g.qldt));
});
afterAll(async () => {
  await sim?.close();
  await dropPrefix(prefix);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kntc map: catalogues from the national API, never a silent local fallback', () => {
  /** What the mapper says with the catalogues the simulator serves (built in-process from the same data). */
  const expected = (file: string, source: 'pakn' | 'qldt') =>
    summary(dryRun(mapper(source), readFileSync(file, 'utf8'), file, { catalogues: makeCatalogues(buildCatalogues(sampleRef)), clock: { today: () => TODAY, now: () => new Date() } }));

  it('default (no --catalogues): fetched from NATIONAL_API_URL, cached in Redis; same result as in-process', async () => {
    const r = await run(['map', '--source', 'pakn', paknFile, '--today', TODAY], { NATIONAL_API_URL: sim.baseUrl, KNTC_PREFIX: prefix, REDIS_URL });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(summary(lines)).toEqual(expected(paknFile, 'pakn'));
    expect(lines.some((l) => !l.ok)).toBe(true);
    expect(lines.some((l) => l.ok)).toBe(true);
    for (const l of lines) expect(l.mappingVersion).toBe(mapper('pakn').mappingVersion);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.exists(`${prefix}:cat:xa`)).toBe(1);
    } finally {
      redis.disconnect();
    }
    // the catalogues were asked of the national side (a second run re-checks the cached copy there too)
    const before = sim.inspect().totals.requests;
    const again = await run(['map', '--source', 'pakn', paknFile, '--catalogues', 'national', '--today', TODAY], { NATIONAL_API_URL: sim.baseUrl, KNTC_PREFIX: prefix, REDIS_URL });
    expect(again.code, again.stderr).toBe(0);
    expect(summary(jsonLines(again.stdout))).toEqual(expected(paknFile, 'pakn'));
    expect(sim.inspect().totals.requests).toBeGreaterThan(before);
  });

  it('national API unreachable and no --catalogues: exit 1, names NATIONAL_API_URL, suggests kntc simulator / --catalogues DIR, prints no result', async () => {
    const url = await deadUrl();
    const r = await run(['map', '--source', 'qldt', qldtFile, '--format', 'table', '--today', TODAY], { NATIONAL_API_URL: url, KNTC_PREFIX: prefix, REDIS_URL });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(url);
    expect(r.stderr).toContain('NATIONAL_API_URL');
    expect(r.stderr).toContain('kntc simulator');
    expect(r.stderr).toContain('--catalogues DIR');
    expect(r.stderr).not.toMatch(/using reference data/);
  });

  it('--catalogues DIR: explicit offline reference data works without the national API; the table shows the mapping version', async () => {
    const r = await run(['map', '--source', 'qldt', qldtFile, '--catalogues', SAMPLE_DIR, '--format', 'table', '--today', TODAY], { NATIONAL_API_URL: await deadUrl(), KNTC_PREFIX: prefix, REDIS_URL });
    expect(r.code, r.stderr).toBe(0);
    const version = mapper('qldt').mappingVersion;
    const blocks = r.stdout.split('\n').filter((l) => /^(ĐẠT|LỖI|CẢNH BÁO)/.test(l));
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks) expect(b).toContain(`ánh xạ ${version}`);
    expect(r.stdout).toMatch(/Tổng: \d+ bản ghi/);
  });

  it('--help shows the NATIONAL_API_URL example and documents --catalogues as offline testing', async () => {
    const r = await run(['map', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('NATIONAL_API_URL=https://…/api/v1 kntc map --source qldt FILE --format table');
    expect(r.stdout).toMatch(/--catalogues <DIR>\s+for offline testing/);
    expect(r.stdout).not.toMatch(/else the reference data/);
  });
});

describe('kntc map / report on the shared samples (needs ../shared: fails without it)', () => {
  beforeAll(() => requireSamples());

  it('map, default catalogues from the national API: pakn sample → 25 lines, errors exactly LCI-2025-000458 and -000548', async () => {
    // a simulator serving the full public data, as the national side would
    const full = await startSimulator({ host: '127.0.0.1', port: 0, quiet: true, reference: loadReferenceData({ dvhcPath: SHARED_DVHC, donViPath: SHARED_DON_VI }) });
    const p2 = uniquePrefix('mapcli2');
    try {
      const r = await run(['map', '--source', 'pakn', SAMPLES.pakn, '--today', TODAY], { NATIONAL_API_URL: full.baseUrl, KNTC_PREFIX: p2, REDIS_URL });
      expect(r.code, r.stderr).toBe(0);
      const lines = jsonLines(r.stdout);
      expect(lines).toHaveLength(25);
      expect(lines.filter((l) => !l.ok).map((l) => l.localId).sort()).toEqual(['LCI-2025-000458', 'LCI-2025-000548']);
    } finally {
      await full.close();
      await dropPrefix(p2);
    }
  });

  it('report errors reads the ledger: grouped by agency × code, local ids only', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const ledger = new Ledger(redis, prefix, new LedgerCipher({ keyId: 't', key: Buffer.alloc(32, 7) }));
      const results = mapFile('qldt').filter((m) => !m.result.ok || m.result.issues.length > 0);
      for (const m of results) {
        const r = m.result;
        const [g] = await ledger.gate([{ source: 'qldt', agency: r.agency, localId: r.localId, version: r.version, raw: m.raw, channel: 'cli' }]);
        await ledger.saveMapped(g!.trackingId, r.version, g!.fingerprint, { mappingVersion: r.mappingVersion, issues: r.issues, blocked: r.blocked, records: [] });
      }
    } finally {
      redis.disconnect();
    }
    const r = await run(['report', 'errors', '--format', 'json', '--agency', '000.00.00.H29'], { KNTC_PREFIX: prefix, REDIS_URL });
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { groups: { agency: string; code: string; examples: string[]; origins: string[] }[] };
    expect(rep.groups.every((g) => g.agency === '000.00.00.H29')).toBe(true);
    const lv = rep.groups.find((g) => g.code === 'NHAN_KHONG_XAC_DINH')!;
    expect(lv.examples).toEqual(['qldt:LC25-000064']);
    expect(lv.origins).toEqual(['mapper']);
    expect(rep.groups.some((g) => g.code === 'XA_BI_CHIA_TACH' || g.code === 'THIEU_XA')).toBe(true);
    // no personal values: no names, no 9+ digit numbers
    expect(r.stdout).not.toMatch(/\d{9,}/);
    expect(r.stdout).not.toContain('Phan Hữu Bảo');
  });
});
