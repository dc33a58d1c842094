import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'simulator' command.
export function registerSimulator(program: Command): void {
  program
    .command('simulator')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc simulator is not implemented yet');
    });
}
