import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { getConfig, type Config } from '../../../config/index.js';
import { DedupeStore } from '../../dedupe/store.js';
import { confirmPair, rejectPair, sweepDedupe, pullLinks, PairNotFoundError, type DedupePort } from '../../dedupe/processor.js';
import { listClusterViews, listPairViews, pairView, type ClusterView, type PairView, type ViewerRole } from '../../dedupe/view.js';

interface Ctx {
  cfg: Config;
  store: DedupeStore;
  client?: DedupePort & { close(): Promise<void> };
}

async function withCtx(needClient: boolean, fn: (c: Ctx) => Promise<void>): Promise<void> {
  const cfg = getConfig();
  const redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  const ctx: Ctx = { cfg, store: new DedupeStore(redis, cfg.KNTC_PREFIX) };
  try {
    if (needClient) {
      const { createNationalClient } = await import('../../national/client.js');
      ctx.client = createNationalClient(cfg) as unknown as Ctx['client'];
    }
    await fn(ctx);
  } finally {
    await ctx.client?.close().catch(() => undefined);
    redis.disconnect();
  }
}

const side = (s: PairView['a'] | ClusterView['members'][number]) => `${s.source ?? '?'}/${s.agency}/${s.localId ?? s.maHoSo}${s.confidential ? ' (bảo mật)' : ''}`;

/** The line format of `list --format json`: one JSON object per linked pair. */
export function pairLine(v: PairView): Record<string, unknown> {
  return {
    pairId: v.pairId,
    a: { source: v.a.source, agency: v.a.agency, localId: v.a.localId, maHoSo: v.a.maHoSo, confidential: v.a.confidential },
    b: { source: v.b.source, agency: v.b.agency, localId: v.b.localId, maHoSo: v.b.maHoSo, confidential: v.b.confidential },
    level: v.level,
    score: v.score,
    clusterId: v.clusterId,
    reasons: v.reasons,
    status: v.status,
    review: v.review,
    ...(v.by ? { by: v.by, at: v.at } : {}),
  };
}

