import type { Command } from 'commander';
import { loadConfig } from '../../../config/index.js';
import { createPipeline } from '../../pipeline/index.js';
import { connectRedis, openQueues } from '../../pipeline/infra.js';
import { buildIngestServer } from '../../ingest/server.js';
import { DEMO_KEYS, hashKey, newKey } from '../../ingest/keys.js';
import { DEMO_OFFICERS, OFFICER_ROLES, newOfficerToken, type OfficerRole } from '../../ingest/officers.js';
import { DedupeStore } from '../../dedupe/store.js';
import { createNationalClient } from '../../national/client.js';
import { errorsMarkdown } from '../../ingest/errors.js';
import { logger } from '../../log/logger.js';

interface ServeOpts {
  board: boolean;
  host?: string;
  port?: string;
  hashKey?: string;
  newKey?: string | boolean;
  newOfficer?: string | boolean;
  errors?: boolean;
}

const demoOfficerTable = DEMO_OFFICERS.map((o) => `  ${o.plaintext.padEnd(18)} officer ${o.id.padEnd(19)} role ${o.role.padEnd(13)} all demo agencies`).join('\n');
const demoTable = DEMO_KEYS.map((k) => `  ${k.plaintext.padEnd(18)} source ${k.source.padEnd(8)} agencies ${k.agencies.join(', ')}`).join('\n');

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the ingest API: local systems push records (API key per system, bound to one source kind and its agencies).')
    .option('--host <host>', 'listen address (default INGEST_HOST)')
    .option('--port <port>', 'listen port, 0 = random (default INGEST_PORT)')
    .option('--no-board', 'do not serve the bull-board queue board at /admin/board')
    .option('--hash-key <plaintext>', 'print the sha256 hash of an API key (INGEST_KEYS_FILE) or an officer token (OFFICERS_FILE), then exit')
    .option('--new-officer [role]', `generate a random officer token (role ${OFFICER_ROLES.join(' | ')}, default can-bo), print it with its hash and an OFFICERS_FILE entry, then exit`)
    .option('--new-key [source]', 'generate a random API key, print it with its hash and a key-file entry, then exit')
    .option('--errors', 'print the error catalogue (code, HTTP status, message, thongDiep) as a Markdown table, then exit')
    .addHelpText(
      'after',
      `
Endpoints (JSON errors: {code: KNTC_ERR_…, message, thongDiep}):
  POST /v1/records/:source          {"record": <raw>}               → 202 {results:[{trackingId, outcome, status}]}
  POST /v1/records/:source/batch    {"records": [<raw>, …]}          (at most INGEST_MAX_BATCH)
  POST /v1/files/:source            raw export file (text/plain, text/csv, application/x-ndjson; X-File-Name optional)
  GET  /v1/records/:source/:agency/:localId                          → state, versions, national ids, issues, history
  GET  /v1/whoami                                                    → key id, source, agencies
  GET  /health/live | /health/ready (503 if Redis unreachable or maxmemory-policy ≠ noeviction)
  GET  /metrics | /admin/queues     (Authorization: Bearer KNTC_ADMIN_TOKEN)
  GET  /admin/board                 queue board (bull-board); in a browser: user "admin", password KNTC_ADMIN_TOKEN
Officers (Authorization: Bearer <officer token>; role and officer id come from the account):
  GET  /duplicates?level=TRUNG|NGHI_TRUNG&review=1&limit=            → {duLieu:[pair with local refs, level, reasons, labels]}
  GET  /duplicates/clusters                                          → {duLieu:[{clusterId, members, pairs}]}
  GET  /duplicates/:pairId                                           → pair with its history (who, when)
  POST /duplicates/:pairId/confirm | /reject                         → by = the officer id; reject removes the national link
  Only pairs with a record of one of the officer's agencies; names of tố cáo / anonymous
  petitioners are *** unless role can-bo-to-cao. KNTC_ADMIN_TOKEN: every agency, masked, read-only.
Auth: "Authorization: Bearer <key>" or "X-Api-Key: <key>". A key only writes/reads its own source
kind and agencies; the agency is read from each record, and one out-of-scope record refuses the
whole request (403, nothing stored).

Key file (INGEST_KEYS_FILE): [{"id": "lai-chau-qldt", "hash": "sha256:<hex>", "source": "qldt",
  "agencies": ["000.00.00.H29"]}]  — hash with: kntc serve --hash-key <key> (or --new-key qldt).
When INGEST_KEYS_FILE is empty the PUBLIC DEMO keys are active (never use them in production):
${demoTable}
Officers file (OFFICERS_FILE): [{"id": "canbo-lc-01", "hash": "sha256:<hex>", "role": "can-bo",
  "agencies": ["000.00.00.H29"]}]  — make a token with: kntc serve --new-officer can-bo-to-cao.
When OFFICERS_FILE is empty the PUBLIC DEMO officer tokens are active (never in production):
${demoOfficerTable}
Shutdown: SIGINT/SIGTERM stop accepting, finish in-flight requests, then close Redis.`,
    )
    .action(async (opts: ServeOpts) => {
      if (opts.errors) {
        process.stdout.write(errorsMarkdown() + '\n');
        return;
      }
      if (opts.hashKey !== undefined) {
        if (opts.hashKey.length < 20) process.stderr.write('warning: a key shorter than 20 characters is guessable; use kntc serve --new-key\n');
        process.stdout.write(hashKey(opts.hashKey) + '\n');
        return;
      }
      if (opts.newKey !== undefined) {
        const source = typeof opts.newKey === 'string' ? opts.newKey : 'qldt';
        const key = newKey(`kntc_${source.replace(/[^a-z0-9]/g, '')}`);
        process.stdout.write(`key (give to the local system, store nowhere else): ${key}\n`);
        process.stdout.write(`key-file entry: ${JSON.stringify({ id: `${source}-1`, hash: hashKey(key), source, agencies: ['<agency code>'] })}\n`);
        return;
      }
      if (opts.newOfficer !== undefined) {
        const role = (typeof opts.newOfficer === 'string' ? opts.newOfficer : 'can-bo') as OfficerRole;
        if (!OFFICER_ROLES.includes(role)) {
          process.stderr.write(`kntc serve --new-officer: role must be ${OFFICER_ROLES.join(' or ')}\n`);
          process.exitCode = 2;
          return;
        }
        const token = newOfficerToken();
        process.stdout.write(`token (give to the officer, store nowhere else): ${token}\n`);
        process.stdout.write(`officers-file entry: ${JSON.stringify({ id: '<officer id>', hash: hashKey(token), role, agencies: ['<agency code>'] })}\n`);
        return;
      }
      const overrides: Record<string, unknown> = {};
      if (opts.host !== undefined) overrides.INGEST_HOST = opts.host;
      if (opts.port !== undefined) overrides.INGEST_PORT = opts.port;
      const cfg = loadConfig(process.env, overrides);
      const log = logger().child({ component: 'serve' });
      const pipeline = createPipeline(cfg);
      const boardRedis = opts.board ? connectRedis(cfg.REDIS_URL, { name: 'kntc-board' }) : undefined;
      boardRedis?.on('error', () => undefined); // readiness reports Redis outages
      const boardQueues = boardRedis ? Object.values(openQueues(cfg, boardRedis)) : [];
      // Officer duplicate routes: the dedupe store of this deployment, the national client for
      // confirm/reject, labels from the ledger.
      const dedupeRedis = connectRedis(cfg.REDIS_URL, { name: 'kntc-dedupe' });
      const national = createNationalClient(cfg);
      const dedupe = { store: new DedupeStore(dedupeRedis, cfg.KNTC_PREFIX), client: national, ledger: pipeline.ledger };
      const app = await buildIngestServer(cfg, { pipeline, boardQueues, dedupe });
      const r = await pipeline.ready();
      if (!r.ok) log.warn({ reason: r.reason }, 'pipeline not ready: /health/ready answers 503 and writes fail until it is');
      const address = await app.listen({ host: cfg.INGEST_HOST, port: cfg.INGEST_PORT });
      log.info({ url: address }, 'ingest API listening');

      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          log.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        stopping = true;
        log.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
        const force = setTimeout(() => {
          log.error('shutdown took more than 15 s: exiting');
          process.exit(1);
        }, 15_000);
        force.unref();
        void (async () => {
          try {
            await app.close();
            await Promise.all(boardQueues.map((q) => q.close()));
            if (boardRedis) await boardRedis.quit().catch(() => boardRedis.disconnect());
            await national.close().catch(() => undefined);
            await dedupeRedis.quit().catch(() => dedupeRedis.disconnect());
            await pipeline.close();
            log.info('stopped');
            process.exit(0);
          } catch (e) {
            log.error({ errName: (e as Error).name }, 'shutdown failed');
            process.exit(1);
          }
        })();
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
