import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests share one Redis but each uses its own key prefix / queue names.
    fileParallelism: true,
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
