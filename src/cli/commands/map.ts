import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'map' command.
export function registerMap(program: Command): void {
  program
    .command('map')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc map is not implemented yet');
    });
}
