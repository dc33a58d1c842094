import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startTestSim, getToken, call, admin, uniqueKey } from './harness.js';
import { hoSoDon } from './fixtures.js';

const open: RunningSimulator[] = [];
const start = async (...a: Parameters<typeof startTestSim>) => {
  const s = await startTestSim(...a);
  open.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('limits (429 VUOT_HAN_MUC)', () => {
  it('rate limit: over the burst → 429 with an integer Retry-After ≥ 1', async () => {
    const sim = await start({ limits: { ratePerSec: 1, burst: 3, maxInFlight: 8 } });
    const tok = await getToken(sim);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await call(sim, tok, 'GET', '/danh-muc/loai-don');
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect(r.json.ma).toBe('VUOT_HAN_MUC');
      }
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect(sim.inspect().totals.rateLimited).toBe(2);
  });

  it('a batch counts as one request', async () => {
    const sim = await start({ limits: { ratePerSec: 1, burst: 1, maxInFlight: 8 } });
    const tok = await getToken(sim);
    const muc = Array.from({ length: 5 }, (_, i) => ({ khoa: uniqueKey('b'), thaoTac: 'TAO', duLieu: hoSoDon({ maHoSoNguon: `LB-${i}` }) }));
    const r = await call(sim, tok, 'POST', '/ho-so-don/lo', { body: { muc }, key: uniqueKey('lo') });
    expect(r.status).toBe(200);
    expect(r.json.ketQua.map((k: { trangThai: number }) => k.trangThai)).toEqual([201, 201, 201, 201, 201]);
    expect((await call(sim, tok, 'GET', '/danh-muc/loai-don')).status).toBe(429);
  });

  it('concurrency limit: more than maxInFlight at once → 429', async () => {
    const sim = await start({ limits: { ratePerSec: 1000, burst: 1000, maxInFlight: 2 }, faults: { latency: { minMs: 300, maxMs: 300 } } });
    const tok = await getToken(sim);
    const rs = await Promise.all(Array.from({ length: 5 }, () => call(sim, tok, 'GET', '/danh-muc/nguon-don')));
    const st = rs.map((r) => r.status).sort();
    expect(st).toEqual([200, 200, 429, 429, 429]);
    expect(rs.find((r) => r.status === 429)?.headers.get('retry-after')).toBe('1');
    expect(sim.inspect().totals.concurrencyLimited).toBe(3);
  });

  it('limits can be switched off', async () => {
    const sim = await start({ limits: { enabled: false, ratePerSec: 1, burst: 1 } });
    const tok = await getToken(sim);
    for (let i = 0; i < 5; i++) expect((await call(sim, tok, 'GET', '/danh-muc/loai-don')).status).toBe(200);
  });
});

