/**
 * `npm run bench`: runs every suite in bench/suites/*.bench.ts (or those named on the
 * command line: `npm run bench -- mappers`), each printing its numbers and its ratio
 * to a baseline measured in the same run. Not part of `npm test`.
 */
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchContext {
  /** Print one result line, and keep it for the final table. */
  report(name: string, value: number, unit: string, extra?: Record<string, number | string>): void;
  log(msg: string): void;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const rows: { suite: string; name: string; value: number; unit: string; extra?: Record<string, number | string> }[] = [];
for (const f of files) {
  const suite = f.replace('.bench.ts', '');
  process.stdout.write(`\n== ${suite} ==\n`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: (ctx: BenchContext) => Promise<void> };
  const t0 = Date.now();
  await mod.default({
    report(name, value, unit, extra) {
      rows.push({ suite, name, value, unit, extra });
      const ex = extra ? '  ' + Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(' ') : '';
      process.stdout.write(`  ${name}: ${Number.isInteger(value) ? value : value.toFixed(3)} ${unit}${ex}\n`);
    },
    log(msg) {
      process.stdout.write(`  · ${msg}\n`);
    },
  });
  process.stdout.write(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
process.stdout.write(`\n${rows.length} results from ${files.length} suites on ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
process.exit(0);
