import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'worker' command.
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc worker is not implemented yet');
    });
}
