/**
 * Duplicate decisions, links and clusters in Redis (keys under `${prefix}:dd:`).
 *
 * What is stored is ids, levels, weights and Vietnamese reasons — never a name, ID
 * number, address or petition text (the reasons are built without personal values).
 *
 * Clusters are the connected components of the active links. A cluster's id is
 * `C-<maHoSo of its oldest member>` (oldest = first seen by this store), so it stays the
 * same when records join or clusters merge (the older cluster's id survives), and when a
 * removed link splits a cluster the part holding the oldest member keeps the id.
 * Cluster changes run under one short Redis lock per deployment.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Contribution } from './score.js';

export type Level = 'TRUNG' | 'NGHI_TRUNG';
export type PairStatus = 'auto' | 'confirmed' | 'rejected' | 'removed';

export interface RecordInfo {
  maHoSo: string;
  agency: string;
  source?: string;
  localId?: string;
  tid?: string;
  /** this deployment sent it */
  own?: boolean;
  /** confidential identity (tố cáo / anonymous): masked in views */
  confidential?: boolean;
}

export interface PairRecord {
  pairId: string;
  a: string;
  b: string;
  level: Level;
  /** probability sent as `diem` */
  score: number;
  weight?: number;
  reasons: string[];
  contributions?: Contribution[];
  maLienKet?: string;
  /** who made the link: this connector (local) or another one (national listing) */
  origin: 'local' | 'national';
  taoBoi?: string;
  status: PairStatus;
  decidedAt: string;
  /** officer action */
  by?: string;
  at?: string;
  /** pending NGHI_TRUNG review */
  review?: boolean;
}

