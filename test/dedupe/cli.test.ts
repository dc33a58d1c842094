/** `kntc duplicates …` as an officer runs it (real process, real Redis, own prefix). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../helpers/redis.js';
import { projectPath } from '../../config/index.js';
import { DedupeStore, pairIdOf } from '../../src/dedupe/store.js';

const run = promisify(execFile);
const prefix = uniquePrefix('ddcli');
let redis: Redis;
const kntc = (...args: string[]) =>
  run(process.execPath, [projectPath('bin', 'kntc.js'), 'duplicates', ...args], { env: { ...process.env, KNTC_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'silent' }, timeout: 30_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code?: number; stdout: string; stderr: string }) => ({ code: e.code ?? 1, stdout: e.stdout, stderr: e.stderr }),
  );

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  const store = new DedupeStore(redis, prefix);
  await store.upsertRecord({ maHoSo: 'HS-A', agency: '000.00.00.H29', source: 'qldt', localId: 'LC25-000311', own: true });
  await store.upsertRecord({ maHoSo: 'HS-B', agency: '000.00.09.H29', confidential: true });
  await store.savePair({
    pairId: pairIdOf('HS-A', 'HS-B'), a: 'HS-A', b: 'HS-B', level: 'NGHI_TRUNG', score: 0.42, weight: 17.3,
    reasons: ['Họ tên trùng khớp (+4.7)', 'Thiếu số điện thoại ở một bên (+0.0)'], origin: 'local', status: 'auto', decidedAt: '2026-11-22T01:00:00Z', review: true,
  });
});
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

describe('kntc duplicates', () => {
  it('list --format json: one JSON line per linked pair with local references, level, cluster and reasons', async () => {
    const r = await kntc('list', '--format', 'json');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      a: { source: 'qldt', agency: '000.00.00.H29', localId: 'LC25-000311' },
      b: { agency: '000.00.09.H29', localId: null, confidential: true },
      level: 'NGHI_TRUNG', score: 0.42, clusterId: 'C-HS-A', reasons: ['Họ tên trùng khớp (+4.7)'],
    });
  }, 60_000);

  it('list --format table marks confidential records and pending review', async () => {
    const r = await kntc('list', '--format', 'table');
    expect(r.stdout).toContain('(bảo mật)');
    expect(r.stdout).toContain('NGHI_TRUNG');
    expect(r.stdout).toMatch(/1 cặp/);
  }, 60_000);

  it('clusters --format json: one line per cluster with its members (local references, confidential flag) and link count', async () => {
    const r = await kntc('clusters', '--format', 'json');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([{
      clusterId: 'C-HS-A',
      members: [
        { source: 'qldt', agency: '000.00.00.H29', localId: 'LC25-000311', maHoSo: 'HS-A', confidential: false },
        { source: null, agency: '000.00.09.H29', localId: null, maHoSo: 'HS-B', confidential: true },
      ],
      pairs: 1,
    }]);
    const other = await kntc('clusters', '--agency', '000.00.00.H34');
    expect(other.code).toBe(0);
    expect(other.stdout.trim()).toBe('');
  }, 60_000);

  it('clusters --format table lists members, marks confidential ones and counts clusters; a bad format is refused', async () => {
    const r = await kntc('clusters', '--format', 'table');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('C-HS-A');
    expect(r.stdout).toContain('qldt/000.00.00.H29/LC25-000311');
    expect(r.stdout).toContain('(bảo mật)');
    expect(r.stdout).toMatch(/1 cụm/);
    const bad = await kntc('clusters', '--format', 'xml');
    expect(bad.code).toBe(2);
  }, 60_000);

  it('confirm of an unknown pair fails with exit 1 and a Vietnamese message; --help explains', async () => {
    const r = await kntc('confirm', 'Pdoesnotexist', '--by', 'canbo01');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('không tìm thấy cặp trùng');
    const h = await kntc('--help');
    expect(h.stdout).toContain('confirm');
    expect(h.stdout).toContain('NGHI_TRUNG');
  }, 60_000);
});
