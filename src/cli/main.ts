#!/usr/bin/env node
/**
 * `kntc` — the connector's command line. Each command lives in its own file under
 * ./commands and registers itself here; every command has --help.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { ConfigError } from '../../config/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('kntc')
    .description('Connector between local petition systems and the national petition database (CSDL quốc gia về KNTC).')
    .showHelpAfterError('(add --help for usage)')
    .version(process.env.npm_package_version ?? '0.1.0');
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  // `kntc … | head` must not crash with EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`kntc: ${e.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`kntc: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  }
}

// bin/kntc.js calls main() itself; matching it here too ran every command twice.
const invokedDirectly = process.argv[1] && /main\.(?:ts|js)$/.test(process.argv[1]);
if (invokedDirectly) void main();
