import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'generate' command.
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc generate is not implemented yet');
    });
}
