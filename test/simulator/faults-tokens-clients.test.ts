/**
 * Token-expiry faults (from config and from POST /_sim/faults), the log-normal latency distribution, fault
 * config checks, and the clients file checks (options, SIMULATOR_CLIENTS_FILE and `kntc simulator --clients`).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../config/index.js';
import { FaultEngine } from '../../src/simulator/faults.js';
import { parseClients, parseFaults, readClientsFile, type RunningSimulator } from '../../src/simulator/index.js';
import { startTestSim, getToken, call, admin } from './harness.js';

let clock = new Date('2026-03-31T03:00:00Z').getTime();
const now = () => new Date(clock);

describe('token expiry as a fault', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSim({ now, tokenTtlSec: 3600, limits: { enabled: false } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('tokenTtlSec from POST /_sim/faults: tokens stop working early although expires_in still says 3600', async () => {
    const before = await getToken(sim); // issued before the fault is set: it is covered too
    expect((await admin(sim, 'POST', '/_sim/faults', { tokenTtlSec: 30 })).json).toMatchObject({ tokenTtlSec: 30 });
    const r = await fetch(`${sim.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo-connector&client_secret=demo-secret',
    });
    const t = ((await r.json()) as { access_token: string; expires_in: number });
    expect(t.expires_in).toBe(3600);
    expect((await call(sim, t.access_token, 'GET', '/danh-muc/loai-don')).status).toBe(200);
    clock += 31_000;
    for (const tok of [t.access_token, before]) {
      const x = await call(sim, tok, 'GET', '/danh-muc/loai-don');
      expect([x.status, x.json.ma, x.headers.get('www-authenticate')]).toEqual([401, 'CHUA_XAC_THUC', 'Bearer error="invalid_token"']);
    }
    // a new token works again (until it is 30 s old)
    expect((await call(sim, await getToken(sim), 'GET', '/danh-muc/loai-don')).status).toBe(200);
    expect(sim.inspect().totals.faults['token-ttl']).toBe(2);
    await admin(sim, 'POST', '/_sim/faults', {});
  });

  it('expireTokensEverySec from the config: every issued token becomes invalid at each period', async () => {
    sim.setFaults({ expireTokensEverySec: 60 });
    const a = await getToken(sim);
    clock += 30_000;
    const b = await getToken(sim);
    expect((await call(sim, a, 'GET', '/danh-muc/loai-don')).status).toBe(200);
    clock += 31_000; // 61 s after the config was set: the first mass expiry
    expect((await call(sim, a, 'GET', '/danh-muc/loai-don')).status).toBe(401);
    expect((await call(sim, b, 'GET', '/danh-muc/loai-don')).status).toBe(401);
    const c = await getToken(sim);
    clock += 50_000; // 111 s: still in the second period
    expect((await call(sim, c, 'GET', '/danh-muc/loai-don')).status).toBe(200);
    clock += 10_000; // 121 s: the second expiry
    expect((await call(sim, c, 'GET', '/danh-muc/loai-don')).status).toBe(401);
    sim.setFaults({});
  });

  it('token faults from the startup config (SimulatorOptions.faults, as --faults / SIMULATOR_FAULTS)', async () => {
    const s = await startTestSim({ now, limits: { enabled: false }, faults: parseFaults('{"tokenTtlSec": 5}') });
    try {
      const t = await getToken(s);
      expect((await call(s, t, 'GET', '/danh-muc/loai-don')).status).toBe(200);
      clock += 5_000;
      expect((await call(s, t, 'GET', '/danh-muc/loai-don')).status).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('an unusable fault config is refused with 400 and the reason, and the old one stays', async () => {
    sim.setFaults({ retryAfterSec: 4 });
    for (const bad of [{ tokenTtlSec: 0 }, { errorRate: { 503: 2 } }, { errorRate: { 418: 0.1 } }, { latency: { minMs: 10, maxMs: 5 } }, { latency: { distribution: 'lognormal', medianMs: 50, p99Ms: 10 } }, { latency: { distribution: 'pareto' } }]) {
      const r = await admin(sim, 'POST', '/_sim/faults', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.json.thongDiep).toMatch(/^fault config: /);
    }
    expect(sim.getFaults()).toMatchObject({ retryAfterSec: 4 });
    expect(() => parseFaults('{"expireTokensEverySec": -1}')).toThrow(/expireTokensEverySec/);
    sim.setFaults({});
  });
});

describe('latency distributions', () => {
  const draws = (f: FaultEngine, n: number) => Array.from({ length: n }, () => f.latencyMs('GET /x')).sort((a, b) => a - b);

  it('uniform stays the default: every draw within [minMs, maxMs]', () => {
    const d = draws(new FaultEngine(now, { seed: 3, latency: { minMs: 20, maxMs: 40 } }), 2000);
    expect(d[0]).toBeGreaterThanOrEqual(20);
    expect(d.at(-1)).toBeLessThanOrEqual(40);
    expect(d[1000]).toBeGreaterThan(26);
    expect(d[1000]).toBeLessThan(34);
  });

  it('lognormal: the median and the 99th percentile are the configured ones, clamped to maxMs', () => {
    const d = draws(new FaultEngine(now, { seed: 7, latency: { distribution: 'lognormal', medianMs: 40, p99Ms: 400 } }), 20_000);
    expect(d[10_000]).toBeGreaterThan(36);
    expect(d[10_000]).toBeLessThan(44);
    expect(d[19_800]).toBeGreaterThan(330);
    expect(d[19_800]).toBeLessThan(480);
    const capped = draws(new FaultEngine(now, { seed: 7, latency: { distribution: 'lognormal', medianMs: 40, p99Ms: 400, minMs: 10, maxMs: 200 } }), 5000);
    expect([capped[0]! >= 10, capped.at(-1)]).toEqual([true, 200]);
  });

  it('over HTTP: a lognormal latency fault delays the matching calls only', async () => {
    const sim = await startTestSim({ limits: { enabled: false }, faults: { match: '^GET /danh-muc/tinh$', latency: { distribution: 'lognormal', medianMs: 150, p99Ms: 160, minMs: 120 } } });
    try {
      const t = await getToken(sim);
      const time = async (p: string) => {
        const s = performance.now();
        expect((await call(sim, t, 'GET', p)).status).toBe(200);
        return performance.now() - s;
      };
      expect(await time('/danh-muc/tinh')).toBeGreaterThanOrEqual(115);
      expect(await time('/danh-muc/loai-don')).toBeLessThan(100);
    } finally {
      await sim.close();
    }
  });
});

describe('clients file checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kntc-sim-clients-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('accepts an array or {clients}, refuses bad entries with a message naming the entry and field', () => {
    const ok = [{ id: 'a', secret: 's', agencies: ['000.00.00.H29', 'tinh:51', '*'], ratePerSec: 5, burst: 10, maxInFlight: 2 }];
    expect(parseClients(ok)).toHaveLength(1);
    expect(parseClients({ clients: ok })).toHaveLength(1);
    const cases: [unknown, RegExp][] = [
      [{}, /expected a JSON array/],
      [[], /no client/],
      [[{ id: 'a', secret: 's' }], /entry 0 \(a\): "agencies"/],
      [[{ id: 'a', secret: 's', agencies: ['H29'] }], /agencies\[0\] "H29"/],
      [[{ id: 'a', secret: '', agencies: ['*'] }], /"secret"/],
      [[{ id: 'a', secret: 's', agencies: ['*'] }, { id: 'a', secret: 't', agencies: ['*'] }], /entry 1: id "a" is listed twice/],
      [[{ id: 'a', secret: 's', agencies: ['*'], maxInFlight: 0 }], /"maxInFlight" must be a positive integer/],
      [[{ id: 'a', secret: 's', agencies: ['*'], scope: ['*'] }], /unknown field "scope"/],
    ];
    for (const [raw, re] of cases) expect(() => parseClients(raw), JSON.stringify(raw)).toThrow(re);
    expect(() => readClientsFile(file('broken.json', '[{"id":'))).toThrow(/broken\.json: not valid JSON/);
    expect(() => readClientsFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read it \(ENOENT\)/);
  });

  it('SIMULATOR_CLIENTS_FILE with a bad entry: the simulator does not start', async () => {
    process.env.SIMULATOR_CLIENTS_FILE = file('env-bad.json', JSON.stringify([{ id: 'x', secret: 's', agencies: ['HN'] }]));
    try {
      await expect(startTestSim({ clients: undefined })).rejects.toThrow(/agencies\[0\] "HN"/);
    } finally {
      delete process.env.SIMULATOR_CLIENTS_FILE;
    }
  });

  it('kntc simulator --clients <bad file> exits non-zero with a readable message (no stack)', async () => {
    const bad = file('cli-bad.json', JSON.stringify([{ id: 'lai-chau', secret: 's', agencies: 'H29' }]));
    const child = spawn(process.execPath, [projectPath('bin', 'kntc.js'), 'simulator', '--port', '0', '--quiet', '--clients', bad], {
      cwd: projectPath(),
      env: { ...process.env, LOG_LEVEL: 'silent', SIMULATOR_CLIENTS_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(-1);
      }, 25_000);
      child.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code).toBe(78);
    expect(out).toBe('');
    expect(err).toContain('--clients');
    expect(err).toMatch(/entry 0 \(lai-chau\): "agencies" must be a non-empty list/);
    expect(err).not.toMatch(/\n\s+at /);
  }, 40_000);
});
