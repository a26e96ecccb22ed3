import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One project per package plus the cross-package suites in test/.
    projects: ['packages/*', 'packages/client/vitest.observed.config.ts', 'test'],
    // Real servers share 2 cores: keep files in separate processes, a few at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
