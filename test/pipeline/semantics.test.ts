/**
 * Pipeline semantics against the real simulator and Redis: versions, unchanged
 * re-submissions, DA_TON_TAI resolution, stored rejections (mapper and national),
 * unidentifiable records, status/history, issues report, encryption at rest.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { sim, testConfig, spyClient, waitFor, sleep, drained, OTHER_CLIENT } from './helpers.js';
import { createPipeline, startWorkers, type Pipeline } from '../../src/pipeline/index.js';
import type { RunningWorkers } from '../../src/worker/index.js';
import { createNationalClient } from '../../src/national/client.js';
import { computeLinkage } from '../../src/dedupe/features.js';
import { MAPPERS, EMPTY_CATALOGUES, FAKE, AGENCY, raw, fakeBody } from './fixtures/fake-mapper.js';
import { REDIS_URL, dropPrefix } from '../helpers/redis.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Config } from '../../config/index.js';

let s: RunningSimulator;
let cfg: Config;
let p: Pipeline;
let w: RunningWorkers;
let spy: ReturnType<typeof spyClient>;
const rec = (id: string) => s.inspect().records[`ho-so-don|${AGENCY}|${id}`];
const pushedOrRejected = (id: string, state: 'pushed' | 'rejected' = 'pushed', v?: number) => async () => {
  const st = await p.status(FAKE, AGENCY, id);
  return st && st.state === state && (v === undefined || st.latestVersion === v) ? st : undefined;
};

beforeAll(async () => {
  s = await sim();
  cfg = testConfig('psem', s);
  p = createPipeline(cfg, { mappers: MAPPERS });
  spy = spyClient(cfg);
  // the dedupe queue is filled (hook) but not consumed here: src/dedupe has its own tests
  w = await startWorkers(cfg, { client: spy, mappers: MAPPERS, catalogues: EMPTY_CATALOGUES, concurrency: 8, queues: ['map', 'push'] });
});

afterAll(async () => {
  await w?.close();
  await spy?.close();
  await p?.close();
  await s?.close();
  if (cfg) await dropPrefix(cfg.KNTC_PREFIX);
});

describe('versions', () => {
  it('v1, v3, v2 arriving in that order: the national record ends at v3 and v2 is never sent after v3', async () => {
    const id = 'T-VER-1';
    const r1 = await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    const r3 = await p.accept(FAKE, [raw(0, 3, { id })], { channel: 'api' });
    const r2 = await p.accept(FAKE, [raw(0, 2, { id })], { channel: 'api' });
    expect(r1[0]!.outcome).toBe('accepted');
    expect(r3[0]!.outcome).toBe('accepted');
    expect(r2[0]!.outcome).toBe('older');
    expect(r2[0]!.reasons?.[0]?.code).toBe('PHIEN_BAN_CU');
    await waitFor('v3 pushed', async () => (await pushedOrRejected(id, 'pushed', 3)()) && rec(id)?.phienBanNguon === 3);
    await sleep(300);
    const n = rec(id)!;
    expect(n.phienBanNguon).toBe(3);
    expect(n.creates).toBe(1);
    const mine = spy.sent.filter((x) => x.maNguon === id);
    const firstV3 = mine.findIndex((x) => x.phienBanNguon === 3);
    expect(firstV3).toBeGreaterThanOrEqual(0);
    expect(mine.some((x) => x.phienBanNguon === 2)).toBe(false);
    expect(mine.slice(firstV3).every((x) => x.phienBanNguon === 3)).toBe(true);
    const st = (await p.status(FAKE, AGENCY, id))!;
    expect(st.pushedVersion).toBe(3);
    expect(st.nationalIds['ho-so-don']).toBe(n.nationalId);
    expect(st.history.some((h) => h.state === 'older-ignored' && h.version === 2)).toBe(true);
  });

  it('v1, v3, v2 in one batch: the later v2 is older and is not stored', async () => {
    const id = 'T-VER-2';
    const r = await p.accept(FAKE, [raw(0, 1, { id }), raw(0, 3, { id }), raw(0, 2, { id })], { channel: 'cli' });
    expect(r.map((x) => x.outcome)).toEqual(['accepted', 'accepted', 'older']);
    await waitFor('v3 pushed', async () => rec(id)?.phienBanNguon === 3 && (await pushedOrRejected(id, 'pushed', 3)()));
    expect(spy.sent.filter((x) => x.maNguon === id && x.phienBanNguon === 2)).toHaveLength(0);
    expect(rec(id)!.creates).toBe(1);
  });

  it('a newer version after a push becomes an update of the same national record', async () => {
    const id = 'T-VER-3';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    await waitFor('v1 pushed', pushedOrRejected(id, 'pushed', 1));
    await p.accept(FAKE, [raw(0, 2, { id, nd: 'Nội dung đã được cập nhật bổ sung tài liệu mới.' })], { channel: 'api' });
    await waitFor('v2 pushed', async () => rec(id)?.phienBanNguon === 2 && (await pushedOrRejected(id, 'pushed', 2)()));
    const n = rec(id)!;
    expect([n.creates, n.updates]).toEqual([1, 1]);
    // raw versions are kept until a newer one is pushed; the latest stays for review/remapping
    const st = (await p.status(FAKE, AGENCY, id))!;
    const redis = new Redis(REDIS_URL);
    try {
      const fields = await redis.hkeys(`${cfg.KNTC_PREFIX}:led:${st.trackingId}`);
      expect(fields).toContain('raw:2');
      expect(fields).not.toContain('raw:1');
    } finally {
      redis.disconnect();
    }
  });
});

describe('unchanged and re-submissions', () => {
  it('an unchanged re-submission is not pushed again', async () => {
    const id = 'T-UNCH-1';
    const a = await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    expect(a[0]!.outcome).toBe('accepted');
    await waitFor('pushed', pushedOrRejected(id));
    const before = spy.sent.filter((x) => x.maNguon === id).length;
    const again = await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    expect(again[0]!.outcome).toBe('unchanged');
    expect(again[0]!.trackingId).toBe(a[0]!.trackingId);
    await sleep(500);
    expect(spy.sent.filter((x) => x.maNguon === id).length).toBe(before);
    expect(rec(id)!.creates + rec(id)!.updates).toBe(1);
  });

  it('same version with other content is stored and flagged, and the national conflict ends as a stored rejection', async () => {
    const id = 'T-CONF-1';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    await waitFor('pushed', pushedOrRejected(id));
    const r = await p.accept(FAKE, [raw(0, 1, { id, nd: 'Nội dung khác nhưng cùng số phiên bản với bản trước.' })], { channel: 'api' });
    expect(r[0]!.outcome).toBe('accepted');
    expect(r[0]!.reasons?.[0]?.code).toBe('PHIEN_BAN_TRUNG_NOI_DUNG_KHAC');
    const st = await waitFor('rejected', pushedOrRejected(id, 'rejected'));
    expect(st.issues.map((i) => i.code)).toContain('XUNG_DOT_PHIEN_BAN');
    expect(rec(id)!.updates).toBe(0);
  });
});

describe('DA_TON_TAI', () => {
  const other = () => createNationalClient({ baseUrl: s.baseUrl, clientId: OTHER_CLIENT.id, clientSecret: OTHER_CLIENT.secret, retries: 0 });

  it('resolves to an update when ours is newer', async () => {
    const id = 'T-DTT-1';
    const c = other();
    const created = await c.write('ho-so-don', 'create', fakeBody(raw(0, 1, { id })));
    await c.close();
    await p.accept(FAKE, [raw(0, 2, { id })], { channel: 'api' });
    const st = await waitFor('pushed', pushedOrRejected(id));
    const n = rec(id)!;
    expect([n.creates, n.updates, n.phienBanNguon]).toEqual([1, 1, 2]);
    expect(st.nationalIds['ho-so-don']).toBe(created.nationalId);
  });

  it('same version and same content: recorded as pushed without another write', async () => {
    const id = 'T-DTT-2';
    const body = fakeBody(raw(0, 1, { id }));
    const c = other();
    await c.write('ho-so-don', 'create', { ...body, dacTrungLienKet: computeLinkage(body, cfg.NATIONAL_LINKAGE_SECRET.reveal()) });
    await c.close();
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'api' });
    await waitFor('pushed', pushedOrRejected(id));
    expect([rec(id)!.creates, rec(id)!.updates]).toEqual([1, 0]);
  });

  it('national newer: marked superseded, never overwritten with our older version', async () => {
    const id = 'T-DTT-3';
    const c = other();
    await c.write('ho-so-don', 'create', fakeBody(raw(0, 5, { id })));
    await c.close();
    await p.accept(FAKE, [raw(0, 2, { id })], { channel: 'api' });
    const st = await waitFor('settled', pushedOrRejected(id));
    expect(st.outputs?.[0]?.state).toBe('superseded');
    expect([rec(id)!.phienBanNguon, rec(id)!.updates]).toEqual([5, 0]);
  });
});

describe('stored rejections', () => {
  it('a mapping error ends as a stored rejection with its issues and is never sent', async () => {
    const id = 'T-BAD-1';
    const r = await p.accept(FAKE, [raw(0, 1, { id, bad: true })], { channel: 'api' });
    expect(r[0]!.outcome).toBe('accepted');
    const st = await waitFor('rejected', pushedOrRejected(id, 'rejected'));
    expect(st.issues).toEqual([expect.objectContaining({ code: 'NGAY_KHONG_HOP_LE', severity: 'error', national: '/ngayNhanDon' })]);
    expect(rec(id)).toBeUndefined();
    expect(spy.sent.some((x) => x.maNguon === id)).toBe(false);
    const report = await p.listIssues({ agency: AGENCY });
    expect(report.filter((x) => x.record.localId === id)).toEqual([
      expect.objectContaining({ origin: 'mapper', issue: expect.objectContaining({ code: 'NGAY_KHONG_HOP_LE' }) }),
    ]);
  });

  it('a national 422 ends as a stored rejection carrying chiTiet (code and pointer)', async () => {
    const id = 'T-422-1';
    await p.accept(FAKE, [raw(0, 1, { id, linhVuc: 'XX.KHONG_CO' })], { channel: 'api' });
    const st = await waitFor('rejected', pushedOrRejected(id, 'rejected'));
    expect(st.issues.map((i) => i.code)).toContain('DU_LIEU_KHONG_HOP_LE');
    expect(st.issues).toContainEqual(expect.objectContaining({ code: 'MA_KHONG_TON_TAI', national: '/linhVuc', recordKind: 'ho-so-don' }));
    expect(st.lastError?.code).toBe('DU_LIEU_KHONG_HOP_LE');
    const report = await p.listIssues({});
    expect(report.some((x) => x.record.localId === id && x.origin === 'national' && x.issue.code === 'MA_KHONG_TON_TAI')).toBe(true);
    expect(rec(id)).toBeUndefined();
  });

  it('an agency outside the client scope (403) ends as a stored rejection', async () => {
    const id = 'T-403-1';
    await p.accept(FAKE, [raw(0, 1, { id, ag: '999.99.99.Z99' })], { channel: 'api' });
    const st = await waitFor('rejected', async () => {
      const x = await p.status(FAKE, '999.99.99.Z99', id);
      return x?.state === 'rejected' ? x : undefined;
    });
    expect(st.issues.length).toBeGreaterThan(0);
    expect(['KHONG_CO_QUYEN', 'DU_LIEU_KHONG_HOP_LE']).toContain(st.lastError?.code);
  });

  it('an unidentifiable record is kept as a reviewable rejection under a synthetic id, never dropped', async () => {
    const r = await p.accept(FAKE, [{ khong: 'co ma' }, raw(0, 1, { id: 'T-OK-AFTER-BAD' })], { channel: 'api' });
    expect(r[0]!.outcome).toBe('rejected');
    expect(r[0]!.localId).toMatch(/^_khong-xac-dinh-[0-9a-f]{16}$/);
    expect(r[1]!.outcome).toBe('accepted');
    const st = await p.status(FAKE, r[0]!.agency, r[0]!.localId);
    expect(st?.state).toBe('rejected');
    expect(st?.issues[0]?.code).toBe('KHONG_XAC_DINH_BAN_GHI');
    const again = await p.accept(FAKE, [{ khong: 'co ma' }], { channel: 'api' });
    expect(again[0]!.trackingId).toBe(r[0]!.trackingId);
  });
});

describe('two national records from one source record', () => {
  it('pushes the luot-tiep and the ho-so-don, each once', async () => {
    const id = 'T-TWO-1';
    await p.accept(FAKE, [raw(0, 1, { id, lt: true })], { channel: 'api' });
    const st = await waitFor('pushed', pushedOrRejected(id));
    expect(Object.keys(st.nationalIds).sort()).toEqual(['ho-so-don', 'luot-tiep']);
    expect(s.inspect().records[`luot-tiep|${AGENCY}|${id}-LT`]?.creates).toBe(1);
    expect(rec(id)?.creates).toBe(1);
  });
});

describe('ledger at rest, status, readiness', () => {
  it('keeps raw records and mapped bodies encrypted; metadata in clear', async () => {
    const id = 'T-ENC-1';
    const nd = 'Nội dung riêng tư không được lưu dạng rõ trong Redis.';
    const r = await p.accept(FAKE, [raw(0, 1, { id, nd })], { channel: 'api' });
    await waitFor('pushed', pushedOrRejected(id));
    const redis = new Redis(REDIS_URL);
    try {
      const h = await redis.hgetall(`${cfg.KNTC_PREFIX}:led:${r[0]!.trackingId}`);
      const all = JSON.stringify(h);
      expect(all).not.toContain('riêng tư');
      expect(all).not.toContain('Kiến nghị về việc');
      expect(h['raw:1']).toMatch(new RegExp(`^${cfg.LEDGER_KEY_ID}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$`));
      expect(h['m:ho-so-don']?.startsWith(`${cfg.LEDGER_KEY_ID}:`)).toBe(true);
      expect(h.lid).toBe(id);
      expect(h.st).toBe('pushed');
    } finally {
      redis.disconnect();
    }
  });

  it('status shows the history received → mapped → pushed with the national id', async () => {
    const id = 'T-HIST-1';
    await p.accept(FAKE, [raw(0, 1, { id })], { channel: 'cli', keyId: 'k1' });
    const st = await waitFor('pushed', pushedOrRejected(id));
    expect(st.history.map((h) => h.state)).toEqual(['received', 'mapped', 'pushed']);
    expect(st.history[0]!.detail).toBe('cli:k1');
    expect(st.nationalIds['ho-so-don']).toBe(rec(id)!.nationalId);
    expect(await p.status(FAKE, AGENCY, 'T-KHONG-CO')).toBeUndefined();
  });

  it('ready() checks Redis and its eviction policy; counts() reports every queue', async () => {
    expect(await p.ready()).toEqual({ ok: true });
    const c = await waitFor('drained', async () => {
      const x = await p.counts();
      return drained({ map: x.map!, push: x.push! }) ? x : undefined;
    });
    expect(Object.keys(c).sort()).toEqual(['dedupe', 'map', 'push']);
    // every pushed ho-so-don got a dedupe job (deterministic id: tracking id + version)
    const id = 'T-HIST-1';
    const st = (await p.status(FAKE, AGENCY, id))!;
    const q = new Queue('dedupe', { connection: { url: REDIS_URL }, prefix: cfg.KNTC_PREFIX });
    try {
      const job = await q.getJob(`d-${st.trackingId}-1`);
      expect(job?.data).toEqual({ tid: st.trackingId, v: 1, maHoSo: st.nationalIds['ho-so-don'] });
    } finally {
      await q.close();
    }
    expect(c.dedupe!.waiting).toBeGreaterThan(0);
  });

  it('refuses an unknown source', async () => {
    await expect(p.accept('khong-co', [{}], { channel: 'api' })).rejects.toThrow(/unknown source/);
  });
});
