import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'demo' command.
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc demo is not implemented yet');
    });
}
