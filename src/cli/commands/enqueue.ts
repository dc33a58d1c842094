import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'enqueue' command.
export function registerEnqueue(program: Command): void {
  program
    .command('enqueue')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc enqueue is not implemented yet');
    });
}
