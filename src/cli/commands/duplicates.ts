import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'duplicates' command.
export function registerDuplicates(program: Command): void {
  program
    .command('duplicates')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc duplicates is not implemented yet');
    });
}
