/**
 * A national record under construction: the candidate body, the issues found while
 * building it, and which source pointer each national pointer came from (so that a
 * failure found by the national validator can be shown at the officer's own field).
 *
 * `finishDraft` is the local pre-check: it runs the national validator (contract
 * §1, §5.1, §8 — the same code the simulator uses) on the candidate body, turns each
 * ChiTietLoi into an error Issue, and only returns a body when nothing blocks it. So
 * a national 422 becomes the exception rather than the way errors are found.
 */
import type { Issue } from '../types.js';
import type { RecordKind, HoSoDon, LuotTiep, ChiTietLoi } from '../../src/contract/schemas.js';
import { validateHoSoDon, validateLuotTiep } from '../../src/contract/validate.js';
import type { Catalogues } from '../types.js';
import { makeIssue, dedupIssues, type IssueCode, type IssueInput } from '../issues.js';
import { isWithin, parentPointer } from './pointer.js';

export class Draft {
  readonly body: Record<string, unknown> = {};
  readonly issues: Issue[] = [];
  /** national pointer → source pointer (built from `pending` only when a source is looked up) */
  private readonly srcOf = new Map<string, string>();
  /**
   * `from` calls not yet in `srcOf`, as [national, source, national, source, …] in call order.
   * A mapping makes ~50 `from` calls and, on the happy path, never looks one up: appending two
   * strings is much cheaper than hashing freshly built pointers into a Map.
   */
  private pending: string[] = [];
  /** National pointers already explained by a mapper error (or deliberately not checked). */
  private readonly handled: string[] = [];
  /** Suggestions for the officer (may contain petition text: stored like the raw record, never logged). */
  readonly suggestions: { national: string; value: string }[] = [];

  constructor(readonly kind: RecordKind, readonly rootSource = '') {}

  /** Remember that `national` came from `source`. */
  from(national: string, source: string): this {
    this.pending.push(national, source);
    return this;
  }

  /** Source pointer for a national pointer: the longest registered prefix, else the record root. */
  sourceFor(national: string): string {
    if (this.pending.length) {
      // replayed in call order, so a later `from` for the same pointer wins, as with direct Map sets
      const q = this.pending;
      for (let i = 0; i < q.length; i += 2) this.srcOf.set(q[i]!, q[i + 1]!);
      this.pending = [];
    }
    let p = national;
    for (;;) {
      const s = this.srcOf.get(p);
      if (s !== undefined) return s;
      if (p === '') return this.rootSource;
      p = parentPointer(p);
    }
  }

  add(code: IssueCode | string, i: Omit<IssueInput, 'source' | 'recordKind'> & { source?: string }): Issue {
    const source = i.source ?? (i.national !== undefined ? this.sourceFor(i.national) : this.rootSource);
    // field by field rather than { ...i, source, recordKind }: an object spread per issue was measurable
    const issue = makeIssue(code, {
      source, recordKind: this.kind, national: i.national, severity: i.severity, hint: i.hint,
      truong: i.truong, nhan: i.nhan, ma: i.ma, chiTiet: i.chiTiet,
    });
    this.issues.push(issue);
    if (issue.severity === 'error' && i.national !== undefined) this.handled.push(i.national);
    return issue;
  }

  /** Do not report validator findings under `national` (e.g. addresses not resolved because the date is unusable). */
  skip(national: string): void {
    this.handled.push(national);
  }

  isHandled(national: string): boolean {
    for (const h of this.handled) if (isWithin(national, h)) return true;
    return false;
  }

  get hasError(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }
}

export interface FinishContext {
  catalogues: Catalogues;
  today: string;
}

export type Finished =
  // `issues` is always deduplicated (dedupIssues), which assemble relies on
  | { ok: true; kind: 'ho-so-don'; body: HoSoDon; issues: Issue[] }
  | { ok: true; kind: 'luot-tiep'; body: LuotTiep; issues: Issue[] }
  | { ok: false; kind: RecordKind; issues: Issue[]; candidate: Record<string, unknown> };

/** Run the local pre-check and decide whether the draft can be pushed. */
export function finishDraft(d: Draft, ctx: FinishContext): Finished {
  const vctx = { catalogues: ctx.catalogues, today: ctx.today };
  let found: ChiTietLoi[];
  try {
    found = d.kind === 'ho-so-don' ? validateHoSoDon(d.body, vctx) : validateLuotTiep(d.body, vctx);
  } catch {
    found = [{ truong: '', ma: 'LOI_ANH_XA', thongDiep: 'validator threw' }];
  }
  for (const c of found) {
    if (d.isHandled(c.truong)) continue;
    d.add(c.ma, { national: c.truong, chiTiet: c.thongDiep });
  }
  const issues = dedupIssues(d.issues);
  if (d.hasError) return { ok: false, kind: d.kind, issues, candidate: d.body };
  return d.kind === 'ho-so-don'
    ? { ok: true, kind: 'ho-so-don', body: d.body as HoSoDon, issues }
    : { ok: true, kind: 'luot-tiep', body: d.body as LuotTiep, issues };
}
