import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../../../config/index.js';
import { QUEUE_NAMES, queueSpecs, type QueueName } from '../../../queues/catalog.js';
import { startWorkers } from '../../worker/index.js';
import { logger } from '../../log/logger.js';

interface WorkerOpts {
  concurrency?: number;
  queues: QueueName[];
  dedupe: boolean;
  graceMs: number;
  metricsPort?: number;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 512) throw new InvalidArgumentError('must be an integer 1–512');
  return n;
};
const queueList = (v: string): QueueName[] => {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new InvalidArgumentError(`unknown queue(s) ${bad.join(', ') || '(none)'}; choose from ${QUEUE_NAMES.join(', ')}`);
  return [...new Set(names)] as QueueName[];
};

export function registerWorker(program: Command): void {
  const specs = queueSpecs(loadConfigSafe());
  program
    .command('worker')
    .description('Run queue workers: map raw records to national records, push them to the national API, look for duplicates.')
    .option('-c, --concurrency <n>', 'jobs in parallel per queue (push gets 4×: pushes wait on the network and are sent in batches) (default WORKER_CONCURRENCY)', positiveInt)
    .option('-q, --queues <list>', `comma-separated queues to consume (${QUEUE_NAMES.join(',')})`, queueList, [...QUEUE_NAMES])
    .option('--no-dedupe', 'do not enqueue duplicate searches after pushes')
    .option('--metrics-port <port>', 'serve GET /metrics (Authorization: Bearer KNTC_ADMIN_TOKEN) and /health/live, /health/ready on this port, 0 = off (default WORKER_METRICS_PORT)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port 0–65535');
      return n;
    })
    .option('--grace-ms <ms>', 'on SIGINT/SIGTERM, wait this long for in-flight jobs before exiting (unfinished jobs are picked up again by any worker)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
      return n;
    }, 30_000)
    .addHelpText('after', `
Queues (queues/catalog.ts; payloads are references only — tracking id, kind, version):
${QUEUE_NAMES.map((n) => `  ${n.padEnd(7)} ${specs[n].doc} attempts ${specs[n].attempts}, backoff ${specs[n].backoffMs} ms ×2^n with jitter (≥ Retry-After)`).join('\n')}

Run as many worker processes as needed, on any machines sharing REDIS_URL and KNTC_PREFIX.
A killed worker loses nothing: its jobs are found stalled and re-run; pushes are idempotent
(ledger + national Idempotency-Key + DA_TON_TAI resolution). A job whose attempts are used up
leaves a stored rejection with the reason (kntc status / issues), never a silent failed job.
Every worker runs the requeue sweep at start and every REQUEUE_INTERVAL_SEC: records stored but
not moving for REQUEUE_GRACE_SEC (e.g. the enqueue failed after the ledger write) get their job
again, same job id. Workers consuming "dedupe" pull duplicate links every DEDUPE_PULL_INTERVAL_SEC
and re-check own records every DEDUPE_SWEEP_INTERVAL_SEC. Replicas take turns (Redis locks).
Settings: REDIS_URL, KNTC_PREFIX, WORKER_CONCURRENCY, JOB_ATTEMPTS, JOB_BACKOFF_MS, REQUEUE_*,
DEDUPE_*, WORKER_METRICS_PORT/HOST, KNTC_ADMIN_TOKEN, NATIONAL_* (see kntc config).
Shutdown: SIGINT/SIGTERM stop taking jobs, finish or hand back in-flight ones, then exit; a second signal exits at once.

Examples:
  kntc worker
  kntc worker --queues push --concurrency 16
  kntc worker --queues map,push --no-dedupe
  kntc worker --metrics-port 9464`)
    .action(async (opts: WorkerOpts) => {
      const cfg = loadConfig(process.env);
      const log = logger().child({ component: 'worker-cli' });
      const w = await startWorkers(cfg, {
        queues: opts.queues, dedupe: opts.dedupe, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
      });
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          log.warn({ signal }, 'second signal: exiting now (in-flight jobs will be re-run by another worker)');
          process.exit(1);
        }
        stopping = true;
        log.info({ signal }, 'shutting down: finishing in-flight jobs');
        const force = setTimeout(() => {
          log.error({ graceMs: opts.graceMs }, 'grace period over: exiting (unfinished jobs will be re-run)');
          process.exit(1);
        }, opts.graceMs);
        force.unref();
        void w.close().then(() => process.exit(0), (e: unknown) => {
          log.error({ err: (e as Error).message }, 'shutdown failed');
          process.exit(1);
        });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}

/** --help must work even with a broken environment: fall back to defaults for the catalog text. */
function loadConfigSafe(): Parameters<typeof queueSpecs>[0] {
  try {
    return loadConfig(process.env);
  } catch {
    return loadConfig({});
  }
}
