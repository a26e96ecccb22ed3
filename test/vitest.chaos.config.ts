// The chaos suite (`test/chaos/*.chaos.ts`): real fleets, real faults, real time. Run alone and
// serially after the other suites (`npm test` does), never next to them: the machine has 2
// shared cores and the scenarios measure latency.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sourceResolution } from '../vitest.shared.js';

export default defineConfig({
  ...sourceResolution,
  test: {
    name: 'chaos',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['chaos/**/*.chaos.ts'],
    fileParallelism: false,
    pool: 'forks',
    maxWorkers: 1,
    // Prints the one summary table once every file has written its reports.
    globalSetup: ['chaos/support/summary-table.ts'],
    testTimeout: 40_000,
    hookTimeout: 30_000,
  },
});
