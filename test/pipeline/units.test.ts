/** Pure parts of the pipeline: ledger encryption, tracking ids, statutory priority, backoff, batching. */
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { LedgerCipher, parseOldKeys } from '../../src/ledger/crypto.js';
import { trackingIdOf, ledgerCipherFromConfig } from '../../src/ledger/index.js';
import { loadConfig, describeConfig } from '../../config/index.js';
import { pushPriority, dueDate } from '../../src/push/priority.js';
import { backoffDelay, queueSpecs, PAYLOADS } from '../../queues/catalog.js';
import { BatchSender } from '../../src/push/batcher.js';
import type { NationalPort, WriteResultLike, BatchItemLike } from '../../src/push/port.js';
import { fakeBody, raw } from './fixtures/fake-mapper.js';
import type { HoSoDon } from '../../src/contract/schemas.js';

describe('ledger encryption', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  it('round-trips, stores keyId:iv:tag:ciphertext and never the clear text', () => {
    const c = new LedgerCipher({ keyId: 'k1', key: k1 });
    const enc = c.encrypt('Nguyễn Văn An 012083004719', 'tid|raw:1');
    expect(enc.split(':')).toHaveLength(4);
    expect(enc.startsWith('k1:')).toBe(true);
    expect(enc).not.toContain('012083004719');
    expect(c.decrypt(enc, 'tid|raw:1')).toBe('Nguyễn Văn An 012083004719');
    expect(c.encrypt('x', 'a')).not.toBe(c.encrypt('x', 'a')); // fresh IV each time
  });
  it('refuses a value moved to another record/field or tampered with', () => {
    const c = new LedgerCipher({ keyId: 'k1', key: k1 });
    const enc = c.encrypt('bí mật', 'tid|raw:1');
    expect(() => c.decrypt(enc, 'tid|raw:2')).toThrow(/authentication/);
    const parts = enc.split(':');
    const ct = Buffer.from(parts[3]!, 'base64');
    ct[0] = ct[0]! ^ 1;
    expect(() => c.decrypt([parts[0], parts[1], parts[2], ct.toString('base64')].join(':'), 'tid|raw:1')).toThrow(/authentication/);
  });
  it('rotation: new key encrypts, old values still decrypt while the old key is listed', () => {
    const old = new LedgerCipher({ keyId: 'k1', key: k1 });
    const enc = old.encrypt('cũ', 'a');
    const rotated = new LedgerCipher({ keyId: 'k2', key: k2, oldKeys: parseOldKeys(`k1=${k1.toString('base64')}`) });
    expect(rotated.decrypt(enc, 'a')).toBe('cũ');
    expect(rotated.encrypt('mới', 'a').startsWith('k2:')).toBe(true);
    expect(() => new LedgerCipher({ keyId: 'k2', key: k2 }).decrypt(enc, 'a')).toThrow(/no ledger key with id k1/);
  });
  it('rotation from the settings: LEDGER_OLD_KEYS keeps values of the earlier key readable, and is a secret', () => {
    const enc = new LedgerCipher({ keyId: 'k1', key: k1 }).encrypt('cũ', 'a');
    const cfg = loadConfig({ LEDGER_ENCRYPTION_KEY: k2.toString('base64'), LEDGER_KEY_ID: 'k2', LEDGER_OLD_KEYS: `k1=${k1.toString('base64')}` });
    expect(ledgerCipherFromConfig(cfg).decrypt(enc, 'a')).toBe('cũ');
    expect(JSON.stringify(describeConfig(cfg))).not.toContain(k1.toString('base64'));
    const without = loadConfig({ LEDGER_ENCRYPTION_KEY: k2.toString('base64'), LEDGER_KEY_ID: 'k2' });
    expect(() => ledgerCipherFromConfig(without).decrypt(enc, 'a')).toThrow(/no ledger key with id k1/);
  });
  it('fingerprints are keyed', () => {
    expect(new LedgerCipher({ keyId: 'k1', key: k1 }).fingerprint('x')).not.toBe(new LedgerCipher({ keyId: 'k2', key: k2 }).fingerprint('x'));
  });
});

describe('tracking ids', () => {
  it('are stable, 20 base32 chars, and differ per source/agency/local id', () => {
    const a = trackingIdOf('qldt', '000.00.00.H29', 'LC25-1');
    expect(a).toMatch(/^[a-z2-7]{20}$/);
    expect(trackingIdOf('qldt', '000.00.00.H29', 'LC25-1')).toBe(a);
    expect(new Set([a, trackingIdOf('pakn', '000.00.00.H29', 'LC25-1'), trackingIdOf('qldt', '000.00.01.H29', 'LC25-1'), trackingIdOf('qldt', '000.00.00.H29', 'LC25-2')]).size).toBe(4);
    expect(PAYLOADS.map.safeParse({ tid: a, v: 1, f: '0123456789ab' }).success).toBe(true);
    expect(PAYLOADS.map.safeParse({ tid: a, v: 1, f: '0123456789ab', hoTen: 'x' }).success).toBe(false); // references only
  });
});

