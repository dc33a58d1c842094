import type { Command } from 'commander';
import { loadConfig, describeConfig, settingsMarkdown } from '../../../config/index.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Validate the configuration and print it (secrets shown only as set/empty).')
    .option('--markdown', 'print the settings table used in the README')
    .action((opts: { markdown?: boolean }) => {
      if (opts.markdown) {
        process.stdout.write(settingsMarkdown() + '\n');
        return;
      }
      process.stdout.write(JSON.stringify(describeConfig(loadConfig()), null, 2) + '\n');
    });
}