function printTable(rows: PairView[]): void {
  const out = rows.map((v) => [v.pairId, v.level, v.score.toFixed(3), v.clusterId ?? '-', v.status + (v.review ? '*' : ''), side(v.a), side(v.b)]);
  const head = ['pairId', 'mức', 'điểm', 'cụm', 'trạng thái', 'hồ sơ A', 'hồ sơ B'];
  const w = head.map((h, i) => Math.max(h.length, ...out.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ');
  process.stdout.write(line(head) + '\n');
  for (const [i, r] of out.entries()) {
    process.stdout.write(line(r) + '\n');
    for (const reason of rows[i]!.reasons) process.stdout.write(`    - ${reason}\n`);
  }
  process.stdout.write(`${rows.length} cặp (* = chờ cán bộ xem xét)\n`);
}

function printClusters(rows: ClusterView[]): void {
  for (const c of rows) {
    process.stdout.write(`${c.clusterId}  ${c.members.length} hồ sơ, ${c.pairs} liên kết\n`);
    for (const m of c.members) process.stdout.write(`    - ${side(m)}  [${m.maHoSo}]\n`);
  }
  process.stdout.write(`${rows.length} cụm\n`);
}

function fail(cmd: string, e: unknown): void {
  if (e instanceof PairNotFoundError) {
    process.stderr.write(`kntc duplicates ${cmd}: không tìm thấy cặp trùng [${e.code}]\n`);
    process.exitCode = 1;
    return;
  }
  const err = e as { code?: string; name?: string };
  process.stderr.write(`kntc duplicates ${cmd}: ${err.code ?? err.name ?? 'error'}\n`);
  process.exitCode = 1;
}

export function registerDuplicates(program: Command): void {
  const dup = program
    .command('duplicates')
    .description('Duplicate petitions across agencies (lk1 linkage): list linked pairs with their reasons, confirm or reject a pair, sweep, pull links made by others.')
    .addHelpText(
      'after',
      `
Pairs are found after each push (queue "dedupe"): TRUNG = certain duplicate, NGHI_TRUNG = suspected (waits for an officer).
Reasons are Vietnamese and never contain a personal value; tố cáo / anonymous records are shown as "(bảo mật)".
Examples:
  kntc duplicates list --format table
  kntc duplicates list --level NGHI_TRUNG --review
  kntc duplicates clusters --format table
  kntc duplicates confirm P0123456789abcdef --by canbo01
  kntc duplicates reject  P0123456789abcdef --by canbo01
  kntc duplicates pull --agency 000.00.00.H29
  kntc duplicates sweep --max 500`,
    );

  dup
    .command('list')
    .description('List linked pairs: one JSON line per pair ({a, b, level, score, clusterId, reasons, …}) or a table.')
    .option('--format <format>', 'json | table', 'json')
    .option('--level <level>', 'only TRUNG or NGHI_TRUNG')
    .option('--review', 'only pairs waiting for an officer')
    .option('--limit <n>', 'at most n pairs, newest first', '10000')
    .action(async (o: { format: string; level?: string; review?: boolean; limit: string }) => {
      if (o.format !== 'json' && o.format !== 'table') {
        process.stderr.write('kntc duplicates list: --format must be json or table\n');
        process.exitCode = 2;
        return;
      }
      try {
        await withCtx(false, async ({ store }) => {
          const rows = await listPairViews(store, { role: 'can-bo' as ViewerRole, level: o.level, reviewOnly: o.review, limit: Number(o.limit) || 10000 });
          if (o.format === 'table') printTable(rows);
          else for (const v of rows) process.stdout.write(JSON.stringify(pairLine(v)) + '\n');
        });
      } catch (e) {
        fail('list', e);
      }
    });

  dup
    .command('clusters')
    .description('List clusters (records linked directly or through others): one JSON line per cluster ({clusterId, members, pairs}) or a table.')
    .option('--format <format>', 'json | table', 'json')
    .option('--agency <code>', 'only clusters with a record of this agency (maDonVi)')
    .option('--limit <n>', 'at most n clusters', '10000')
    .action(async (o: { format: string; agency?: string; limit: string }) => {
      if (o.format !== 'json' && o.format !== 'table') {
        process.stderr.write('kntc duplicates clusters: --format must be json or table\n');
        process.exitCode = 2;
        return;
      }
      try {
        await withCtx(false, async ({ store }) => {
          const rows = await listClusterViews(store, { agencies: o.agency ? new Set([o.agency]) : undefined, limit: Number(o.limit) || 10000 });
          if (o.format === 'table') printClusters(rows);
          else for (const c of rows) process.stdout.write(JSON.stringify(c) + '\n');
        });
      } catch (e) {
        fail('clusters', e);
      }
    });

  for (const action of ['confirm', 'reject'] as const) {
    dup
      .command(`${action} <pairId>`)
      .description(action === 'confirm' ? 'Confirm a pair as a duplicate (becomes TRUNG nationally), recording who and when.' : 'Reject a pair: the national link is removed and the cluster may split; who and when are recorded.')
      .requiredOption('--by <officer>', 'officer id (≤ 64 characters)')
      .action(async (pairId: string, o: { by: string }) => {
        try {
          await withCtx(true, async ({ store, client, cfg }) => {
            const deps = { client, store, cfg };
            const p = action === 'confirm' ? await confirmPair(pairId, o.by, deps) : await rejectPair(pairId, o.by, deps);
            process.stdout.write(JSON.stringify(pairLine(await pairView(store, p))) + '\n');
          });
        } catch (e) {
          fail(action, e);
        }
      });
  }

  dup
    .command('sweep')
    .description('Re-run the duplicate search for own records, least recently checked first.')
    .option('--max <n>', 'records per run', '1000')
    .action(async (o: { max: string }) => {
      try {
        await withCtx(true, async ({ store, client, cfg }) => {
          const r = await sweepDedupe({ client, store, cfg }, { max: Number(o.max) || 1000 });
          process.stdout.write(JSON.stringify(r) + '\n');
        });
      } catch (e) {
        fail('sweep', e);
      }
    });

  dup
    .command('pull')
    .description("Pull the links other agencies made on this agency's records (lien-ket-trung listing, cursor kept in Redis).")
    .requiredOption('--agency <code>', 'agency code (maDonVi); repeat the command per agency')
    .action(async (o: { agency: string }) => {
      try {
        await withCtx(true, async ({ store, client, cfg }) => {
          const r = await pullLinks(o.agency, { client, store, cfg });
          process.stdout.write(JSON.stringify(r) + '\n');
        });
      } catch (e) {
        fail('pull', e);
      }
    });
}
