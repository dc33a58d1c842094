/** Cluster ids stay stable as links come and go (real Redis, own prefix). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../helpers/redis.js';
import { DedupeStore, pairIdOf, type PairRecord } from '../../src/dedupe/store.js';

const prefix = uniquePrefix('ddstore');
let redis: Redis;
let store: DedupeStore;

const pair = (a: string, b: string, status: PairRecord['status'] = 'auto'): PairRecord => ({
  pairId: pairIdOf(a, b), a, b, level: 'TRUNG', score: 0.99, reasons: ['x'], origin: 'local', status, decidedAt: new Date().toISOString(),
});

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  store = new DedupeStore(redis, prefix);
  // first seen order: r1 (oldest) … r6
  for (const id of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) await store.upsertRecord({ maHoSo: id, agency: '000.00.00.H29' });
});
afterAll(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

describe('clusters', () => {
  it('pair id is the same for both orders and differs between pairs', () => {
    expect(pairIdOf('a', 'b')).toBe(pairIdOf('b', 'a'));
    expect(pairIdOf('a', 'b')).not.toBe(pairIdOf('a', 'c'));
  });

  it('a new link makes a cluster named after its oldest member; joins keep the id', async () => {
    await store.savePair(pair('r3', 'r2'));
    expect(await store.clusterOf('r3')).toBe('C-r2');
    await store.savePair(pair('r3', 'r4'));
    expect(await store.clusterOf('r4')).toBe('C-r2');
    expect(await store.clusterMembers('C-r2')).toEqual(['r2', 'r3', 'r4']);
  });

  it('merging two clusters keeps the id of the one with the older member', async () => {
    await store.savePair(pair('r5', 'r1'));
    expect(await store.clusterOf('r5')).toBe('C-r1');
    await store.savePair(pair('r4', 'r5'));
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) expect(await store.clusterOf(id)).toBe('C-r1');
    expect(await store.clusterMembers('C-r2')).toEqual([]);
  });

  it('a removed link splits the cluster: the part with the oldest member keeps the id', async () => {
    await store.savePair(pair('r4', 'r5', 'rejected'));
    expect(await store.clusterOf('r1')).toBe('C-r1');
    expect(await store.clusterOf('r5')).toBe('C-r1');
    expect(await store.clusterOf('r2')).toBe('C-r2');
    expect(await store.clusterMembers('C-r2')).toEqual(['r2', 'r3', 'r4']);
    // the middle link goes: r2 alone (no cluster), r3–r4 named after r3
    await store.savePair(pair('r3', 'r2', 'removed'));
    expect(await store.clusterOf('r2')).toBeUndefined();
    expect(await store.clusterOf('r4')).toBe('C-r3');
  });

  it('a link inside a cluster that keeps it connected changes nothing', async () => {
    await store.savePair(pair('r1', 'r6'));
    await store.savePair(pair('r5', 'r6'));
    await store.savePair(pair('r1', 'r5', 'removed')); // r1–r6–r5 still connected
    expect(await store.clusterMembers('C-r1')).toEqual(['r1', 'r5', 'r6']);
  });

  it('lists active pairs and keeps NGHI_TRUNG review items until decided', async () => {
    const p = { ...pair('r2', 'r6'), level: 'NGHI_TRUNG' as const, review: true };
    await store.savePair(p);
    expect(await store.reviewQueue()).toContain(p.pairId);
    await store.savePair({ ...p, status: 'confirmed', review: false });
    expect(await store.reviewQueue()).not.toContain(p.pairId);
    const active = await store.listPairs();
    expect(active.map((x) => x.pairId)).toContain(p.pairId);
    expect(active.map((x) => x.pairId)).not.toContain(pairIdOf('r4', 'r5'));
  });
});

describe('cluster listing', () => {
  const p2 = uniquePrefix('ddlist');
  let s2: DedupeStore;
  beforeAll(async () => {
    s2 = new DedupeStore(redis, p2);
    for (const id of ['q1', 'q2', 'q3', 'q4', 'q5']) await s2.upsertRecord({ maHoSo: id, agency: '000.00.00.H29' });
  });
  afterAll(async () => {
    await dropPrefix(p2);
  });

  it('lists each cluster once with its members and counts the active links inside it', async () => {
    await s2.savePair(pair('q1', 'q2'));
    await s2.savePair(pair('q2', 'q3'));
    await s2.savePair(pair('q1', 'q3'));
    await s2.savePair(pair('q4', 'q5'));
    const list = await s2.listClusters();
    expect(list.map((c) => [c.clusterId, c.members])).toEqual([['C-q1', ['q1', 'q2', 'q3']], ['C-q4', ['q4', 'q5']]]);
    expect(await s2.clusterPairIds(list[0]!.members)).toEqual([pairIdOf('q1', 'q2'), pairIdOf('q2', 'q3'), pairIdOf('q1', 'q3')].sort());
  });

  it('a removed link leaves the listing; a cluster that falls apart is gone', async () => {
    await s2.savePair(pair('q4', 'q5', 'rejected'));
    await s2.savePair(pair('q1', 'q3', 'rejected'));
    const list = await s2.listClusters();
    expect(list.map((c) => c.clusterId)).toEqual(['C-q1']);
    expect(await s2.clusterPairIds(list[0]!.members)).toEqual([pairIdOf('q1', 'q2'), pairIdOf('q2', 'q3')].sort());
  });
});
