import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'status' command.
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc status is not implemented yet');
    });
}
