/**
 * The README is what a newcomer reads first: its reference tables are generated from the
 * code (scripts/readme.ts, `npm run docs`) and must match it, and the two commands it
 * promises must be the ones the project really runs.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { README_PATH, renderReadme, SECTIONS } from '../../scripts/readme.js';
import { SETTINGS, projectPath } from '../../config/index.js';

const readme = readFileSync(README_PATH, 'utf8');

describe('README.md', () => {
  it('has every generated section up to date (run `npm run docs` after changing settings or catalogues)', () => {
    for (const name of Object.keys(SECTIONS)) expect(readme).toContain(`<!-- generated:${name} -->`);
    expect(renderReadme(readme) === readme, 'README.md is out of date: run `npm run docs`').toBe(true);
  });

  it('documents every setting by name in the settings table', () => {
    const table = readme.slice(readme.indexOf('<!-- generated:settings -->'), readme.indexOf('<!-- /generated:settings -->'));
    for (const name of Object.keys(SETTINGS)) expect(table).toContain(`| \`${name}\` |`);
  });

  it('gives the test command that .ci/run runs, and the demo command', () => {
    const ci = readFileSync(projectPath('.ci', 'run'), 'utf8');
    const testLine = /^npm ci && npm test$/m;
    expect(readme).toMatch(testLine);
    expect(ci).toMatch(testLine);
    expect(readme).toMatch(/^npm ci && npm run demo$/m);
  });
});
