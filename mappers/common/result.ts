/**
 * Assembling a MapResult from finished drafts, and the guard that makes a mapper
 * total: an unexpected exception (a bug, or input shaped beyond anything foreseen)
 * becomes an error issue LOI_ANH_XA — the record is kept for review, never crashes
 * the run and is never half-sent.
 */
import type { Issue, MapContext, MapResult, NationalRecord, Suggestion } from '../types.js';
import type { RecordKind } from '../../src/contract/schemas.js';
import { makeIssue, dedupIssues } from '../issues.js';
import type { Finished } from './draft.js';

export interface ResultMeta {
  source: string;
  localId: string;
  version: number;
  agency: string;
  mappingVersion: string;
}

export function assemble(meta: ResultMeta, finished: Finished[], extra: Issue[] = [], suggestions: Suggestion[] = []): MapResult {
  const records: NationalRecord[] = [];
  const blocked: RecordKind[] = [];
  const issues: Issue[] = [...extra];
  const candidates: { kind: RecordKind; body: Record<string, unknown> }[] = [];
  for (const f of finished) {
    issues.push(...f.issues);
    if (f.ok) records.push(f.kind === 'ho-so-don' ? { kind: 'ho-so-don', body: f.body } : { kind: 'luot-tiep', body: f.body });
    else {
      blocked.push(f.kind);
      candidates.push({ kind: f.kind, body: f.candidate });
    }
  }
  const all = extra.length === 0 && distinctByKind(finished) ? issues : dedupIssues(issues);
  // an error without recordKind blocks every output
  if (all.some((i) => i.severity === 'error' && i.recordKind === undefined)) {
    for (const r of records.splice(0)) {
      blocked.push(r.kind);
      candidates.push({ kind: r.kind, body: r.body as unknown as Record<string, unknown> });
    }
  }
  for (const i of all) {
    if (i.severity === 'error' && i.recordKind && !blocked.includes(i.recordKind) && !records.some((r) => r.kind === i.recordKind)) blocked.push(i.recordKind);
  }
  // meta copied field by field (same key order as a spread): an object spread here was ~8% of a qldt mapping
  const out: MapResult = {
    source: meta.source,
    localId: meta.localId,
    version: meta.version,
    agency: meta.agency,
    mappingVersion: meta.mappingVersion,
    ok: blocked.length === 0 && !all.some((i) => i.severity === 'error'),
    records,
    blocked,
    issues: all,
  };
  if (suggestions.length) out.suggestions = suggestions;
  if (candidates.length) out.candidates = candidates;
  return out;
}

/**
 * True when concatenating the drafts' issue lists cannot create a repeat, so dedupIssues would
 * return them unchanged: each list is already deduplicated (finishDraft), every issue carries its
 * draft's kind, and no two drafts share a kind — the dedup key ends with the kind, so issues of
 * different kinds never share a key.
 */
function distinctByKind(finished: Finished[]): boolean {
  for (let i = 0; i < finished.length; i++) {
    const f = finished[i]!;
    for (let j = 0; j < i; j++) if (finished[j]!.kind === f.kind) return false;
    for (const issue of f.issues) if (issue.recordKind !== f.kind) return false;
  }
  return true;
}

/** Wrap a mapper body so that it can never throw. */
export function guarded<Raw>(
  meta: { source: string; mappingVersion: string; kinds: RecordKind[] },
  identify: (raw: Raw) => { localId: string; version: number; agency: string } | undefined,
  body: (raw: Raw, ctx: MapContext) => MapResult,
): (raw: Raw, ctx: MapContext) => MapResult {
  return (raw, ctx) => {
    try {
      return body(raw, ctx);
    } catch {
      let id: { localId: string; version: number; agency: string } | undefined;
      try {
        id = identify(raw);
      } catch {
        id = undefined;
      }
      return {
        source: meta.source,
        localId: id?.localId ?? '',
        version: id?.version ?? 0,
        agency: id?.agency ?? '',
        ok: false,
        records: [],
        blocked: [...meta.kinds],
        issues: [makeIssue('LOI_ANH_XA', { source: '' })],
        mappingVersion: meta.mappingVersion,
      };
    }
  };
}
