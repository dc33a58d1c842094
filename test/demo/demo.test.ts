import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '../../src/demo/run.js';
import { getMapper } from '../../mappers/registry.js';
import { dropPrefix, REDIS_URL } from '../helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'kntc-demo-test-'));
let result: DemoResult | undefined;
const printed: string[] = [];

afterAll(async () => {
  if (result?.summary) await dropPrefix(result.summary.prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('kntc demo (in-process, small batch)', () => {
  it('runs end to end through the HTTP ingest API and the summary agrees with the simulator', async () => {
    result = await runDemo({
      count: 60, seed: 11, dataDir: dir, simulatorPort: 0, ingestPort: 0, progress: false,
      env: { ...process.env, REDIS_URL, LOG_LEVEL: 'info' }, keepKeys: true, timeoutMs: 120_000,
      out: (t) => void printed.push(t),
    });
    const s = result.summary!;
    const inspect = result.inspect!;
    const records = result.records!;
    expect(result.exitCode, printed.join('')).toBe(0);
    expect(s.settled).toBe(true);
    expect(s.stuck).toEqual([]);

    // the distinct local records, read back from the generated files (independent of the summary)
    const ids = new Set<string>();
    const files: [string, string][] = [['qldt', 'qldt.jsonl'], ['so-tiep', 'so-tiep.csv'], ['pakn', 'pakn.json']];
    for (const [src, f] of files) {
      const m = getMapper(src)!;
      for (const p of m.parse(readFileSync(join(s.dataDir, f), 'utf8'), f)) {
        if (p.ok) ids.add(`${src}|${m.identify(p.raw)!.localId}`);
      }
    }
    expect(ids.size).toBe(60);
    expect(records).toHaveLength(60);
    expect(new Set(records.map((r) => `${r.source}|${r.localId}`))).toEqual(ids);

    // every record ended pushed or rejected, and the summary counts them so
    const pushed = records.filter((r) => r.state === 'pushed');
    const rejected = records.filter((r) => r.state === 'rejected');
    expect(pushed.length + rejected.length).toBe(60);
    expect(s.byState.pushed ?? 0).toBe(pushed.length);
    expect(s.byState.rejected ?? 0).toBe(rejected.length);
    expect(pushed.length).toBeGreaterThan(40);

    // rejected records carry reason codes
    for (const r of rejected) expect(r.errorCodes.length, `${r.source} ${r.localId}`).toBeGreaterThan(0);

    // every pushed national record exists in the simulator, created exactly once; nothing else was created
    const simRecords = Object.values(inspect.records);
    const byNationalId = new Map(simRecords.map((x) => [x.nationalId, x]));
    const pushedOutputs = records.flatMap((r) => r.outputs.filter((o) => o.state === 'pushed' || o.state === 'superseded'));
    expect(pushedOutputs.length).toBe(simRecords.length);
    for (const o of pushedOutputs) {
      const sim = byNationalId.get(o.nationalId!);
      expect(sim, `national record ${o.nationalId}`).toBeDefined();
      expect(sim!.kind).toBe(o.kind);
      expect(sim!.creates).toBe(1);
    }
    expect(s.simulator.records).toBe(simRecords.length);
    expect(s.simulator.createdOnceEach).toBe(true);
    expect(s.consistent).toBe(true);
    const perKind: Record<string, number> = {};
    for (const o of pushedOutputs) perKind[o.kind] = (perKind[o.kind] ?? 0) + 1;
    expect(s.pushedByKind).toEqual(perKind);

    // the labelled deliberate problems ended as rejections
    const labels = JSON.parse(readFileSync(join(s.dataDir, 'labels.json'), 'utf8')) as { broken: { source: string; localId: string }[] };
    const rejectedIds = new Set(rejected.map((r) => `${r.source}|${r.localId}`));
    for (const b of labels.broken) expect(rejectedIds, `${b.source} ${b.localId}`).toContain(`${b.source}|${b.localId}`);
    expect(s.brokenRejected).toBe(labels.broken.length);

    // mild faults were injected and survived
    expect(Object.values(s.simulator.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // the terminal got the summary, the log file got the logs, without personal data
    const text = printed.join('');
    expect(text).toContain('created exactly once each: yes');
    expect(text).toContain(s.logFile);
    expect(existsSync(s.logFile)).toBe(true);
    const log = readFileSync(s.logFile, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    // every name, ID number, phone and street address fed in, from all three sources
    const personal = new Set<string>();
    const add = (v: unknown): void => { if (typeof v === 'string' && v.trim().length >= 6) personal.add(v.trim()); };
    for (const l of readFileSync(join(s.dataDir, 'qldt.jsonl'), 'utf8').trim().split('\n')) {
      const j = JSON.parse(l) as { nguoi_dung_don: unknown };
      if (Array.isArray(j.nguoi_dung_don)) for (const p of j.nguoi_dung_don as Record<string, unknown>[]) [p.ho_ten, p.cmnd_cccd, p.dien_thoai, p.dia_chi].forEach(add);
      else if (typeof j.nguoi_dung_don === 'string') j.nguoi_dung_don.split(';').forEach(add);
    }
    for (const r of JSON.parse(readFileSync(join(s.dataDir, 'pakn.json'), 'utf8')) as { citizen?: { fullName?: string; idNumber?: string; phone?: string; address?: { street?: string } } }[]) {
      [r.citizen?.fullName, r.citizen?.idNumber, r.citizen?.phone, r.citizen?.address?.street].forEach(add);
    }
    const soTiep = getMapper('so-tiep')!;
    for (const p of soTiep.parse(readFileSync(join(s.dataDir, 'so-tiep.csv'), 'utf8'), 'so-tiep.csv')) {
      if (!p.ok) continue;
      const row = p.raw as Record<string, unknown>;
      String(row['Họ tên - Địa chỉ'] ?? '').split(';').flatMap((x) => x.split(' - ')).forEach(add);
      add(row['CMND/Hộ chiếu của công dân']);
    }
    expect(personal.size).toBeGreaterThan(60);
    const leaked = [...personal].filter((v) => log.includes(v));
    expect(leaked, 'personal values found in the demo log').toEqual([]);
  }, 150_000);
});
