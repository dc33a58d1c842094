/**
 * The README's reference tables are generated from the code, so they cannot drift:
 * settings (config/index.ts), ingest API errors (src/ingest/errors.ts), national error
 * taxonomy (src/national/errors.ts) and mapping issues (mappers/issues.ts).
 *
 *   npm run docs            rewrite the generated sections of README.md in place
 *   npm run docs -- --check exit 1 when README.md is not up to date (test/readme.test.ts does the same)
 *
 * A section sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT, settingsMarkdown } from '../config/index.js';
import { errorsMarkdown } from '../src/ingest/errors.js';
import { ERROR_CATALOG } from '../src/national/errors.js';
import { ISSUE_CATALOGUE } from '../mappers/issues.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function nationalMarkdown(): string {
  return [
    '| code | HTTP | retried | meaning | thông điệp (officers) |',
    '|---|---|---|---|---|',
    ...Object.entries(ERROR_CATALOG).map(([code, e]) => {
      const status = 'status' in e ? ([] as number[]).concat(e.status).join(', ') : 'transport';
      return `| \`${code}\` | ${status} | ${e.retryable ? 'yes' : 'no'} | ${cell(e.en)} | ${cell(e.vi)} |`;
    }),
  ].join('\n');
}

function issuesMarkdown(): string {
  return [
    '| code | severity | meaning | thông điệp (officers) |',
    '|---|---|---|---|',
    ...Object.entries(ISSUE_CATALOGUE).map(([code, d]) => `| \`${code}\` | ${d.severity} | ${cell(d.en)} | ${cell(d.vi)} |`),
  ].join('\n');
}

export const SECTIONS: Record<string, () => string> = {
  settings: settingsMarkdown,
  'ingest-errors': errorsMarkdown,
  'national-errors': nationalMarkdown,
  'mapping-issues': issuesMarkdown,
};

/** README text with every generated section replaced by what the code says now. */
export function renderReadme(text: string): string {
  let out = text;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no section <!-- generated:${name} -->`);
    out = out.replace(re, (_m, open: string, close: string) => open + make() + '\n' + close);
  }
  return out;
}

export const README_PATH = join(PROJECT_ROOT, 'README.md');

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  const text = readFileSync(README_PATH, 'utf8');
  const next = renderReadme(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      process.stderr.write('README.md is out of date: run `npm run docs`\n');
      process.exit(1);
    }
  } else if (next !== text) {
    writeFileSync(README_PATH, next);
    process.stdout.write('README.md updated\n');
  } else {
    process.stdout.write('README.md already up to date\n');
  }
}