describe('statutory priority', () => {
  const today = '2025-10-20';
  const body = (ngay: string, loai: string): HoSoDon => ({ ...fakeBody(raw(1, 1)), ngayNhanDon: ngay, loaiDon: loai });
  it('tố cáo (≈ 9 days) and khiếu nại (10 days) from receipt', () => {
    expect(dueDate('ho-so-don', body('2025-10-10', 'TO_CAO'))).toBe('2025-10-19');
    expect(dueDate('ho-so-don', body('2025-10-10', 'KHIEU_NAI'))).toBe('2025-10-20');
  });
  it('near the deadline first; recently overdue before far-off; long-overdue backfill last', () => {
    const dueToday = pushPriority('ho-so-don', body('2025-10-10', 'KHIEU_NAI'), today);
    const dueIn8 = pushPriority('ho-so-don', body('2025-10-18', 'KHIEU_NAI'), today);
    const overdue2 = pushPriority('ho-so-don', body('2025-10-08', 'KHIEU_NAI'), today);
    const backfill = pushPriority('ho-so-don', body('2024-01-02', 'KHIEU_NAI'), today);
    const older = pushPriority('ho-so-don', body('2023-01-02', 'KHIEU_NAI'), today);
    expect(overdue2).toBeLessThan(dueToday);
    expect(dueToday).toBeLessThan(dueIn8);
    expect(dueIn8).toBeLessThan(backfill);
    expect(backfill).toBeLessThan(older);
    for (const p of [dueToday, dueIn8, overdue2, backfill, older]) expect(p).toBeGreaterThanOrEqual(1);
  });
  it('a case being resolved runs on its resolution deadline', () => {
    const b = { ...body('2025-01-01', 'KHIEU_NAI'), giaiQuyet: { trangThai: 'DANG_GIAI_QUYET', hanGiaiQuyet: '2025-10-22' } } as HoSoDon;
    expect(dueDate('ho-so-don', b)).toBe('2025-10-22');
  });
});

describe('backoff', () => {
  it('exponential with jitter in [d/2, d], capped, never under Retry-After', () => {
    expect(backoffDelay(1, 1000, 60_000, undefined, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, undefined, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, undefined, () => 1)).toBe(60_000);
    expect(backoffDelay(1, 1000, 60_000, 5000, () => 0)).toBe(5000);
  });
  it('the catalog takes attempts/backoff from the config', () => {
    const s = queueSpecs({ JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 700 });
    expect([s.push.attempts, s.push.backoffMs]).toEqual([3, 700]);
    expect(s.push.jobId({ tid: 'a'.repeat(20), kind: 'ho-so-don', v: 2, f: '0123456789ab' })).not.toContain(':');
  });
});

describe('batch sender', () => {
  function fakePort(delayMs: number) {
    const calls: { mode: 'single' | 'batch'; n: number }[] = [];
    const res = (b: { phienBanNguon: number }): WriteResultLike => ({ nationalId: 'X', phienBanNguon: b.phienBanNguon, bamNoiDung: '', capNhatLuc: '', replayed: false });
    const port: NationalPort = {
      async write(_k, _op, body) { calls.push({ mode: 'single', n: 1 }); await new Promise((r) => setTimeout(r, delayMs)); return res(body); },
      async batch(_k, items: BatchItemLike[]) {
        calls.push({ mode: 'batch', n: items.length });
        await new Promise((r) => setTimeout(r, delayMs));
        return items.map((i, n) => (n === 1 ? Object.assign(new Error('item failed'), { code: 'DU_LIEU_KHONG_HOP_LE', retryable: false, details: [] }) : res(i.body)));
      },
      get: async () => ({}),
      close: async () => undefined,
    };
    return { port, calls };
  }
  it('groups concurrent sends into batch calls and hands each caller its own result', async () => {
    const { port, calls } = fakePort(20);
    const s = new BatchSender(port, { maxBatch: 10, lingerMs: 5, maxInFlight: 1 });
    const out = await Promise.allSettled(Array.from({ length: 25 }, (_x, i) => s.send('ho-so-don', 'create', fakeBody(raw(i, i + 1)))));
    expect(calls.reduce((a, c) => a + c.n, 0)).toBe(25);
    expect(calls.length).toBeLessThanOrEqual(4);
    expect(calls.every((c) => c.n <= 10)).toBe(true);
    expect(out.filter((o) => o.status === 'rejected').length).toBe(calls.filter((c) => c.mode === 'batch' && c.n > 1).length);
    const ok = out.find((o, i) => o.status === 'fulfilled' && i === 0) as PromiseFulfilledResult<WriteResultLike>;
    expect(ok.value.phienBanNguon).toBe(1);
  });
  it('a lone item goes through the single-write endpoint', async () => {
    const { port, calls } = fakePort(1);
    const s = new BatchSender(port, { lingerMs: 2 });
    await s.send('luot-tiep', 'create', fakeBody(raw(1, 1)));
    expect(calls).toEqual([{ mode: 'single', n: 1 }]);
  });
});
