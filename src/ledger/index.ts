/**
 * The record ledger (Redis): one hash per (source, agency, local id) holding the
 * latest received version, each raw version until it is pushed, the mapped records
 * per kind (with the mapping version), push state, national ids, issues and a
 * capped status history. Raw records and mapped bodies are AES-256-GCM encrypted
 * (src/ledger/crypto.ts); everything else is non-personal metadata kept in clear for
 * status and reports. State changes are Lua scripts (src/ledger/scripts.ts), so an
 * older version arriving late can never overwrite a newer one.
 */
import { createHash } from 'node:crypto';
import type { Redis, ChainableCommander } from 'ioredis';
import type { Config } from '../../config/index.js';
import type { Issue } from '../../mappers/types.js';
import type { RecordKind, HoSoDon, LuotTiep } from '../contract/schemas.js';
import { canonicalJson } from '../contract/hash.js';
import { LedgerCipher, parseKey, parseOldKeys } from './crypto.js';
import { ACCEPT_MANY, SAVE_MAPPED_MANY, PUSH_RESULT_MANY, MAP_FAILED, SET_FIELDS, HMGET_MANY } from './scripts.js';
import { Coalescer } from './coalesce.js';

export type RecordState = 'received' | 'mapped' | 'pushing' | 'pushed' | 'rejected';
export type PushState = 'pending' | 'pushing' | 'pushed' | 'superseded' | 'rejected';
export type IssueOrigin = 'mapper' | 'national';

/** An Issue as stored: where it came from, when, for which version. */
export interface LedgerIssue extends Issue {
  origin: IssueOrigin;
  at: string;
  version: number;
}

export interface RecordRef { source: string; agency: string; localId: string }

export interface OutputStatus {
  kind: RecordKind;
  localId: string;
  state: PushState;
  mappedVersion?: number;
  pushedVersion?: number;
  nationalId?: string;
}

export interface LedgerStatus extends RecordRef {
  trackingId: string;
  state: RecordState;
  latestVersion: number;
  pushedVersion?: number;
  mappedVersion?: number;
  mappingVersion?: string;
  nationalIds: Partial<Record<RecordKind, string>>;
  outputs: OutputStatus[];
  issues: LedgerIssue[];
  lastError?: { code: string; message: string; at: string };
  flag?: string;
  history: { at: string; state: string; version: number; detail?: string }[];
}

export interface ReportedIssue {
  record: RecordRef & { trackingId: string; version: number; state: RecordState };
  origin: IssueOrigin;
  at: string;
  issue: Issue;
}

export type GateOutcome = 'accepted' | 'unchanged' | 'older' | 'conflict';

export interface GateInput extends RecordRef {
  version: number;
  raw: unknown;
  channel: string;
}
export interface GateResult { trackingId: string; fingerprint: string; outcome: GateOutcome; latest: number; state: string; needsMap: boolean }

export interface MapSnapshot extends RecordRef {
  trackingId: string;
  latest: number;
  raw?: unknown;
  fingerprint?: string;
  mappedVersion: number;
  mappedFingerprint?: string;
  kinds: RecordKind[];
  pushStates: Partial<Record<RecordKind, PushState>>;
}

export interface PushSnapshot extends RecordRef {
  trackingId: string;
  kind: RecordKind;
  localIdOfKind?: string;
  mappedVersion: number;
  body?: HoSoDon | LuotTiep;
  mappedHash?: string;
  pushState?: PushState;
  pushedVersion: number;
  pushedHash?: string;
  nationalId?: string;
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** Stable, opaque tracking id of a (source, agency, local id): 20 base32 chars (100 bits of SHA-256). */
export function trackingIdOf(source: string, agency: string, localId: string): string {
  const h = createHash('sha256').update(`${source}\n${agency}\n${localId}`, 'utf8').digest();
  let bits = 0, acc = 0, out = '';
  for (const byte of h) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 20) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 20) break;
    acc &= (1 << bits) - 1;
  }
  return out;
}

