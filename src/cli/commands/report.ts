import type { Command } from 'commander';

// Placeholder: replaced by the owner of the 'report' command.
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('kntc report is not implemented yet');
    });
}