describe('faults', () => {
  it('maintenance window: 503 TAM_NGUNG with Retry-After on every call, set over HTTP', async () => {
    const sim = await start({ limits: { enabled: false } });
    const tok = await getToken(sim);
    const set = await admin(sim, 'POST', '/_sim/faults', { maintenance: { durationSec: 60, retryAfterSec: 7 } });
    expect(set.status).toBe(200);
    const r = await call(sim, tok, 'GET', '/danh-muc/loai-don');
    expect(r.status).toBe(503);
    expect(r.json.ma).toBe('TAM_NGUNG');
    expect(r.headers.get('retry-after')).toBe('7');
    const t = await fetch(`${sim.baseUrl}/oauth/token`, { method: 'POST', body: 'grant_type=client_credentials' });
    expect(t.status).toBe(503);
    await admin(sim, 'POST', '/_sim/faults', {});
    expect((await call(sim, tok, 'GET', '/danh-muc/loai-don')).status).toBe(200);
  });

  it('error rates per status (502/504 → LOI_HE_THONG); nothing applied before processing', async () => {
    const sim = await start({ limits: { enabled: false }, faults: { errorRate: { 502: 1 } } });
    const tok = await getToken(sim);
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('x') });
    expect(r.status).toBe(502);
    expect(r.json.ma).toBe('LOI_HE_THONG');
    sim.setFaults({ errorRate: { 504: 1 }, match: '^GET ' });
    expect((await call(sim, tok, 'GET', '/danh-muc/tinh')).status).toBe(504);
    expect((await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('x') })).status).toBe(201);
    expect(sim.inspect().totals.faults).toMatchObject({ 'before:502': 1, 'before:504': 1 });
  });

  it('reset before processing: nothing applied, the retry is processed (not a replay)', async () => {
    const sim = await start({ limits: { enabled: false }, faults: { script: [{ when: 'before', action: 'reset' }] } });
    const tok = await getToken(sim);
    const key = uniqueKey('rb');
    await expect(call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key })).rejects.toThrow();
    expect(sim.inspect().totals.records).toBe(0);
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(r.status).toBe(201);
    expect(r.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a hang after applying ends with a closed socket; the retry replays the stored answer', async () => {
    const sim = await start({ limits: { enabled: false }, faults: { hangMs: 300, script: [{ when: 'after', action: 'hang' }] } });
    const tok = await getToken(sim);
    const key = uniqueKey('h');
    const t0 = Date.now();
    await expect(call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key })).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const r = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(r.status).toBe(201);
    expect(r.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.inspect().records['ho-so-don|000.00.00.H29|LC25-000118']?.creates).toBe(1);
  });

  it('a long hang is cut when the server closes', async () => {
    const sim = await startTestSim({ limits: { enabled: false }, faults: { hangRate: 1, hangMs: 60_000 } });
    const tok = await getToken(sim);
    const pending = call(sim, tok, 'GET', '/danh-muc/tinh');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await sim.close();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('inspection, clients file and snapshot', () => {
  it('GET /_sim/inspect reports per (kind, maDonVi, maNguon)', async () => {
    const sim = await start({ limits: { enabled: false } });
    const tok = await getToken(sim);
    const c = await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('i') });
    await call(sim, tok, 'PUT', `/ho-so-don/${c.json.maHoSo}`, { body: hoSoDon({ phienBanNguon: 2 }) });
    const r = await admin(sim, 'GET', '/_sim/inspect');
    expect(r.json.records['ho-so-don|000.00.00.H29|LC25-000118']).toMatchObject({ creates: 1, updates: 1, noops: 0, phienBanNguon: 2, nationalId: c.json.maHoSo, maHoSo: c.json.maHoSo });
    expect(r.json.totals).toMatchObject({ records: 1, creates: 1, updates: 1 });
    await admin(sim, 'POST', '/_sim/reset');
    expect(sim.inspect().totals.records).toBe(0);
  });

  it('reads clients from SIMULATOR_CLIENTS_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kntc-sim-'));
    const file = join(dir, 'clients.json');
    writeFileSync(file, JSON.stringify([{ id: 'lai-chau', secret: 's3', agencies: ['000.00.00.H29'] }]));
    process.env.SIMULATOR_CLIENTS_FILE = file;
    try {
      const sim = await start({ limits: { enabled: false }, clients: undefined });
      await expect(getToken(sim)).rejects.toThrow(/401/);
      const tok = await getToken(sim, 'lai-chau', 's3');
      expect((await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('f') })).status).toBe(201);
      expect((await call(sim, tok, 'POST', '/ho-so-don', { body: hoSoDon({ maDonVi: '000.00.01.H29' }), key: uniqueKey('f') })).status).toBe(403);
    } finally {
      delete process.env.SIMULATOR_CLIENTS_FILE;
    }
  });

  it('snapshot: records and stored keys survive a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kntc-sim-')), 'snap.json');
    const a = await startTestSim({ limits: { enabled: false }, snapshotFile: file });
    const tok = await getToken(a);
    const key = uniqueKey('s');
    const c = await call(a, tok, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    await a.close();
    expect(existsSync(file)).toBe(true);
    const b = await start({ limits: { enabled: false }, snapshotFile: file });
    const tok2 = await getToken(b);
    expect((await call(b, tok2, 'GET', `/ho-so-don/${c.json.maHoSo}`)).status).toBe(200);
    const replay = await call(b, tok2, 'POST', '/ho-so-don', { body: hoSoDon(), key });
    expect(replay.bytes.equals(c.bytes)).toBe(true);
    const dup = await call(b, tok2, 'POST', '/ho-so-don', { body: hoSoDon(), key: uniqueKey('s') });
    expect(dup.json).toMatchObject({ ma: 'DA_TON_TAI', maHoSo: c.json.maHoSo });
  });
});
