/**
 * `kntc enqueue` on the real pipeline and the real mappers with the shared sample files:
 * outcomes follow the export's version history, a re-run queues nothing new, the
 * all-or-nothing scope check leaves zero keys, unreadable lines become stored
 * rejections, and the command's exit codes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig, projectPath } from '../../config/index.js';
import { getMapper } from '../../mappers/registry.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/index.js';
import { enqueueFiles, formatSummary } from '../../src/ingest/enqueue.js';
import { IngestError } from '../../src/ingest/errors.js';
import { Progress } from '../../src/ingest/progress.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitingRecords } from '../helpers/queues.js';

const sample = (f: string) => projectPath('..', 'shared', 'samples', f);
const prefixes: string[] = [];
const pipelines: Pipeline[] = [];
let redis: Redis;

function fresh(): { pipeline: Pipeline; prefix: string } {
  const prefix = uniquePrefix('ingest_enq');
  prefixes.push(prefix);
  const pipeline = createPipeline(loadConfig({}, { KNTC_PREFIX: prefix, REDIS_URL }));
  pipelines.push(pipeline);
  return { pipeline, prefix };
}
async function keyCount(prefix: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const p of pipelines) await p.close();
  for (const p of prefixes) await dropPrefix(p);
  redis.disconnect();
});

/** Expected outcomes from the file itself: per id_don, a higher version is new, equal is a repeat, lower is older. */
function expectedQldt(text: string) {
  const seen = new Map<string, number>();
  const e = { accepted: 0, repeat: 0, older: 0 };
  for (const line of text.split('\n').filter((l) => l.trim())) {
    const r = JSON.parse(line) as { id_don: string; phien_ban: number };
    const prev = seen.get(r.id_don);
    if (prev === undefined || r.phien_ban > prev) e.accepted++;
    else if (r.phien_ban === prev) e.repeat++;
    else e.older++;
    seen.set(r.id_don, Math.max(prev ?? 0, r.phien_ban));
  }
  return e;
}