export const pairIdOf = (a: string, b: string): string => {
  const [x, y] = a < b ? [a, b] : [b, a];
  return 'P' + createHash('sha256').update(`${x}|${y}`).digest('hex').slice(0, 16);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DedupeStore {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  private k(...parts: string[]): string {
    return [this.prefix, 'dd', ...parts].join(':');
  }

  // ---------- records ----------
  /** Remember a record (first sight fixes its age for cluster ids). Known fields are not erased by unknown ones. */
  async upsertRecord(r: RecordInfo): Promise<void> {
    const key = this.k('rec', r.maHoSo);
    const fields: Record<string, string> = { maHoSo: r.maHoSo, agency: r.agency };
    if (r.source) fields.source = r.source;
    if (r.localId) fields.localId = r.localId;
    if (r.tid) fields.tid = r.tid;
    if (r.own) fields.own = '1';
    if (r.confidential !== undefined) fields.conf = r.confidential ? '1' : '0';
    await this.redis.hset(key, fields);
    if ((await this.redis.hsetnx(key, 'seen', '0')) === 1) {
      const seq = await this.redis.incr(this.k('seq'));
      await this.redis.hset(key, 'seen', String(seq));
    }
    if (r.own) await this.redis.zadd(this.k('own'), 'NX', 0, r.maHoSo);
  }

  async getRecord(maHoSo: string): Promise<(RecordInfo & { seen: number }) | undefined> {
    const h = await this.redis.hgetall(this.k('rec', maHoSo));
    if (!h.maHoSo) return undefined;
    return {
      maHoSo: h.maHoSo,
      agency: h.agency ?? '',
      source: h.source,
      localId: h.localId,
      tid: h.tid,
      own: h.own === '1',
      confidential: h.conf === '1',
      seen: Number(h.seen ?? 0),
    };
  }

  /** Own records for the periodic sweep, least recently checked first. */
  async ownRecords(limit: number): Promise<string[]> {
    return this.redis.zrange(this.k('own'), 0, limit - 1);
  }
  async markChecked(maHoSo: string, at = Date.now()): Promise<void> {
    await this.redis.zadd(this.k('own'), at, maHoSo);
  }
  /** The keyed lk1 features of an own record (for the sweep; no raw identity). */
  async saveFeatures(maHoSo: string, linkage: unknown): Promise<void> {
    await this.redis.set(this.k('feat', maHoSo), JSON.stringify(linkage));
  }
  async loadFeatures(maHoSo: string): Promise<unknown> {
    const s = await this.redis.get(this.k('feat', maHoSo));
    return s ? JSON.parse(s) : undefined;
  }

  // ---------- pairs ----------
  async getPair(pairId: string): Promise<PairRecord | undefined> {
    const s = await this.redis.get(this.k('pair', pairId));
    return s ? (JSON.parse(s) as PairRecord) : undefined;
  }

  /** Store a pair decision and bring the link graph in line with its status. */
  async savePair(p: PairRecord): Promise<void> {
    await this.withLock(async () => {
      await this.redis.set(this.k('pair', p.pairId), JSON.stringify(p));
      await this.redis.zadd(this.k('pairs'), Date.parse(p.decidedAt) || Date.now(), p.pairId);
      if (p.review && p.status === 'auto' && p.level === 'NGHI_TRUNG') await this.redis.zadd(this.k('review'), Date.now(), p.pairId);
      else await this.redis.zrem(this.k('review'), p.pairId);
      if (p.status === 'auto' || p.status === 'confirmed') await this.addEdgeLocked(p.a, p.b, p.pairId);
      else await this.removeEdgeLocked(p.a, p.b, p.pairId);
    });
  }

  async appendHistory(pairId: string, entry: { at: string; action: string; by?: string; level?: string }): Promise<void> {
    await this.redis.rpush(this.k('hist', pairId), JSON.stringify(entry));
  }
  async history(pairId: string): Promise<{ at: string; action: string; by?: string; level?: string }[]> {
    return (await this.redis.lrange(this.k('hist', pairId), 0, -1)).map((s) => JSON.parse(s));
  }

  /** Every pair, newest decision first (bounded). */
  async listPairs(opts: { limit?: number; includeInactive?: boolean } = {}): Promise<PairRecord[]> {
    const ids = await this.redis.zrevrange(this.k('pairs'), 0, (opts.limit ?? 10_000) - 1);
    const out: PairRecord[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const vals = await this.redis.mget(chunk.map((id) => this.k('pair', id)));
      for (const v of vals) {
        if (!v) continue;
        const p = JSON.parse(v) as PairRecord;
        if (opts.includeInactive || p.status === 'auto' || p.status === 'confirmed') out.push(p);
      }
    }
    return out;
  }
  async reviewQueue(): Promise<string[]> {
    return this.redis.zrange(this.k('review'), 0, -1);
  }

  // ---------- link cursor ----------
  async linkCursor(maDonVi: string): Promise<string | undefined> {
    return (await this.redis.get(this.k('cur', 'links', maDonVi))) ?? undefined;
  }
  async setLinkCursor(maDonVi: string, at: string): Promise<void> {
    await this.redis.set(this.k('cur', 'links', maDonVi), at);
  }

  // ---------- clusters ----------
  async clusterOf(maHoSo: string): Promise<string | undefined> {
    return (await this.redis.hget(this.k('cl', 'of'), maHoSo)) ?? undefined;
  }
  async clusterMembers(clusterId: string): Promise<string[]> {
    return (await this.redis.smembers(this.k('cl', 'm', clusterId))).sort();
  }
  /** Every cluster with its members (≥ 2), by cluster id. */
  async listClusters(): Promise<{ clusterId: string; members: string[] }[]> {
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, kv] = await this.redis.hscan(this.k('cl', 'of'), cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 1; i < kv.length; i += 2) ids.add(kv[i]!);
    } while (cursor !== '0');
    const out: { clusterId: string; members: string[] }[] = [];
    for (const clusterId of [...ids].sort()) {
      const members = await this.clusterMembers(clusterId);
      if (members.length >= 2) out.push({ clusterId, members });
    }
    return out;
  }
  /** The pair ids of the active links among these records. */
  async clusterPairIds(members: string[]): Promise<string[]> {
    const inside = new Set(members);
    const ids = new Set<string>();
    for (const m of members) {
      const edges = await this.redis.hgetall(this.k('edge', m));
      for (const [other, pairId] of Object.entries(edges)) if (inside.has(other)) ids.add(pairId);
    }
    return [...ids].sort();
  }

  private async seenOf(maHoSo: string): Promise<number> {
    const s = await this.redis.hget(this.k('rec', maHoSo), 'seen');
    if (s && s !== '0') return Number(s);
    await this.upsertRecord({ maHoSo, agency: (await this.redis.hget(this.k('rec', maHoSo), 'agency')) ?? '' });
    return Number(await this.redis.hget(this.k('rec', maHoSo), 'seen'));
  }
  private async oldest(ids: string[]): Promise<string> {
    let best = ids[0]!;
    let bestSeen = Infinity;
    for (const id of ids) {
      const s = await this.seenOf(id);
      if (s < bestSeen || (s === bestSeen && id < best)) [best, bestSeen] = [id, s];
    }
    return best;
  }

  private async addEdgeLocked(a: string, b: string, pairId: string): Promise<void> {
    await this.redis.hset(this.k('edge', a), b, pairId);
    await this.redis.hset(this.k('edge', b), a, pairId);
    const [ca, cb] = await Promise.all([this.clusterOf(a), this.clusterOf(b)]);
    if (ca && ca === cb) return;
    const membersA = ca ? await this.clusterMembers(ca) : [a];
    const membersB = cb ? await this.clusterMembers(cb) : [b];
    // The surviving id: the one whose oldest member is older.
    const oa = await this.oldest(membersA);
    const ob = await this.oldest(membersB);
    const keepA = (await this.seenOf(oa)) <= (await this.seenOf(ob));
    const keepId = keepA ? (ca ?? `C-${oa}`) : (cb ?? `C-${ob}`);
    const dropId = keepA ? cb : ca;
    const all = [...membersA, ...membersB];
    const m = this.redis.multi();
    m.sadd(this.k('cl', 'm', keepId), ...all);
    for (const id of all) m.hset(this.k('cl', 'of'), id, keepId);
    if (dropId && dropId !== keepId) m.del(this.k('cl', 'm', dropId));
    await m.exec();
  }

  private async removeEdgeLocked(a: string, b: string, pairId: string): Promise<void> {
    const cur = await this.redis.hget(this.k('edge', a), b);
    if (cur !== pairId) return;
    await this.redis.hdel(this.k('edge', a), b);
    await this.redis.hdel(this.k('edge', b), a);
    const cid = await this.clusterOf(a);
    if (!cid) return;
    const members = await this.clusterMembers(cid);
    // Connected components of the remaining links inside the cluster.
    const left = new Set(members);
    const comps: string[][] = [];
    while (left.size) {
      const start = left.values().next().value as string;
      left.delete(start);
      const comp = [start];
      for (let i = 0; i < comp.length; i++) {
        for (const n of await this.redis.hkeys(this.k('edge', comp[i]!)))
          if (left.has(n)) {
            left.delete(n);
            comp.push(n);
          }
      }
      comps.push(comp);
    }
    if (comps.length === 1) return;
    const holder = cid.slice(2); // C-<maHoSo>
    const m = this.redis.multi();
    m.del(this.k('cl', 'm', cid));
    for (const comp of comps) {
      if (comp.length < 2) {
        m.hdel(this.k('cl', 'of'), comp[0]!);
        continue;
      }
      const id = comp.includes(holder) ? cid : `C-${await this.oldest(comp)}`;
      m.sadd(this.k('cl', 'm', id), ...comp);
      for (const x of comp) m.hset(this.k('cl', 'of'), x, id);
    }
    await m.exec();
  }

  /** One short lock for link-graph changes (several workers may decide at once). */
  async withLock<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
    const key = this.k('lock');
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + timeoutMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      if ((await this.redis.set(key, token, 'PX', 10_000, 'NX')) === 'OK') break;
      if (Date.now() > deadline) throw new Error('dedupe store lock timeout');
      await sleep(wait);
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key, token);
    }
  }
}
