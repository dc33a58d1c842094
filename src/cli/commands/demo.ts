import type { Command } from 'commander';

interface DemoCliOpts {
  count: string;
  seed: string;
  keepRunning?: boolean;
  faults: boolean;
  timeout: string;
  progress: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`kntc demo: ${msg}\n(add --help for usage)\n`);
  process.exit(2);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the whole connector end to end on this machine: national simulator, ingest API and workers in-process, a realistic generated batch fed through the HTTP API, live progress and a checked summary.')
    .option('-n, --count <n>', 'local records to generate (across qldt, so-tiep, pakn)', '600')
    .option('-s, --seed <n>', 'random seed of the generated data and of the injected faults', '1')
    .option('--keep-running', 'leave the ingest API and the simulator up after the summary (prints URLs and demo keys); Ctrl-C stops')
    .option('--no-faults', 'no injected national faults (default: ~3 % 5xx, some after the write, resets and latency, to show retries)')
    .option('--timeout <sec>', 'give up waiting for records to settle after this many seconds', '300')
    .option('--no-progress', 'no live progress line')
    .addHelpText(
      'after',
      `
What it does:
  1. Redis: uses REDIS_URL if it answers; otherwise starts a throw-away redis-server (no persistence,
     noeviction) on a free port and stops it at the end. Without redis-server it says what to install
     (apt-get install redis-server / brew install redis) and exits 2.
  2. Starts the national simulator (port 4010 if free) with mild faults, the ingest API (port 8080 if free)
     and the map/push/dedupe workers, all in this process, under a fresh KNTC_PREFIX (kntc-demo-<time>).
  3. Generates --count realistic local records (see kntc generate --help), with deliberate problems and
     duplicates, and POSTs them to /v1/records/<source>/batch with the demo API keys.
  4. Shows accepted / mapped / pushed / rejected and queue depths until every record is pushed or rejected
     with reasons, then prints a summary checked against the simulator's own inspection.
Files: .kntc/demo-<time>/demo.log (all logs; the terminal shows only progress and the summary) and
       .kntc/demo-<time>/data/ (the generated exports and labels.json, the ground truth).
Exit codes: 0 every record ended pushed or rejected-with-reasons and the simulator agrees; 1 something got
stuck or disagreed; 2 no usable Redis; 130 interrupted (Ctrl-C).
Examples:
  npm run demo
  node bin/kntc.js demo --count 100 --no-faults
  node bin/kntc.js demo --keep-running`,
    )
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (opts: DemoCliOpts) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 100_000) usage('--count must be an integer 1..100000');
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) usage('--seed must be an integer');
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) usage('--timeout must be a positive number of seconds');
      const { runDemo, DemoError } = await import('../../demo/run.js');
      const ac = new AbortController();
      let interrupts = 0;
      const onSignal = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        process.stderr.write('\nStopping (Ctrl-C again to exit at once)…\n');
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const r = await runDemo({
          count, seed,
          keepRunning: Boolean(opts.keepRunning),
          faults: opts.faults,
          timeoutMs: timeout * 1000,
          progress: opts.progress,
          signal: ac.signal,
        });
        // after --keep-running, Ctrl-C is the normal way out: the run's own result counts
        process.exitCode = r.exitCode;
      } catch (e) {
        if (e instanceof DemoError) {
          process.stderr.write(`kntc demo: ${e.message}\n`);
          process.exitCode = e.exitCode;
        } else throw e;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      // BullMQ/ioredis may keep handles a moment after close: do not wait for them
      setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
    });
}
