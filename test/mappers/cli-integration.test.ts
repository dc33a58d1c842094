/**
 * The two commands against the real things: `kntc map --catalogues national` fetches the
 * catalogues from the national simulator over HTTP (cached in Redis under a unique prefix),
 * and `kntc report errors` reads the issues the mapper stored in the ledger.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { projectPath } from '../../config/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { Ledger, LedgerCipher } from '../../src/ledger/index.js';
import { uniquePrefix, dropPrefix, REDIS_URL } from '../helpers/redis.js';
import { SAMPLES, samplesPresent, mapFile } from './helpers.js';

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

const prefix = uniquePrefix('mapcli');
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0, quiet: true });
});
afterAll(async () => {
  await sim?.close();
  await dropPrefix(prefix);
});

describe.runIf(samplesPresent)('kntc map / report against simulator and ledger', () => {
  it('map --catalogues national: catalogues from the national API, cached in Redis', async () => {
    const r = await run(['map', '--source', 'pakn', SAMPLES.pakn, '--catalogues', 'national', '--today', '2026-11-22'], {
      NATIONAL_API_URL: sim.baseUrl, KNTC_PREFIX: prefix, REDIS_URL,
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { localId: string; ok: boolean });
    expect(lines).toHaveLength(25);
    expect(lines.filter((l) => !l.ok).map((l) => l.localId).sort()).toEqual(['LCI-2025-000458', 'LCI-2025-000548']);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.exists(`${prefix}:cat:xa`)).toBe(1);
    } finally {
      redis.disconnect();
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
