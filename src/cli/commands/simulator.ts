import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, getConfig } from '../../../config/index.js';
import { loadReferenceData } from '../../reference/dvhc.js';
import { startSimulator, parseFaults, readClientsFile, DEFAULT_ADMIN_TOKEN, type FaultConfig, type SimClient } from '../../simulator/index.js';

interface Opts {
  port?: string;
  host: string;
  clients?: string;
  data?: string;
  faults?: string;
  limits: boolean;
  snapshot?: string;
  adminToken: string;
  tokenTtl: string;
  quiet?: boolean;
}

/** --data DIR: either a folder holding units-2025.json (+ don-vi.json), or one shaped like ../shared/data (dvhc/ + don-vi.json). */
function referenceFrom(dir: string | undefined, cfg: { DVHC_DATA_PATH: string; DON_VI_PATH: string }) {
  if (!dir) return loadReferenceData({ ...(cfg.DVHC_DATA_PATH ? { dvhcPath: cfg.DVHC_DATA_PATH } : {}), ...(cfg.DON_VI_PATH ? { donViPath: cfg.DON_VI_PATH } : {}) });
  const dvhcPath = existsSync(join(dir, 'dvhc', 'units-2025.json')) ? join(dir, 'dvhc') : dir;
  if (!existsSync(join(dvhcPath, 'units-2025.json'))) throw new Error(`--data ${dir}: no units-2025.json (nor dvhc/units-2025.json) there`);
  const donVi = existsSync(join(dir, 'don-vi.json')) ? join(dir, 'don-vi.json') : cfg.DON_VI_PATH || undefined;
  return loadReferenceData({ dvhcPath, ...(donVi ? { donViPath: donVi } : {}) });
}

export function registerSimulator(program: Command): void {
  program
    .command('simulator')
    .description(
      'Run the national petition database simulator (contract v1: OAuth2, idempotency, versions, batch, listings, tim-trung, links, catalogues) with optional fault injection.',
    )
    .option('-p, --port <port>', 'port to listen on (0 = random; default SIMULATOR_PORT, 4010)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--clients <file>', 'JSON file [{id, secret, agencies: [code | "tinh:<maTinh>" | "*"], ratePerSec?, burst?, maxInFlight?}] (default SIMULATOR_CLIENTS_FILE, else demo-connector/demo-secret for every agency)')
    .option('--data <dir>', 'reference data folder (units-2025.json, units-before-2025-07.json, don-vi.json; or a ../shared/data-like folder). Default DVHC_DATA_PATH/DON_VI_PATH, else ../shared/data, else the built-in sample')
    .option('--faults <json|file>', 'FaultConfig as JSON text or file, e.g. \'{"errorRate":{"503":0.05},"resetAfterRate":0.02,"latency":{"minMs":5,"maxMs":80}}\', \'{"latency":{"distribution":"lognormal","medianMs":40,"p99Ms":900}}\' or \'{"tokenTtlSec":30}\' (default SIMULATOR_FAULTS)')
    .option('--no-limits', 'disable the rate limit (20/s, burst 40) and the concurrency limit (8 in flight)')
    .option('--snapshot <file>', 'load state from this JSON file at start, write it every 10 s and on shutdown')
    .option('--admin-token <token>', 'bearer token of the /_sim/ admin endpoints', DEFAULT_ADMIN_TOKEN)
    .option('--token-ttl <seconds>', 'lifetime of issued access tokens', '3600')
    .option('-q, --quiet', 'no startup log line')
    .addHelpText(
      'after',
      `
Endpoints: <base>/api/v1/... (the contract) and admin endpoints with "Authorization: Bearer <admin token>":
  GET  /_sim/health            no auth
  GET  /_sim/inspect           per (kind, maDonVi, maNguon): creates, updates, noops, phienBanNguon, nationalId; totals, 429 counts, faults
  GET  /_sim/faults            current FaultConfig
  POST /_sim/faults            replace the FaultConfig (JSON body; 400 with the reason when it is not usable); {} clears it
  POST /_sim/expire-tokens     every issued token becomes invalid ({clientId} for one client)
  POST /_sim/reset             forget every record, link, stored key and counter
  POST /_sim/snapshot          write the snapshot file now

Examples:
  kntc simulator --port 4010
  kntc simulator --port 0 --faults '{"errorAfterRate":{"500":0.05},"resetAfterRate":0.02}'
  kntc simulator --faults '{"tokenTtlSec":20,"latency":{"distribution":"lognormal","medianMs":30,"p99Ms":800,"maxMs":5000}}'
  curl -s -X POST -H 'Authorization: Bearer demo-admin-token' -d '{"maintenance":{"durationSec":30}}' http://127.0.0.1:4010/_sim/faults`,
    )
    .action(async (o: Opts) => {
      const cfg = getConfig();
      const clientsFile = o.clients ?? (cfg.SIMULATOR_CLIENTS_FILE || undefined);
      // the same checks as the simulator applies to SIMULATOR_CLIENTS_FILE; a bad file stops here (exit 78) with what is wrong
      let clients: SimClient[] | undefined;
      if (clientsFile) {
        try {
          clients = readClientsFile(clientsFile);
        } catch (e) {
          throw new ConfigError([{ variable: o.clients ? '--clients' : 'SIMULATOR_CLIENTS_FILE', problem: (e as Error).message }]);
        }
      }
      const faultsText = o.faults ?? (cfg.SIMULATOR_FAULTS || undefined);
      let faults: FaultConfig | undefined;
      if (faultsText) {
        try {
          faults = parseFaults(faultsText);
        } catch (e) {
          throw new ConfigError([{ variable: o.faults ? '--faults' : 'SIMULATOR_FAULTS', problem: (e as Error).message }]);
        }
      }
      const port = Number(o.port ?? cfg.SIMULATOR_PORT);
      const ttl = Number(o.tokenTtl);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${o.port}`);
      if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`--token-ttl: not a positive integer: ${o.tokenTtl}`);
      const sim = await startSimulator({
        host: o.host,
        port,
        reference: referenceFrom(o.data, cfg),
        ...(clients ? { clients } : {}),
        ...(faults ? { faults } : {}),
        limits: { enabled: o.limits },
        ...(o.snapshot ? { snapshotFile: o.snapshot } : {}),
        adminToken: o.adminToken,
        tokenTtlSec: ttl,
        quiet: o.quiet ?? false,
      });
      process.stdout.write(`${sim.baseUrl}\n`);
      if (!o.quiet) {
        process.stderr.write(
          `national simulator: ${sim.baseUrl} (admin ${sim.origin}/_sim/, reference ${sim.reference.origin}, clients ${sim.clients.map((c) => c.id).join(', ')})\n`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        if (!o.quiet) process.stderr.write(`national simulator: ${signal}, shutting down\n`);
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        sim.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      await new Promise<never>(() => {});
    });
}
