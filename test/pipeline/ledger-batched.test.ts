/**
 * The ledger sends the version gate, saved mappings and push outcomes of many records as one script
 * call (src/ledger/scripts.ts *_MANY, src/ledger/coalesce.ts). Each record must end exactly as if it
 * had its own call, and one record's error must be that record's answer only.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Ledger, trackingIdOf, type LedgerStatus } from '../../src/ledger/index.js';
import { LedgerCipher } from '../../src/ledger/crypto.js';
import { bamNoiDung } from '../../src/contract/hash.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { fakeBody, raw, FAKE, AGENCY } from './fixtures/fake-mapper.js';

const cipher = new LedgerCipher({ keyId: 'k1', key: randomBytes(32) });
const clock = () => new Date('2026-11-22T03:00:00.000Z');
let redis: Redis;
const prefixes: string[] = [];
const ledgerOn = (tag: string): Ledger => {
  const p = uniquePrefix(tag);
  prefixes.push(p);
  return new Ledger(redis, p, cipher, clock);
};

beforeAll(() => {
  redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p);
  redis.disconnect();
});

const N = 300; // more than one script call's worth (128)
const gateInputs = (from: number, n: number, v = 1) =>
  Array.from({ length: n }, (_x, i) => ({ source: FAKE, agency: AGENCY, localId: raw(from + i).id!, version: v, raw: raw(from + i, v), channel: 'cli' }));

/** Status without what only a clock or a random IV makes different. */
const comparable = (s: LedgerStatus | undefined) => s && { ...s, trackingId: '' };

/** gate → saveMapped → pushResult for every record, either all at once (one turn) or one record at a time. */
async function lifecycle(l: Ledger, together: boolean): Promise<(LedgerStatus | undefined)[]> {
  const first = await l.gate(gateInputs(0, N));
  expect(first.map((g) => g.outcome)).toEqual(Array(N).fill('accepted'));
  // a second gate call: unchanged, older and newer versions mixed, answers in input order
  const again = await l.gate([...gateInputs(0, 2), ...gateInputs(2, 2, 2), { ...gateInputs(4, 1)[0]!, version: 1 }]);
  expect(again.map((g) => g.outcome)).toEqual(['unchanged', 'unchanged', 'accepted', 'accepted', 'unchanged']);
  const older = await l.gate(gateInputs(2, 1, 1));
  expect(older[0]).toMatchObject({ outcome: 'older', latest: 2 });
  const tids = Array.from({ length: N }, (_x, i) => trackingIdOf(FAKE, AGENCY, raw(i).id!));
  const save = async (i: number) => {
    const snap = (await l.loadForMap(tids[i]!))!;
    const body = fakeBody(raw(i, snap.latest));
    const blocked = i % 7 === 0 ? (['luot-tiep'] as const) : [];
    const issues = i % 5 === 0 ? [{ code: 'X', severity: 'warning' as const, source: '/a', message: 'm' }] : [];
    return l.saveMapped(tids[i]!, snap.latest, snap.fingerprint!, { mappingVersion: 'fake@1', issues, blocked: [...blocked], records: [{ kind: 'ho-so-don', body, localId: body.maHoSoNguon, hash: bamNoiDung(body) }] });
  };
  const push = (i: number) => {
    const outcome = (['pushed', 'rejected', 'retrying', 'superseded'] as const)[i % 4]!;
    return l.pushResult(tids[i]!, 'ho-so-don', i === 2 || i === 3 ? 2 : 1, {
      outcome, nationalId: `HS-${i}`, mappedHash: 'h', detail: 'create',
      ...(outcome === 'rejected' ? { issues: [{ code: 'DU_LIEU_KHONG_HOP_LE', severity: 'error' as const, source: '', message: 'x' }], error: { code: 'DU_LIEU_KHONG_HOP_LE', message: 'x' } } : {}),
      ...(outcome === 'retrying' ? { error: { code: 'NETWORK_TIMEOUT', message: 't' } } : {}),
    });
  };
  const idx = tids.map((_t, i) => i);
  if (together) {
    const saved = await Promise.all(idx.map(save));
    expect(saved.every((s) => s.saved)).toBe(true);
    await Promise.all(idx.map(push));
  } else {
    for (const i of idx) expect((await save(i)).saved).toBe(true);
    for (const i of idx) await push(i);
  }
  return Promise.all(tids.map((t) => l.statusByTid(t)));
}

describe('batched ledger scripts', () => {
  it('records handled together end exactly as records handled one call at a time', async () => {
    const one = await lifecycle(ledgerOn('lb1'), false);
    const many = await lifecycle(ledgerOn('lbN'), true);
    expect(many.map(comparable)).toEqual(one.map(comparable));
    expect(new Set(many.map((s) => s!.state))).toEqual(new Set(['pushed', 'rejected', 'pushing']));
  });

  it("one record's error is that record's answer; the others in the same script call are applied", async () => {
    const l = ledgerOn('lberr');
    await l.gate(gateInputs(0, 3));
    const tids = [0, 1, 2].map((i) => trackingIdOf(FAKE, AGENCY, raw(i).id!));
    // record 1's history key is a string: its RPUSH fails (WRONGTYPE) inside the batched script
    await redis.set(`${l.prefix}:led:${tids[1]}:h`, 'not a list');
    const res = await Promise.allSettled(tids.map((t) => l.pushResult(t, 'ho-so-don', 1, { outcome: 'pushed', nationalId: 'HS-1', mappedHash: 'h' })));
    expect(res.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((res[1] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE|wrong kind/i);
    for (const t of [tids[0]!, tids[2]!]) expect((await l.statusByTid(t))!.history.at(-1)).toMatchObject({ state: 'pushed' });
  });
});