function stableJson(v: unknown): string {
  try {
    return canonicalJson(v);
  } catch {
    return JSON.stringify(v) ?? 'undefined';
  }
}

function parseJson<T>(s: string | null | undefined, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

const num = (s: string | null | undefined): number => (s ? Number(s) || 0 : 0);
const KINDS: readonly RecordKind[] = ['ho-so-don', 'luot-tiep'];

export function ledgerCipherFromConfig(cfg: Pick<Config, 'LEDGER_ENCRYPTION_KEY' | 'LEDGER_KEY_ID' | 'LEDGER_OLD_KEYS'>): LedgerCipher {
  const old = cfg.LEDGER_OLD_KEYS.reveal();
  return new LedgerCipher({ keyId: cfg.LEDGER_KEY_ID, key: parseKey(cfg.LEDGER_ENCRYPTION_KEY.reveal()), oldKeys: parseOldKeys(old === '' ? undefined : old) });
}

/** A record's answer in a `*_MANY` script, or its own error. */
type Many<T> = (T | ['!err', string])[];
type Scripted = Redis & {
  kntcSaveMappedMany(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<Many<[string, string, string]>>;
  kntcPushResultMany(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<Many<[string]>>;
  kntcMapFailed(k1: string, k2: string, k3: string, k4: string, ...args: (string | number)[]): Promise<[string, string, string?]>;
  kntcSetFields(numKeys: number, ...keysAndArgs: string[]): Promise<number>;
  kntcHmgetMany(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<(string | null)[][]>;
};
type ScriptedPipeline = ChainableCommander & {
  kntcAcceptMany(numKeys: number, ...keysAndArgs: (string | number)[]): ChainableCommander;
};

/** Records per `*_MANY` script call (~2 ms of Redis time at most). */
const MANY_MAX = 128;

function answers<T>(res: Many<T>): (T | Error)[] {
  return res.map((a) => (Array.isArray(a) && a[0] === '!err' ? new Error(`ledger script: ${String(a[1])}`) : (a as T)));
}

/** One record's part of a *_MANY script call: its rec and hist keys and its arguments. */
interface RecordCall { keys: [string, string]; args: (string | number)[] }

/** A record that is neither pushed nor rejected (the requeue sweep's view, no personal data). */
export interface OpenRecord {
  trackingId: string;
  state: RecordState;
  /** Latest received version and its raw fingerprint (the map job is keyed by both). */
  latest: number;
  fingerprint?: string;
  /** Outputs still to push, with the mapped version and raw fingerprint their push jobs are keyed by, and the batch push job last enqueued for it. */
  pending: { kind: RecordKind; v: number; f: string; batchJob?: string }[];
  /** The batch map job last enqueued for the record (setJobRefs). */
  mapBatchJob?: string;
  /** Last state change (ms). */
  since: number;
}

export class Ledger {
  private readonly r: Scripted;
  constructor(redis: Redis, readonly prefix: string, readonly cipher: LedgerCipher, private readonly now: () => Date = () => new Date()) {
    const r = redis as Scripted & { kntcAcceptMany?: unknown };
    if (typeof r.kntcAcceptMany !== 'function') redis.defineCommand('kntcAcceptMany', { lua: ACCEPT_MANY });
    if (typeof r.kntcSaveMappedMany !== 'function') redis.defineCommand('kntcSaveMappedMany', { lua: SAVE_MAPPED_MANY });
    if (typeof r.kntcPushResultMany !== 'function') redis.defineCommand('kntcPushResultMany', { lua: PUSH_RESULT_MANY });
    if (typeof r.kntcMapFailed !== 'function') redis.defineCommand('kntcMapFailed', { numberOfKeys: 4, lua: MAP_FAILED });
    if (typeof r.kntcSetFields !== 'function') redis.defineCommand('kntcSetFields', { lua: SET_FIELDS });
    if (typeof r.kntcHmgetMany !== 'function') redis.defineCommand('kntcHmgetMany', { lua: HMGET_MANY });
    this.r = r;
    // concurrent jobs' ledger calls of one event-loop turn go as one script call each (scripts.ts)
    // every *_MANY record script takes the issues and open indexes first, then each record's keys and args
    const many = <O>(script: (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<Many<O>>) =>
      new Coalescer(async (calls: RecordCall[]) => {
        const keys = [this.issuesIndex, this.openIndex];
        const args: (string | number)[] = [];
        for (const c of calls) keys.push(...c.keys), args.push(...c.args);
        return answers(await script.call(this.r, keys.length, ...keys, ...args));
      }, MANY_MAX);
    this.saves = many<[string, string, string]>(this.r.kntcSaveMappedMany);
    this.pushes = many<[string]>(this.r.kntcPushResultMany);
  }

  private readonly saves: Coalescer<RecordCall, [string, string, string]>;
  /** HMGETs of one turn with the same number of fields, as one script call (the loads of a batch job's records). */
  private readonly reads = new Map<number, Coalescer<{ key: string; fields: string[] }, (string | null)[]>>();
  private hmget(key: string, ...fields: string[]): Promise<(string | null)[]> {
    let c = this.reads.get(fields.length);
    if (!c) {
      const n = fields.length;
      c = new Coalescer(async (calls) => {
        if (calls.length === 1) return [await this.r.hmget(calls[0]!.key, ...calls[0]!.fields)];
        const args: string[] = [];
        for (const x of calls) args.push(...x.fields);
        return this.r.kntcHmgetMany(calls.length, ...calls.map((x) => x.key), n, ...args);
      }, MANY_MAX);
      this.reads.set(fields.length, c);
    }
    return c.call({ key, fields });
  }
  private readonly pushes: Coalescer<RecordCall, [string]>;


  recKey(tid: string): string {
    return `${this.prefix}:led:${tid}`;
  }
  private histKey(tid: string): string {
    return `${this.prefix}:led:${tid}:h`;
  }
  private get issuesIndex(): string {
    return `${this.prefix}:led:issues`;
  }
  private get allIndex(): string {
    return `${this.prefix}:led:all`;
  }
  /** Records neither pushed nor rejected, scored by their last state change (maintained by every script). */
  private get openIndex(): string {
    return `${this.prefix}:led:open`;
  }
  private get agenciesKey(): string {
    return `${this.prefix}:led:agencies`;
  }

  /** Fingerprint of a raw record's content (keyed, so it reveals nothing). */
  fingerprint(raw: unknown): string {
    return this.cipher.fingerprint(stableJson(raw));
  }

  /**
   * Version gate for a batch of raw records, pipelined (one round trip). Per record:
   * newer or first → stored (`accepted`); same version and content → `unchanged`;
   * same version, other content → stored and flagged (`conflict`); older than the
   * latest → not stored (`older`).
   */
  async gate(inputs: GateInput[]): Promise<GateResult[]> {
    if (inputs.length === 0) return [];
    const now = this.now();
    const iso = now.toISOString();
    const p = this.r.pipeline() as ScriptedPipeline;
    const tids: string[] = [];
    const fps: string[] = [];
    for (let from = 0; from < inputs.length; from += MANY_MAX) {
      const keys = [this.allIndex, this.openIndex, this.agenciesKey];
      const args: (string | number)[] = [];
      for (const i of inputs.slice(from, from + MANY_MAX)) {
        const tid = trackingIdOf(i.source, i.agency, i.localId);
        tids.push(tid);
        const json = stableJson(i.raw);
        const fp = this.cipher.fingerprint(json);
        fps.push(fp);
        const enc = this.cipher.encrypt(json, `${tid}|raw:${i.version}`);
        keys.push(this.recKey(tid), this.histKey(tid));
        args.push(i.version, fp, enc, iso, now.getTime(), tid, i.source, i.agency, i.localId, i.channel);
      }
      p.kntcAcceptMany(keys.length, ...keys, ...args);
    }
    const res = (await p.exec()) ?? [];
    const outs: (readonly [string, number, string, number])[] = [];
    for (const [err, chunk] of res) {
      if (err) throw err;
      for (const a of answers(chunk as Many<[string, number, string, number]>)) {
        if (a instanceof Error) throw a;
        outs.push(a);
      }
    }
    return outs.map(([outcome, latest, state, needs], n) => ({
      trackingId: tids[n]!, fingerprint: fps[n]!, outcome: outcome as GateOutcome, latest: Number(latest), state, needsMap: Number(needs) === 1,
    }));
  }

  /**
   * What the map processor needs, in one round trip: `expected` is the job's version,
   * normally the latest; when a newer version arrived meanwhile, the raw is not loaded
   * (that version has its own job).
   */
  async loadForMap(tid: string, expected?: number): Promise<MapSnapshot | undefined> {
    const k = this.recKey(tid);
    const ev = expected ?? 0;
    const [src, ag, lid, v, mv, mfp, kinds, ps1, ps2, enc0, fp0] = await this.hmget(k, 'src', 'ag', 'lid', 'v', 'mv', 'mfp', 'kinds', 'ps:ho-so-don', 'ps:luot-tiep', `raw:${ev}`, `rh:${ev}`);
    if (!src) return undefined;
    const latest = num(v);
    let enc = enc0;
    let fp = fp0;
    if (latest !== ev) {
      if (expected !== undefined && expected < latest) enc = fp = null; // stale job: not needed
      else [enc, fp] = await this.r.hmget(k, `raw:${latest}`, `rh:${latest}`);
    }
    return {
      trackingId: tid, source: src, agency: ag ?? '', localId: lid ?? '', latest,
      raw: enc ? JSON.parse(this.cipher.decrypt(enc, `${tid}|raw:${latest}`)) : undefined,
      fingerprint: fp ?? undefined, mappedVersion: num(mv), mappedFingerprint: mfp ?? undefined,
      kinds: (kinds ?? '').split(',').filter(Boolean) as RecordKind[],
      pushStates: { ...(ps1 ? { 'ho-so-don': ps1 as PushState } : {}), ...(ps2 ? { 'luot-tiep': ps2 as PushState } : {}) },
    };
  }

  /** Store a mapping of version `v` (ignored as `stale` if a newer raw arrived). Returns the kinds that need a push. */
  async saveMapped(tid: string, v: number, fingerprint: string, m: {
    mappingVersion: string; issues: Issue[]; blocked: RecordKind[];
    records: { kind: RecordKind; body: HoSoDon | LuotTiep; localId: string; hash: string }[];
  }): Promise<{ saved: boolean; toPush: RecordKind[]; state: string }> {
    const now = this.now();
    const at = now.toISOString();
    const issues: LedgerIssue[] = m.issues.map((i) => ({ ...i, origin: 'mapper', at, version: v }));
    const args: (string | number)[] = [v, fingerprint, m.mappingVersion, at, now.getTime(), JSON.stringify(issues), m.blocked.join(','), m.records.length];
    for (const r of m.records) args.push(r.kind, this.cipher.encrypt(JSON.stringify(r.body), `${tid}|m:${r.kind}:${v}`), r.hash, r.localId);
    const [st, toPush, state] = await this.saves.call({ keys: [this.recKey(tid), this.histKey(tid)], args });
    return { saved: st === 'saved', toPush: (toPush || '').split(',').filter(Boolean) as RecordKind[], state };
  }

  async loadForPush(tid: string, kind: RecordKind): Promise<PushSnapshot | undefined> {
    const [src, ag, lid, lk, mvk, m, mh, ps, pv, pmh, nid] = await this.hmget(
      this.recKey(tid), 'src', 'ag', 'lid', `lk:${kind}`, `mv:${kind}`, `m:${kind}`, `mh:${kind}`, `ps:${kind}`, `pv:${kind}`, `pmh:${kind}`, `nid:${kind}`);
    if (!src) return undefined;
    const mappedVersion = num(mvk);
    return {
      trackingId: tid, kind, source: src, agency: ag ?? '', localId: lid ?? '', localIdOfKind: lk ?? undefined,
      mappedVersion,
      body: m ? (JSON.parse(this.cipher.decrypt(m, `${tid}|m:${kind}:${mappedVersion}`)) as HoSoDon | LuotTiep) : undefined,
      mappedHash: mh ?? undefined, pushState: (ps ?? undefined) as PushState | undefined,
      pushedVersion: num(pv), pushedHash: pmh ?? undefined, nationalId: nid ?? undefined,
    };
  }

  /** Record a push outcome for mapped version `v` of `kind`. */
  async pushResult(tid: string, kind: RecordKind, v: number, r: {
    outcome: 'pushed' | 'superseded' | 'rejected' | 'retrying';
    nationalId?: string; mappedHash?: string; issues?: Issue[]; error?: { code: string; message: string }; detail?: string;
  }): Promise<string> {
    const now = this.now();
    const at = now.toISOString();
    const issues: LedgerIssue[] = (r.issues ?? []).map((i) => ({ ...i, origin: 'national', at, version: v }));
    const err = r.error ? JSON.stringify({ ...r.error, at }) : '';
    const [st] = await this.pushes.call({
      keys: [this.recKey(tid), this.histKey(tid)],
      args: [kind, v, r.outcome, at, now.getTime(), r.nationalId ?? '', r.mappedHash ?? '', JSON.stringify(issues), err, r.detail ?? ''],
    });
    return st;
  }

  /**
   * A map job of version `v` (raw fingerprint starting `fp12`) used up its attempts: store the
   * version as a rejection with `issues` (for the data officer) and `error` (for engineers).
   * Does nothing when a newer version or other content arrived, or the version got mapped meanwhile.
   */
  async mapFailed(tid: string, v: number, fp12: string, r: { issues: Issue[]; error: { code: string; message: string }; detail?: string }): Promise<{ outcome: 'rejected' | 'stale' | 'mapped'; source: string }> {
    const now = this.now();
    const at = now.toISOString();
    const issues: LedgerIssue[] = r.issues.map((i) => ({ ...i, origin: 'mapper', at, version: v }));
    const [outcome, , source] = await this.r.kntcMapFailed(this.recKey(tid), this.histKey(tid), this.issuesIndex, this.openIndex,
      v, fp12, at, r.detail ?? r.error.code, now.getTime(), JSON.stringify(issues), JSON.stringify({ ...r.error, at }));
    return { outcome: outcome as 'rejected' | 'stale' | 'mapped', source: source ?? '' };
  }

  /**
   * Open records (neither pushed nor rejected) whose state last changed before `before` (ms),
   * oldest first, `count` from `offset`. Cheap: reads the open index, not the ledger.
   */
  async openRecords(before: number, offset: number, count: number): Promise<OpenRecord[]> {
    const tids = await this.r.zrangebyscore(this.openIndex, '-inf', before, 'WITHSCORES', 'LIMIT', offset, count);
    const ids: { tid: string; since: number }[] = [];
    for (let i = 0; i < tids.length; i += 2) ids.push({ tid: tids[i]!, since: Number(tids[i + 1]) });
    if (ids.length === 0) return [];
    const p = this.r.pipeline();
    for (const { tid } of ids) p.hmget(this.recKey(tid), 'st', 'v', 'mfp', 'kinds', 'ps:ho-so-don', 'ps:luot-tiep', 'mv:ho-so-don', 'mv:luot-tiep', 'mj', 'pj:ho-so-don', 'pj:luot-tiep');
    const rows = ((await p.exec()) ?? []).map(([err, vals]) => {
      if (err) throw err;
      return vals as (string | null)[];
    });
    const p2 = this.r.pipeline();
    rows.forEach((row, n) => p2.hget(this.recKey(ids[n]!.tid), `rh:${num(row[1])}`));
    const fps = ((await p2.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return (v as string | null) ?? undefined;
    });
    const out: OpenRecord[] = [];
    const gone: string[] = [];
    rows.forEach(([st, v, mfp, kinds, ps1, ps2, mv1, mv2, mj, pj1, pj2], n) => {
      const { tid, since } = ids[n]!;
      if (!v) return void gone.push(tid); // record deleted: drop it from the index
      const pending: OpenRecord['pending'] = [];
      const byKind: Record<RecordKind, (string | null | undefined)[]> = { 'ho-so-don': [ps1, mv1, pj1], 'luot-tiep': [ps2, mv2, pj2] };
      for (const kind of (kinds ?? '').split(',').filter(Boolean) as RecordKind[]) {
        const [ps, mvk, pj] = byKind[kind] ?? [];
        if ((ps === 'pending' || ps === 'pushing') && mfp) pending.push({ kind, v: num(mvk), f: mfp.slice(0, 12), ...(pj ? { batchJob: pj } : {}) });
      }
      out.push({ trackingId: tid, state: (st ?? 'received') as RecordState, latest: num(v), ...(fps[n] ? { fingerprint: fps[n] } : {}), pending, since, ...(mj ? { mapBatchJob: mj } : {}) });
    });
    if (gone.length) await this.r.zrem(this.openIndex, ...gone);
    return out;
  }

  /**
   * Remember which batch job carries a record (`map`, or `push` of a kind), so the requeue sweep
   * sees that the record has a job although no single job of its id exists. Written before the
   * job is added: if the add fails, the sweep finds the job missing and enqueues one.
   */
  async setJobRefs(refs: readonly { tid: string; kind?: RecordKind; jobId: string }[]): Promise<void> {
    for (let i = 0; i < refs.length; i += MANY_MAX) {
      const chunk = refs.slice(i, i + MANY_MAX);
      const args: string[] = [];
      for (const r of chunk) args.push(r.kind ? `pj:${r.kind}` : 'mj', r.jobId);
      await this.r.kntcSetFields(chunk.length, ...chunk.map((r) => this.recKey(r.tid)), ...args);
    }
  }

  /** The batch map job last enqueued for each record (setJobRefs), in order. */
  async mapJobRefs(tids: readonly string[]): Promise<(string | undefined)[]> {
    return Promise.all(tids.map(async (t) => (await this.r.hget(this.recKey(t), 'mj')) ?? undefined));
  }

  /** Agencies of the records received so far (first version of each record adds its agency). */
  async agencies(): Promise<string[]> {
    return (await this.r.smembers(this.agenciesKey)).sort();
  }

  async statusByTid(tid: string): Promise<LedgerStatus | undefined> {
    const [h, hist] = await Promise.all([this.r.hgetall(this.recKey(tid)), this.r.lrange(this.histKey(tid), 0, -1)]);
    if (!h.src) return undefined;
    const outputs: OutputStatus[] = [];
    const nationalIds: Partial<Record<RecordKind, string>> = {};
    const issues: LedgerIssue[] = parseJson<LedgerIssue[]>(h.issues, []);
    for (const kind of KINDS) {
      if (h[`nid:${kind}`]) nationalIds[kind] = h[`nid:${kind}`];
      issues.push(...parseJson<LedgerIssue[]>(h[`ni:${kind}`], []));
      if (!h[`ps:${kind}`]) continue;
      outputs.push({
        kind, localId: h[`lk:${kind}`] ?? h.lid ?? '', state: h[`ps:${kind}`] as PushState,
        ...(h[`mv:${kind}`] ? { mappedVersion: num(h[`mv:${kind}`]) } : {}),
        ...(h[`pv:${kind}`] ? { pushedVersion: num(h[`pv:${kind}`]) } : {}),
        ...(h[`nid:${kind}`] ? { nationalId: h[`nid:${kind}`] } : {}),
      });
    }
    const current = outputs.filter((o) => (h.kinds ?? '').split(',').includes(o.kind));
    const pushedVersion = current.length && current.every((o) => o.pushedVersion) ? Math.min(...current.map((o) => o.pushedVersion ?? 0)) : undefined;
    const lastError = parseJson<{ code: string; message: string; at: string } | undefined>(h.err, undefined);
    return {
      source: h.src, agency: h.ag ?? '', localId: h.lid ?? '', trackingId: tid,
      state: (h.st ?? 'received') as RecordState, latestVersion: num(h.v),
      ...(pushedVersion ? { pushedVersion } : {}),
      ...(h.mv ? { mappedVersion: num(h.mv) } : {}),
      ...(h.mapver ? { mappingVersion: h.mapver } : {}),
      nationalIds, outputs, issues,
      ...(lastError ? { lastError } : {}),
      ...(h.flag ? { flag: h.flag } : {}),
      history: hist.map((s) => parseJson(s, { at: '', state: '?', version: 0 })),
    };
  }

  status(source: string, agency: string, localId: string): Promise<LedgerStatus | undefined> {
    return this.statusByTid(trackingIdOf(source, agency, localId));
  }

  /** Current issues (mapper and national) of records whose issues changed since `since`, optionally for one agency. */
  async listIssues(q: { since?: string | Date; agency?: string; limit?: number } = {}): Promise<ReportedIssue[]> {
    const min = q.since ? new Date(q.since).getTime() : '-inf';
    const tids = await this.r.zrangebyscore(this.issuesIndex, min, '+inf');
    const out: ReportedIssue[] = [];
    for (let i = 0; i < tids.length; i += 500) {
      const p = this.r.pipeline();
      for (const tid of tids.slice(i, i + 500)) p.hmget(this.recKey(tid), 'src', 'ag', 'lid', 'v', 'st', 'issues', 'ni:ho-so-don', 'ni:luot-tiep');
      const res = (await p.exec()) ?? [];
      res.forEach(([err, vals], n) => {
        if (err) throw err;
        const [src, ag, lid, v, st, iss, ni1, ni2] = vals as (string | null)[];
        if (!src || (q.agency && ag !== q.agency)) return;
        const record = { trackingId: tids[i + n]!, source: src, agency: ag ?? '', localId: lid ?? '', version: num(v), state: (st ?? 'received') as RecordState };
        for (const li of [...parseJson<LedgerIssue[]>(iss, []), ...parseJson<LedgerIssue[]>(ni1, []), ...parseJson<LedgerIssue[]>(ni2, [])]) {
          const { origin, at, version: _v, ...issue } = li;
          out.push({ record, origin, at, issue });
        }
      });
      if (q.limit && out.length >= q.limit) return out.slice(0, q.limit);
    }
    return out;
  }

  /** Count of records per state (demo summary, operators). Scans the ledger index; fine for demo/ops sizes. */
  async summary(): Promise<{ total: number; byState: Record<string, number>; rejectedBy: Record<string, number> }> {
    const byState: Record<string, number> = {};
    const rejectedBy: Record<string, number> = {};
    let total = 0;
    let cursor = 0;
    for (;;) {
      const tids = await this.r.zrange(this.allIndex, cursor, cursor + 999);
      if (tids.length === 0) break;
      cursor += tids.length;
      const p = this.r.pipeline();
      for (const tid of tids) p.hmget(this.recKey(tid), 'st', 'issues', 'ni:ho-so-don', 'ni:luot-tiep');
      for (const [err, vals] of (await p.exec()) ?? []) {
        if (err) throw err;
        const [st, iss, ni1, ni2] = vals as (string | null)[];
        total++;
        const s = st ?? 'received';
        byState[s] = (byState[s] ?? 0) + 1;
        if (s === 'rejected') {
          const errs = [...parseJson<LedgerIssue[]>(iss, []), ...parseJson<LedgerIssue[]>(ni1, []), ...parseJson<LedgerIssue[]>(ni2, [])].filter((i) => i.severity === 'error');
          for (const code of new Set(errs.map((i) => i.code))) rejectedBy[code] = (rejectedBy[code] ?? 0) + 1;
        }
      }
    }
    return { total, byState, rejectedBy };
  }
}

export { LedgerCipher } from './crypto.js';
