import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'serve' command.
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc serve is not implemented yet');
    });
}