describe('enqueueFiles', () => {
  it('qldt sample: outcomes follow the version history; a re-run queues nothing new', async () => {
    const { pipeline, prefix } = fresh();
    const text = readFileSync(sample('qldt-lai-chau.jsonl'), 'utf8');
    const exp = expectedQldt(text);
    const lines: string[] = [];
    const sum = await enqueueFiles(pipeline, getMapper('qldt')!, [{ file: 'qldt-lai-chau.jsonl', text }], { source: 'qldt', chunkSize: 7 }, (total) => new Progress(total, { write: (s: string) => lines.push(s), isTTY: false }, 0));
    const t = sum.totals;
    expect(t.records).toBe(34);
    expect(t.accepted + t.unchanged + t.older + t.rejected).toBe(34);
    expect(t.older).toBe(exp.older);
    // A repeated version is "unchanged" when identical, "accepted" (with a conflict warning) when the content differs.
    expect(t.accepted).toBeGreaterThanOrEqual(exp.accepted);
    expect(t.accepted + t.unchanged).toBe(exp.accepted + exp.repeat);
    expect(t.rejected).toBe(0);
    // Non-TTY progress: plain lines, the last one at 100%.
    expect(lines.at(-1)).toMatch(/34\/34 .*100%/);
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    const waiting = await waitingRecords(prefix, 'map');
    const jobs = (await pipeline.counts()).map?.waiting ?? 0;
    expect(waiting).toBe(t.accepted); // one map job item per accepted version; an unchanged re-send while its job waits adds none
    expect(waiting).toBeGreaterThan(0);

    const again = await enqueueFiles(pipeline, getMapper('qldt')!, [{ file: 'qldt-lai-chau.jsonl', text }], { source: 'qldt' });
    expect(again.totals.accepted).toBe(0);
    // (the re-run comes as one chunk, not chunks of 7: another batch job would be another job id)
    expect(await waitingRecords(prefix, 'map')).toBe(waiting);
    expect((await pipeline.counts()).map?.waiting).toBe(jobs);
    expect(formatSummary(again)).toContain('kntc status --source qldt --agency 000.00.');
  });

  it('so-tiep sample: every row received, under the Kon Tum agency, versioned by the export stamp', async () => {
    const { pipeline } = fresh();
    const text = readFileSync(sample('so-tiep-kon-tum.csv'), 'utf8');
    const sum = await enqueueFiles(pipeline, getMapper('so-tiep')!, [{ file: 'so-tiep-kon-tum.csv', text }], { source: 'so-tiep', agencies: new Set(['000.00.00.H34']) });
    expect(sum.totals).toMatchObject({ records: 25, accepted: 25, rejected: 0 });
    const st = await pipeline.status('so-tiep', '000.00.00.H34', 'KT25-0004');
    expect(st?.state).toBe('received');
    expect(st?.history[0]?.detail).toBe('cli');
  });

  it('--agencies: one record outside the scope → nothing enqueued, zero keys', async () => {
    const { pipeline, prefix } = fresh();
    const text = readFileSync(sample('pakn-lao-cai.json'), 'utf8');
    const err = await enqueueFiles(pipeline, getMapper('pakn')!, [{ file: 'pakn.json', text }], { source: 'pakn', agencies: new Set(['000.00.00.H37']) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('KNTC_ERR_AGENCY_FORBIDDEN');
    expect((err as IngestError).details.some((d) => d.agency === '000.00.09.H37')).toBe(true);
    expect(await keyCount(prefix)).toBe(0);
  });

  it('unreadable lines are stored as reviewable rejections (or refuse everything with --agency-check)', async () => {
    const { pipeline, prefix } = fresh();
    const good = readFileSync(sample('qldt-lai-chau.jsonl'), 'utf8').split('\n')[0]!;
    const text = `${good}\n{"id_don": "LC-BROKEN", \n`;
    const strict = await enqueueFiles(pipeline, getMapper('qldt')!, [{ file: 'x.jsonl', text }], { source: 'qldt', agencyCheck: true }).catch((e: unknown) => e);
    expect((strict as IngestError).code).toBe('KNTC_ERR_RECORD_UNIDENTIFIABLE');
    expect(await keyCount(prefix)).toBe(0);

    const sum = await enqueueFiles(pipeline, getMapper('qldt')!, [{ file: 'x.jsonl', text }], { source: 'qldt' });
    expect(sum.files[0]).toMatchObject({ records: 2, accepted: 1, rejected: 1, unreadableLines: [2] });
    const issues = await pipeline.listIssues({});
    expect(issues.length).toBeGreaterThan(0);
  });
});

describe('Progress on a terminal', () => {
  it('redraws one line with \\r and ends it once', () => {
    const out: string[] = [];
    const p = new Progress(10, { write: (s: string) => out.push(s), isTTY: true, columns: 80 }, 0, () => 0);
    p.update(5, 'a.jsonl');
    p.update(10, 'a.jsonl');
    p.finish();
    expect(out[0]).toMatch(/^\r\[#{12}-{12}\] 5\/10/);
    expect(out.filter((s) => s === '\n')).toHaveLength(1);
    expect(out.join('')).toContain('10/10 bản ghi (100%)');
  });
});

describe('kntc enqueue exit codes', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['bin/kntc.js', 'enqueue', ...args], { cwd: projectPath(), encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 30_000 });

  it('2 on usage errors, 1 when the scope check fails (nothing enqueued), 0 with a JSON summary', () => {
    // (each spawn compiles the CLI through tsx: kept to three)
    const usage = run(['--source', 'nope', sample('qldt-lai-chau.jsonl')]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('unknown source');
    const { prefix } = fresh();
    const scoped = run(['--source', 'pakn', '--agencies', '000.00.00.H37', sample('pakn-lao-cai.json')], { KNTC_PREFIX: prefix });
    expect(scoped.status).toBe(1);
    expect(scoped.stderr).toContain('KNTC_ERR_AGENCY_FORBIDDEN');
    const ok = run(['--source', 'pakn', '--json', '--no-progress', sample('pakn-lao-cai.json')], { KNTC_PREFIX: prefix });
    expect(ok.status).toBe(0);
    const sum = JSON.parse(ok.stdout) as { totals: { records: number; accepted: number } };
    expect(sum.totals.records).toBe(25);
    expect(sum.totals.accepted).toBe(25);
  });
});
